"""Command line: `python -m jmer.main --config=configs/mtl.py [--workdir=runs/mtl]`.

Parses flags and hands off to `train.train_and_evaluate`; nothing else lives here.
"""

import pathlib
import sys

from absl import app
from absl import logging
from absl import flags
from ml_collections import config_flags

import jmer  # noqa: F401  (selects the JAX backend before Keras loads)

_CONFIG = config_flags.DEFINE_config_file(
    "config", None, "Experiment config file, e.g. configs/mtl.py or configs/mtl.py:transformer.",
    lock_config=True)
_WORKDIR = flags.DEFINE_string(
    "workdir", None, "Where checkpoints, logs and results go (default: runs/<config name>). "
    "Rerunning with the same work dir resumes the run.")
_MODE = flags.DEFINE_enum(
    "mode", "train", ["train", "prepare"],
    "train: train and evaluate. prepare: check the dataset folders, print per-split/per-class "
    "counts and bad files, and build the feature cache (rerunning does nothing new).")


def default_workdir(config_arg: str) -> str:
  """runs/mtl for configs/mtl.py, runs/mtl_fused_transformer for configs/mtl.py:fused,transformer."""
  path, _, variant = config_arg.partition(":")
  name = pathlib.Path(path).stem + (f"_{variant.replace(',', '_')}" if variant else "")
  return str(pathlib.Path("runs") / name)


def main(argv):
  """Runs the mode; a user error (bad config, data folder, audio, NaN loss) prints one clear
  message instead of a traceback, unless --verbosity is given."""
  try:
    _run_mode(argv)
  except (ValueError, FileNotFoundError, FloatingPointError) as error:
    if flags.FLAGS["verbosity"].present:
      raise
    print(f"error: {error}\n(rerun with --verbosity=0 for the full traceback)", file=sys.stderr)
    sys.exit(1)


def _run_mode(argv):
  if len(argv) > 1:
    raise app.UsageError(f"Unexpected arguments: {argv[1:]}")
  if not flags.FLAGS["verbosity"].present:
    logging.set_verbosity(logging.WARNING)  # hide JAX's start-up INFO lines (no TPU found, ...)
  from jmer import config as config_lib
  config_lib.validate(_CONFIG.value)  # fail on a bad value before anything is imported or made
  if _MODE.value == "prepare":
    from jmer.data import prepare  # imported here so --help and config errors stay fast
    prepare.prepare(_CONFIG.value)
    return
  from jmer.training import train  # imported here so --help and config errors stay fast
  workdir = _WORKDIR.value or default_workdir(config_flags.get_config_filename(flags.FLAGS["config"]))
  if _CONFIG.value.eval.folds > 1:  # k-fold cross-validation: one run per fold, then mean ± std
    from jmer.training import crossval
    crossval.cross_validate(_CONFIG.value, workdir)
    return
  train.train_and_evaluate(_CONFIG.value, workdir)


def run():
  flags.mark_flag_as_required("config")
  app.run(main)


if __name__ == "__main__":
  run()
