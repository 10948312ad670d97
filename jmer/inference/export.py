"""Exports the best checkpoint of a finished run as a self-describing model file:

  python -m jmer.export --workdir=runs/mtl [--out=model.keras]

for runs trained before every run exported `model.keras` itself; also how the prediction CLI
and the demo find the model a user names (--workdir or --model).
"""

import json
import pathlib
import sys

import ml_collections

from jmer.inference import cli_args
from jmer.inference import compilation_cache
from jmer.inference import shipped
from jmer.models.model_file import MODEL_FILENAME
from jmer.models.model_file import ModelBundle
from jmer.models.model_file import ModelFileError
from jmer.models.model_file import export_model
from jmer.models.model_file import load_model_bundle


def export_from_workdir(workdir, out=None, extra: dict | None = None) -> pathlib.Path:
  """Writes `model.keras` for a run from its best checkpoint, config and reported genres;
  `extra` adds metadata fields (model_file.export_model)."""
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
  """The run's exported model; exports it first for runs that predate automatic export."""
  path = pathlib.Path(workdir) / MODEL_FILENAME
  if not path.is_file():
    export_from_workdir(workdir)
  return load_model_bundle(path)


def bundle_from_flags(args) -> ModelBundle:
  """The model named by add_model_flags' arguments; raises ModelFileError naming the file.
  Used by the prediction CLI and the demo, which keep compiled functions on disk."""
  compilation_cache.enable()
  if args.workdir:
    return bundle_from_workdir(args.workdir)
  return load_model_bundle(shipped.resolve_model(args.model))


add_model_flags = cli_args.add_model_flags  # where callers found it before cli_args


def main(argv=None, prog: str = "python -m jmer.export") -> int:
  args = cli_args.parse(cli_args.export_parser(prog), argv)
  try:
    path = export_from_workdir(args.workdir, args.out)
    load_model_bundle(path)  # proves the file is usable before telling the user so
  except ModelFileError as error:
    print(f"error: {error}", file=sys.stderr)
    return 1
  print(f"Wrote {path}")
  return 0


if __name__ == "__main__":
  sys.exit(main())
