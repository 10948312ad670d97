"""Entry point: `python -m jmer.runs <dir>` lists and compares finished runs
(jmer.experiments.runs)."""

import sys

from jmer.experiments.runs import build_parser  # noqa: F401  (jmer runs --help, docs test)
from jmer.experiments.runs import main

if __name__ == "__main__":
  sys.exit(main())
