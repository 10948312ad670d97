"""`python -m jmer.predict`: the entry point; the code lives in jmer.inference.predict."""

import sys

from jmer.inference.predict import main

if __name__ == "__main__":
  sys.exit(main())
