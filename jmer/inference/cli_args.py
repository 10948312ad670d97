"""The arguments of `jmer predict`, `jmer demo` and `jmer export`, parsed before anything heavy.

The entry points (jmer/predict.py, demo.py, export.py) parse with these parsers first, so
`--help`, a mistyped flag or a run folder that does not exist is answered at once, before
Keras, JAX or TensorFlow load; the commands' own main() functions then parse with the same
parsers. Light: argparse, the output format names and the shipped models' names.
"""

import argparse
import pathlib
import sys

from jmer.cli import arguments

DEMO_TITLE = "jmer: genre and emotion of a song"
DEMO_MAX_UPLOAD_MB = 200  # ~20 min of WAV at CD quality, hours of MP3; checked before decoding


def parse(parser: argparse.ArgumentParser, argv=None) -> argparse.Namespace:
  """parser.parse_args(argv), then a --workdir that is not a folder fails at once as
  `error: no such folder: X` (whether the folder holds a finished run is checked later), and a
  --model that is neither a file nor a shipped model's name as `error: --model=X: ...` listing
  the shipped names.

  Args:
    parser: one of this module's parsers.
    argv: the arguments (default: sys.argv[1:]).

  Returns:
    The parsed arguments.
  """
  args = parser.parse_args(argv)
  workdir = getattr(args, "workdir", None)
  if workdir and not pathlib.Path(workdir).expanduser().is_dir():
    print(f"error: no such folder: {workdir} (--workdir takes a training run's folder, e.g. "
          "runs/mtl after jmer train --config=mtl)", file=sys.stderr)
    sys.exit(2)
  model = getattr(args, "model", None)
  if model is not None:
    from jmer.inference import shipped  # names only: light
    if reason := shipped.unknown_model_reason(model):
      print(f"error: --model={model}: {reason}", file=sys.stderr)
      sys.exit(2)
  return args


def add_model_flags(parser) -> None:
  """Adds --workdir or --model: how the prediction CLI and the demo name the model to use;
  neither means the shipped real-music model.

  Args:
    parser: the argparse parser to add the mutually exclusive pair to (changed in place).
  """
  from jmer.inference import shipped  # names only: light
  group = parser.add_mutually_exclusive_group()
  group.add_argument("--workdir", help="a training run (uses its model.keras)")
  group.add_argument("--model", help="an exported .keras model file, or a shipped model's name "
                     f"({', '.join(shipped.SHIPPED_MODELS)}; the default: "
                     f"{shipped.DEFAULT_MODEL})")


def positive_int(text: str) -> int:
  """argparse type: a whole number of at least 1.

  Args:
    text: the flag's value as typed.

  Returns:
    The value as an int.

  Raises:
    argparse.ArgumentTypeError when `text` is not a whole number of at least 1.
  """
  try:
    value = int(text)
  except ValueError:
    value = 0
  if value < 1:
    raise argparse.ArgumentTypeError(f"must be a whole number of at least 1, got {text!r}")
  return value


def predict_parser(prog: str = "python -m jmer.predict") -> argparse.ArgumentParser:
  """The arguments of jmer.inference.predict.main.

  Args:
    prog: the program name shown in usage and error messages.

  Returns:
    A parser for input files or folders, the model flags, --timeline, --top-k and --format.
  """
  from jmer.inference.output import FORMATS  # numpy, no more
  parser = arguments.ArgumentParser(prog=prog, description="Genre and emotion of audio files.")
  parser.add_argument("inputs", nargs="+", help="audio files (wav/flac/ogg/mp3/m4a/wma, ...) "
                      "or folders")
  add_model_flags(parser)
  parser.add_argument("--timeline", action="store_true", help="add per-segment predictions")
  parser.add_argument("--top-k", type=positive_int, default=3, metavar="K",
                      help="how many genres and musicnn tags to list (default 3)")
  parser.add_argument("--format", choices=FORMATS, default=None,
                      help="table (default on a terminal), json (one object per line; default "
                           "when piped) or csv")
  return parser


def export_parser(prog: str = "python -m jmer.export") -> argparse.ArgumentParser:
  """The arguments of jmer.inference.export.main.

  Args:
    prog: the program name shown in usage and error messages.

  Returns:
    A parser for --workdir (required), --out and --force.
  """
  parser = arguments.ArgumentParser(
      prog=prog, description="Exports the best checkpoint of a finished run as a "
                             "self-describing model file (model.keras).")
  parser.add_argument("--workdir", required=True, help="a finished training run")
  parser.add_argument("--out", help="output .keras file (default: <workdir>/model.keras)")
  parser.add_argument("--force", action="store_true",
                      help="overwrite the output file if it exists (refused otherwise)")
  return parser


def demo_parser(prog: str = "python -m jmer.demo") -> argparse.ArgumentParser:
  """The arguments of jmer.inference.demo.main.

  Args:
    prog: the program name shown in usage and error messages.

  Returns:
    A parser for the model flags, --examples, --host, --port and --max-upload-mb (in MB).
  """
  parser = arguments.ArgumentParser(prog=prog, description=DEMO_TITLE)
  add_model_flags(parser)
  parser.add_argument("--examples", help="a folder of audio files offered to pick from")
  parser.add_argument("--host", default="127.0.0.1",
                      help="address to bind (default 127.0.0.1: this machine only)")
  parser.add_argument("--port", type=int, default=7860)
  parser.add_argument("--max-upload-mb", type=float, default=DEMO_MAX_UPLOAD_MB,
                      help=f"largest upload accepted, in MB (default {DEMO_MAX_UPLOAD_MB})")
  return parser
