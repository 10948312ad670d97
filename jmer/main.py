"""`python -m jmer.main` is `jmer train` (jmer.cli.commands), kept as a documented entry point."""

import sys

from jmer.cli import commands

if __name__ == "__main__":
  sys.exit(commands.run_command("train", prog="python -m jmer.main"))
