"""`jmer` (the same as `python -m jmer`): one command for everything jmer does.

  jmer train --config=mtl                 train and evaluate a config (= python -m jmer.main)
  jmer predict song.mp3 folder/           genre and emotion of audio files (= python -m jmer.predict)
  jmer <command> --help                   that command's flags

Only the chosen command's module is imported, and each parses its arguments before importing
anything heavy (Keras, JAX, TensorFlow, librosa), so `--help` answers at once.
"""

import difflib
import importlib
import sys

import jmer

# name -> (module, its function taking (argv, prog=) and returning an exit code, what it does)
COMMANDS = {
    "train": ("jmer.main", "run", "train and evaluate a model from a config, e.g. --config=mtl"),
    "predict": ("jmer.predict", "main", "genre and emotion of audio files or folders"),
    "demo": ("jmer.demo", "main", "a local web page: upload a song, see what the model hears"),
    "export": ("jmer.export", "main", "write a finished run's best checkpoint as model.keras"),
    "runs": ("jmer.runs", "main", "list and compare finished runs without retraining"),
    "experiments": ("jmer.experiments.__main__", "main",
                    "run a suite of experiments (experiments/*.py) and write its report"),
}


def help_text() -> str:
  """`jmer --help`: the commands, one line each."""
  width = max(map(len, COMMANDS))
  lines = [f"usage: jmer <command> [flags]    (or python -m jmer <command> [flags])", "",
           "Joint music genre and emotion recognition from audio.", "", "commands:"]
  lines += [f"  {name.ljust(width)}  {about}" for name, (_, _, about) in COMMANDS.items()]
  lines += ["", "jmer <command> --help shows a command's flags; jmer --version the version."]
  return "\n".join(lines)


def main(argv=None) -> int:
  """Runs `jmer <command> ...`; returns the exit code.

  Args:
    argv: the arguments after `jmer` (default: sys.argv[1:]).
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
  module_name, function, _ = COMMANDS[command]
  run = getattr(importlib.import_module(module_name), function)
  return run(rest, prog=f"jmer {command}") or 0


def entry_point():
  """The `jmer` console script ([project.scripts] in pyproject.toml)."""
  sys.exit(main())


if __name__ == "__main__":
  entry_point()
