"""The argparse parser every jmer command but `train` uses: one-line errors that name the fix.

argparse's own errors print the usage block, then `prog: error: unrecognized arguments: …` with
no hint. Here an error is one `error: …` line, exit code 2, and an unknown flag is named with
the closest known one (`--workdirr` -> did you mean --workdir?). Light: argparse and difflib.
"""

import argparse
import difflib
import sys


class ArgumentParser(argparse.ArgumentParser):
  """argparse.ArgumentParser with one-line errors and closest-flag suggestions."""

  def parse_args(self, args=None, namespace=None):
    """As argparse's, but an unknown flag fails naming the closest known flag (before any
    other complaint, such as a missing required flag, which it may be a misspelling of).

    Args:
      args: the arguments (default: sys.argv[1:]).
      namespace: an argparse.Namespace to fill, or None.

    Returns:
      The argparse.Namespace.
    """
    args = sys.argv[1:] if args is None else list(args)
    for arg in args:
      if arg == "--":
        break
      name = arg.split("=", 1)[0]
      if name.startswith("--") and not any(o.startswith(name) for o in self._option_string_actions):
        self.error(self.unknown_message(arg))
    parsed, extras = self.parse_known_args(args, namespace)
    if extras:
      self.error(self.unknown_message(extras[0]))
    return parsed

  def unknown_message(self, arg: str) -> str:
    """`--workdirr=x: no such flag; did you mean --workdir?` (or an unexpected argument).

    Args:
      arg: the unknown argument as given.

    Returns:
      The message, without 'error: ' or the usage line.
    """
    if not arg.startswith("-"):
      return f"unexpected argument {arg!r}"
    name = arg.split("=", 1)[0]
    options = [o for o in self._option_string_actions if o.startswith("--")]
    close = difflib.get_close_matches(name, options, n=1, cutoff=0.6)
    return f"{name}: no such flag" + (f"; did you mean {close[0]}?" if close else "")

  def error(self, message: str):
    """Prints `error: <message> (<prog> --help shows the usage)` and exits with code 2."""
    print(f"error: {message} ({self.prog} --help shows the usage)", file=sys.stderr)
    sys.exit(2)
