"""`python -m jmer.runs` is `jmer runs` (jmer.cli.commands), kept as a documented entry point."""

import sys

from jmer.cli import commands

if __name__ == "__main__":
  sys.exit(commands.run_command("runs", prog="python -m jmer.runs"))
