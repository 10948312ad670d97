"""`python -m jmer.export`: the entry point; the code lives in jmer.inference.export."""

import sys

from jmer.inference.export import main

if __name__ == "__main__":
  sys.exit(main())
