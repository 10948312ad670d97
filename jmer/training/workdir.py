"""What a run writes into its work dir, and the check that a work dir is resumed, not clobbered.

Layout of a work dir:
  config.json            the resolved config (written first; a rerun must match it)
  checkpoints/           best.keras (lowest val_loss), last.weights.h5 + state.json (resume)
  history.csv            per-epoch losses and metrics (appended across resumes)
  tensorboard/           TensorBoard event files
  model.keras            the best model with its feature settings and labels (for jmer.inference.predict)
  metrics.json           test metrics + config + package versions + data description
  train_tracks.txt       hashes of the training tracks' song identities (leakage checks of runs
                         that start from this one: jmer.training.transfer)
  test_predictions.csv   one row per test track: true and predicted labels
  figures/*.png          confusion matrices, arousal–valence scatter, learning curves
"""

import json
import pathlib

from jmer import run_record
from jmer.data import tracks as tracks_lib
from jmer.config import ConfigError

# Keys a rerun may change without starting a different experiment.
RESUMABLE_KEYS = ("train.epochs", "train.patience", "train.verbose", "eval.batch_size",
                  "data.cache_dir", "data.root", "features.workers")


def _flatten(d, prefix=""):
  out = {}
  for k, v in d.items():
    if isinstance(v, dict):
      out.update(_flatten(v, f"{prefix}{k}."))
    else:
      out[f"{prefix}{k}"] = list(v) if isinstance(v, tuple) else v
  return out


def prepare_workdir(workdir, config) -> pathlib.Path:
  """Creates the work dir, or checks that an existing one holds this same experiment."""
  workdir = pathlib.Path(workdir)
  saved_path = workdir / "config.json"
  new = json.loads(config.to_json())
  if saved_path.exists():
    old = _flatten(json.loads(saved_path.read_text()))
    differ = sorted(k for k in set(old) | set(_flatten(new))
                    if old.get(k) != _flatten(new).get(k) and k not in RESUMABLE_KEYS)
    if differ:
      raise ConfigError(
          f"{workdir} already holds a run with a different config ({', '.join(differ[:8])} "
          "differ). Pass a new --workdir to start another experiment; the existing run is kept.")
  workdir.mkdir(parents=True, exist_ok=True)
  run_record.write_json(saved_path, new)
  return workdir


TRAIN_TRACKS_FILE = "train_tracks.txt"


def write_train_tracks(workdir, tracks) -> pathlib.Path:
  """Writes the hashed song identities of a run's training tracks, one per line."""
  path = pathlib.Path(workdir) / TRAIN_TRACKS_FILE
  path.write_text("".join(f"{h}\n" for h in tracks_lib.identity_hashes(tracks)))
  return path


def read_train_tracks(run_dir):
  """The set of training-track hashes a run recorded, or None when it recorded none."""
  path = pathlib.Path(run_dir) / TRAIN_TRACKS_FILE
  return set(path.read_text().split()) if path.is_file() else None
