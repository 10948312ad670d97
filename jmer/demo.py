"""`python -m jmer.demo`: the entry point; the code lives in jmer.inference.demo."""

import sys

from jmer.inference.demo import main

if __name__ == "__main__":
  sys.exit(main())
