"""What a run writes into its work dir, and the check that a work dir is resumed, not clobbered.

Layout of a work dir:
  config.json            the resolved config (written first; a rerun must match it)
  checkpoints/           best.keras (lowest val_loss), last.weights.h5 + state.json (resume)
  history.csv            per-epoch losses and metrics (appended across resumes)
  tensorboard/           TensorBoard event files
  model.keras            the best model with its feature settings and labels (for jmer.predict)
  metrics.json           test metrics + config + package versions + data description
  test_predictions.csv   one row per test track: true and predicted labels
  figures/*.png          confusion matrices, arousal–valence scatter, learning curves
"""

import importlib.metadata
import json
import os
import pathlib
import platform
import sys

from jmer.config import ConfigError

# Keys a rerun may change without starting a different experiment.
RESUMABLE_KEYS = ("train.epochs", "train.patience", "train.verbose", "eval.batch_size",
                  "data.cache_dir", "data.root", "features.workers")
PACKAGES = ("jmer", "keras", "jax", "jaxlib", "tensorflow-cpu", "tensorflow", "numpy", "librosa",
            "soundfile", "scikit-learn", "ml-collections", "tensorflow-datasets")


def write_json(path, obj):
  """Writes JSON atomically (temp file + rename), so a crash never leaves a truncated file."""
  path = pathlib.Path(path)
  path.parent.mkdir(parents=True, exist_ok=True)
  tmp = path.with_name(f".{path.name}.tmp")
  tmp.write_text(json.dumps(obj, indent=2, sort_keys=False, default=str) + "\n")
  os.replace(tmp, path)


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
  write_json(saved_path, new)
  return workdir


def package_versions() -> dict:
  versions = {"python": sys.version.split()[0], "platform": platform.platform()}
  for name in PACKAGES:
    try:
      versions[name] = importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
      pass
  return versions
