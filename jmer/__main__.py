"""`jmer` (the same as `python -m jmer`): one command for everything jmer does.

  jmer train --config=mtl                 train and evaluate a config (= python -m jmer.main)
  jmer predict song.mp3 folder/           genre and emotion of files (= python -m jmer.predict)
  jmer <command> --help                   that command's flags

Only the chosen command's module is imported, and each parses its arguments before importing
anything heavy (Keras, JAX, TensorFlow, librosa), so `--help` answers at once.
"""

import difflib
import importlib
import sys
import typing

import jmer


class Command(typing.NamedTuple):
  """One subcommand of `jmer`."""
  module: str  # imported only when the command runs
  about: str  # the line `jmer --help` shows
  run: str = "main"  # the module's function taking (argv, prog=) and returning an exit code
  parser: str = "build_parser"  # its light argparse builder taking (prog); '' if none


COMMANDS = {
    "train": Command("jmer.main", "train and evaluate a model from a config, e.g. --config=mtl",
                     run="run", parser=""),
    "predict": Command("jmer.predict", "genre and emotion of audio files or folders"),
    "demo": Command("jmer.demo", "a local web page: upload a song, see what the model hears"),
    "export": Command("jmer.export", "write a finished run's best checkpoint as model.keras"),
    "runs": Command("jmer.runs", "list and compare finished runs without retraining"),
    "experiments": Command("jmer.experiments.__main__",
                           "run a suite of experiments (experiments/*.py) and write its report"),
}
# `python -m <module>` forms of the commands (the design's entry points), module -> command.
MODULES = {"jmer.main": "train", "jmer.predict": "predict", "jmer.demo": "demo",
           "jmer.export": "export", "jmer.runs": "runs", "jmer.experiments": "experiments"}


def parser_for(command: str, prog: str = ""):
  """The argparse parser of a command (None for train, which absl parses): for checking docs.

  Args:
    command: a key of COMMANDS.
    prog: the name to show (default: `jmer <command>`).

  Returns:
    The command's arguments.ArgumentParser, or None for train.
  """
  spec = COMMANDS[command]
  if not spec.parser:
    return None
  module = importlib.import_module(spec.module)
  return getattr(module, spec.parser)(prog or f"jmer {command}")


def help_text() -> str:
  """`jmer --help`: the commands, one line each.

  Returns:
    The help page's text.
  """
  width = max(map(len, COMMANDS))
  lines = [f"usage: jmer <command> [flags]    (or python -m jmer <command> [flags])", "",
           "Joint music genre and emotion recognition from audio.", "", "commands:"]
  lines += [f"  {name.ljust(width)}  {spec.about}" for name, spec in COMMANDS.items()]
  lines += ["", "jmer <command> --help shows a command's flags; jmer --version the version."]
  return "\n".join(lines)


def main(argv=None) -> int:
  """Runs `jmer <command> ...`; returns the exit code.

  Args:
    argv: the arguments after `jmer` (default: sys.argv[1:]).

  Returns:
    The command's exit code; 2 without a command or for an unknown one.
  """
  argv = list(sys.argv[1:] if argv is None else argv)
  if not argv:
    print(help_text(), file=sys.stderr)
    return 2
  command, rest = argv[0], argv[1:]
  if command in ("-h", "--help", "help"):
    print(help_text())
    return 0
  if command in ("-V", "--version", "version"):
    print(f"jmer {jmer.__version__}")
    return 0
  if command not in COMMANDS:
    if command.startswith("-"):
      hint = (f"; to train: jmer train {' '.join(argv)}" if command.startswith("--config")
              else "; jmer --help lists the commands")
      print(f"error: {command}: jmer needs a command first{hint}", file=sys.stderr)
      return 2
    close = difflib.get_close_matches(command, list(COMMANDS), n=1, cutoff=0.5)
    hint = f"did you mean jmer {close[0]}? " if close else ""
    print(f"error: no such command {command!r}; {hint}(commands: {', '.join(COMMANDS)})",
          file=sys.stderr)
    return 2
  spec = COMMANDS[command]
  run = getattr(importlib.import_module(spec.module), spec.run)
  return run(rest, prog=f"jmer {command}") or 0


def entry_point():
  """The `jmer` console script ([project.scripts] in pyproject.toml)."""
  sys.exit(main())


if __name__ == "__main__":
  entry_point()
