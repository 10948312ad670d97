"""`jmer` (the same as `python -m jmer`): one lazy table of every subcommand.

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
  # 'module:function' building its light argparse parser from (prog), or '' (train: absl).
  # The arguments are checked with it before `module` is imported, so --help, a mistyped
  # flag or a missing run folder is answered before Keras, JAX or TensorFlow load.
  parser: str = ""


COMMANDS = {
    "train": Command("jmer.cli.train", "train and evaluate a model from a config, e.g. "
                     "--config=mtl", run="run"),
    "predict": Command("jmer.inference.predict", "genre and emotion of audio files or folders",
                       parser="jmer.inference.cli_args:predict_parser"),
    "demo": Command("jmer.inference.demo",
                    "a local web page: upload a song, see what the model hears",
                    parser="jmer.inference.cli_args:demo_parser"),
    "export": Command("jmer.inference.export",
                      "write a finished run's best checkpoint as model.keras",
                      parser="jmer.inference.cli_args:export_parser"),
    "runs": Command("jmer.experiments.finished_runs", "list and compare finished runs without retraining",
                    parser="jmer.experiments.finished_runs:build_parser"),
    "experiments": Command("jmer.experiments.__main__",
                           "run a suite of experiments (experiments/*.py) and write its report",
                           parser="jmer.experiments.__main__:build_parser"),
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
  module, _, function = spec.parser.partition(":")
  return getattr(importlib.import_module(module), function)(prog or f"jmer {command}")


def run_command(command: str, argv=None, prog: str = "") -> int:
  """Runs one command: checks its arguments with its light parser, then imports and runs it.

  Args:
    command: a key of COMMANDS.
    argv: the arguments after the command (default: sys.argv[1:]).
    prog: how to name the command in help and messages (default: `jmer <command>`).

  Returns:
    The command's exit code.
  """
  spec, prog = COMMANDS[command], prog or f"jmer {command}"
  argv = list(sys.argv[1:] if argv is None else argv)
  parser = parser_for(command, prog)
  if parser is not None:
    from jmer.inference import cli_args  # light: argparse and pathlib
    cli_args.parse(parser, argv)  # exits here on --help or a bad argument
  run = getattr(importlib.import_module(spec.module), spec.run)
  return run(argv, prog=prog) or 0


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
  return run_command(command, rest)


def entry_point():
  """The `jmer` console script ([project.scripts] in pyproject.toml)."""
  sys.exit(main())

