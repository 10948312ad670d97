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
  .lock                  pid of the process using the dir (one run per work dir at a time;
                         jmer.training.workdir_lock)
"""

import contextlib
import errno
import json
import os
import pathlib

from jmer.config import provenance
from jmer.data import tracks as tracks_lib
from jmer.config import ConfigError
from jmer.data import features
from jmer.training.workdir_lock import WorkdirError, lock_workdir  # noqa: F401 (re-exported)

# Keys a rerun may change without starting a different experiment. The distribution keys are
# among them: a data-parallel step computes what the single-device step does
# (tests/training/test_distribution.py), so a run started on one device may resume on several.
RESUMABLE_KEYS = ("train.epochs", "train.patience", "train.verbose", "eval.batch_size",
                  "data.cache_dir", "data.root", "features.workers",
                  "distribution.data_parallel", "distribution.multi_host")


def prepare_workdir(workdir, config) -> pathlib.Path:
  """Creates the work dir, or checks that an existing one holds this same experiment.

  Args:
    workdir: the run's folder.
    config: the run's config; written to config.json.
  Returns:
    The work dir as a pathlib.Path.
  Raises:
    ConfigError if config.json there differs from `config` in a key outside RESUMABLE_KEYS.
  """
  workdir = pathlib.Path(workdir)
  saved_path = workdir / "config.json"
  new = json.loads(config.to_json())
  if saved_path.exists():
    old, now = (provenance.flatten(json.loads(saved_path.read_text())),
                provenance.flatten(new))
    differ = sorted(k for k in set(old) | set(now)
                    if old.get(k) != now.get(k) and k not in RESUMABLE_KEYS)
    if differ:
      raise ConfigError(
          f"{workdir} already holds a run with a different config ({', '.join(differ[:8])} "
          "differ). Pass a new --workdir to start another experiment; the existing run is kept.")
  workdir.mkdir(parents=True, exist_ok=True)
  provenance.write_json(saved_path, new)
  return workdir


TRAIN_TRACKS_FILE = "train_tracks.txt"


def write_train_tracks(workdir, tracks) -> pathlib.Path:
  """Writes the hashed song identities of a run's training tracks, one per line (atomically).

  Args:
    workdir: the run's folder.
    tracks: its training tracks.
  Returns:
    The path of the file written (TRAIN_TRACKS_FILE in `workdir`).
  """
  path = pathlib.Path(workdir) / TRAIN_TRACKS_FILE
  tmp = path.with_name(f".{path.name}.tmp")
  tmp.write_text("".join(f"{h}\n" for h in tracks_lib.identity_hashes(tracks)))
  os.replace(tmp, path)  # atomic, like every other file of the work dir
  return path


def read_train_tracks(run_dir):
  """The training-track hashes a run recorded with write_train_tracks.

  Args:
    run_dir: the run's folder.
  Returns:
    The set of hashes, or None when the run recorded none.
  """
  path = pathlib.Path(run_dir) / TRAIN_TRACKS_FILE
  return set(path.read_text().split()) if path.is_file() else None


def check_writable(folder, what: str) -> pathlib.Path:
  """Creates `folder` and proves a file can be written and renamed in it, before any work.

  Read-only mounts, missing permissions and a full disk then fail in seconds with the path
  named, instead of after the corpus build or the first epoch.

  Args:
    folder: the folder (~ is expanded).
    what: how to name it in the error, e.g. 'work dir'.
  Returns:
    The folder as a pathlib.Path.
  Raises:
    WorkdirError naming the folder and what to do.
  """
  folder = pathlib.Path(folder).expanduser()
  probe = folder / f".write-test-{os.getpid()}"
  try:
    folder.mkdir(parents=True, exist_ok=True)
    probe.with_suffix(".tmp").write_bytes(b"jmer")
    os.replace(probe.with_suffix(".tmp"), probe)
    probe.unlink()
  except OSError as error:
    reason = os.strerror(error.errno) if error.errno else str(error)
    hint = {errno.ENOSPC: "free some disk space", errno.EDQUOT: "free some disk space"}.get(
        error.errno, "choose a writable folder")
    raise WorkdirError(f"the {what} {folder} is not writable ({reason}); {hint}.") from None
  return folder


@contextlib.contextmanager
def claim_workdir(workdir, config):
  """Everything a run does before its first write, as a context manager.

  Checks that the cache dir and work dir are writable, that no other process uses the work dir
  (locked until the block ends), and that the config matches a run already there.

  Args:
    workdir: the run's folder.
    config: the run's config.
  Yields:
    The work dir as a pathlib.Path (see prepare_workdir).
  """
  check_writable(features.default_cache_root(config), "cache dir (config.data.cache_dir)")
  check_writable(workdir, "work dir")
  with lock_workdir(workdir):
    yield prepare_workdir(workdir, config)
