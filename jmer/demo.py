"""`python -m jmer.demo` is `jmer demo` (jmer.cli.commands), kept as a documented entry point."""

import sys

from jmer.cli import commands

if __name__ == "__main__":
  sys.exit(commands.run_command("demo", prog="python -m jmer.demo"))
