"""`python -m jmer <command>` is the `jmer` command (jmer.cli.commands)."""

from jmer.cli.commands import entry_point, main  # noqa: F401  (pyproject's console script)

if __name__ == "__main__":
  entry_point()
