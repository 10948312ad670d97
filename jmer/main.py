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
  workdir = pathlib.Path(_WORKDIR.value or default_workdir(
      config_flags.get_config_filename(flags.FLAGS["config"])))
  existed = workdir.exists()
  try:
    _run_mode(argv, workdir)
  except (ValueError, FileNotFoundError, FloatingPointError) as error:
    if not existed:
      _remove_unstarted(workdir)
    if flags.FLAGS["verbosity"].present:
      raise
    print(f"error: {error}\n(rerun with --verbosity=0 for the full traceback)", file=sys.stderr)
    sys.exit(1)


def _remove_unstarted(workdir: pathlib.Path):
  """Removes a work dir this process made before a data or config error stopped the run: one
  holding nothing but its config.json would otherwise look like a run to resume."""
  if workdir.is_dir() and {p.name for p in workdir.iterdir()} <= {"config.json"}:
    (workdir / "config.json").unlink(missing_ok=True)
    workdir.rmdir()


def _run_mode(argv, workdir: pathlib.Path):
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
  if _CONFIG.value.eval.folds > 1:  # k-fold cross-validation: one run per fold, then mean ± std
    from jmer.training import crossval
    crossval.cross_validate(_CONFIG.value, workdir)
    return
  train.train_and_evaluate(_CONFIG.value, workdir)


def parse_flags(argv):
  """absl's flag parsing, but a bad or unknown `--config.<key>` is one `error: …` line naming
  the key and exit code 1, not absl's FATAL banner or a traceback from ml_collections."""
  try:
    return flags.FLAGS(argv)
  except (flags.Error, AttributeError, KeyError, TypeError, ValueError) as error:
    message = " ".join(str(error).replace("\\n", " ").replace("\\'", "'").split())
    unknown = next((arg.split("=")[0] for arg in argv[1:] if arg.startswith("--config.")
                    and isinstance(error, (AttributeError, KeyError))
                    and f"'{arg.split('=')[0].rsplit('.', 1)[-1]}'" in message), None)
    if unknown:  # ml_collections' message: "'key' Did you mean "other" instead of "key"?"
      message = f"{unknown}: no such config key ({message.split(' ', 1)[-1].strip(chr(39))})"
    elif isinstance(error, flags.UnrecognizedFlagError):
      message = f"--{error.flagname}: no such config key"
    print(f"error: {message}", file=sys.stderr)
    sys.exit(1)


def run():
  flags.mark_flag_as_required("config")
  app.run(main, flags_parser=parse_flags)


if __name__ == "__main__":
  run()
