"""`python -m jmer.predict` is `jmer predict` (jmer.cli.commands), kept as a documented entry point."""

import sys

from jmer.cli import commands

if __name__ == "__main__":
  sys.exit(commands.run_command("predict", prog="python -m jmer.predict"))
