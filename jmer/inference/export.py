"""Exports the best checkpoint of a finished run as a self-describing model file:

  python -m jmer.export --workdir=runs/mtl [--out=model.keras] [--force]

for runs trained before every run exported `model.keras` itself; also how the prediction CLI
and the demo find the model a user names (--workdir or --model).
"""

import json
import pathlib
import sys

import ml_collections

from jmer.inference import cli_args
from jmer.inference import compilation_cache
from jmer.inference import exported
from jmer.inference import shipped
from jmer.models.model_file import MODEL_FILENAME
from jmer.models.model_file import ModelBundle
from jmer.models.model_file import ModelFileError
from jmer.models.model_file import export_model
from jmer.models.model_file import load_model_bundle


def export_from_workdir(workdir, out=None, extra: dict | None = None) -> pathlib.Path:
  """Writes `model.keras` for a run from its best checkpoint, config and reported genres.

  Args:
    workdir: a finished training run's folder.
    out: the file to write (default: <workdir>/model.keras).
    extra: metadata fields added to the file (model_file.export_model).

  Returns:
    The path written.

  Raises:
    ModelFileError naming `workdir` when it is not a finished run.
  """
  import keras
  workdir = pathlib.Path(workdir)
  best = workdir / "checkpoints" / "best.keras"
  report = workdir / "metrics.json"
  for needed in (best, workdir / "config.json", report):
    if not needed.is_file():
      raise ModelFileError(workdir, f"not a finished jmer run ({needed.name} is missing)")
  config = ml_collections.ConfigDict(json.loads((workdir / "config.json").read_text()))
  genre_names = json.loads(report.read_text())["data"]["genre_names"]
  model = keras.saving.load_model(best, safe_mode=True, compile=False)
  return export_model(model, config, genre_names, out or workdir / MODEL_FILENAME, extra=extra)


def bundle_from_workdir(workdir) -> ModelBundle:
  """The run's exported model; exports it first for runs that predate automatic export.

  Args:
    workdir: a finished training run's folder.

  Returns:
    The loaded ModelBundle of <workdir>/model.keras.
  """
  path = pathlib.Path(workdir) / MODEL_FILENAME
  if not path.is_file():
    export_from_workdir(workdir)
  return exported.load_bundle(path)


def bundle_from_flags(args) -> ModelBundle:
  """The model named by add_model_flags' arguments.

  Used by the prediction CLI and the demo, which keep compiled functions on disk (it turns on
  jmer.inference.compilation_cache).

  Args:
    args: parsed arguments with `workdir` and `model` (either may be None).

  Returns:
    The loaded ModelBundle: the run's model, the named file or shipped model, or the default.

  Raises:
    ModelFileError naming the file when it cannot be used.
  """
  compilation_cache.enable()
  if args.workdir:
    return bundle_from_workdir(args.workdir)
  if reason := shipped.unknown_model_reason(args.model):
    raise ModelFileError(args.model, reason)
  return exported.load_bundle(shipped.resolve_model(args.model))


def bundle_for_command(args) -> ModelBundle | None:
  """bundle_from_flags for `jmer predict` and `jmer demo`: a model that cannot be used is told
  on stderr as one `error: <file>: <reason>` line.

  Args:
    args: parsed arguments with `workdir` and `model` (either may be None).

  Returns:
    The loaded ModelBundle, or None after printing the error (the command then exits 2).
  """
  try:
    return bundle_from_flags(args)
  except ModelFileError as error:
    print(f"error: {error}", file=sys.stderr)
    return None


add_model_flags = cli_args.add_model_flags  # where callers found it before cli_args


def main(argv=None, prog: str = "python -m jmer.export") -> int:
  """Exports a run's model and checks that the written file loads.

  Args:
    argv: the command-line arguments (default: sys.argv[1:]).
    prog: the program name shown in usage and error messages.

  Returns:
    The exit status: 0 on success, 1 when the run or the written file cannot be used or the
    output file exists (without --force: a run's model.keras is what its metrics were measured
    with, and a re-export from best.keras need not be the same file).
  """
  args = cli_args.parse(cli_args.export_parser(prog), argv)
  out = pathlib.Path(args.out or pathlib.Path(args.workdir) / MODEL_FILENAME).expanduser()
  if out.exists() and not args.force:
    print(f"error: {out} exists; not overwritten (pass --force to replace it, or --out to "
          "write elsewhere)", file=sys.stderr)
    return 1
  try:
    path = export_from_workdir(args.workdir, out)
    load_model_bundle(path)  # proves the file is usable before telling the user so
  except ModelFileError as error:
    print(f"error: {error}", file=sys.stderr)
    return 1
  print(f"Wrote {path}")
  return 0


if __name__ == "__main__":
  sys.exit(main())
