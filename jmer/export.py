"""`python -m jmer.export` is `jmer export` (jmer.cli.commands), kept as a documented entry point."""

import sys

from jmer.cli import commands

if __name__ == "__main__":
  sys.exit(commands.run_command("export", prog="python -m jmer.export"))
