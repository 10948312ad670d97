"""A run's checkpoint dir: files committed under their SHA-256, loaded only when verified.

Checkpoints survive kill -9 at any instant: each epoch's files are written under temporary
names (`stage`), then state.json (atomic) records the epoch with each file's SHA-256 (the commit
point), then the files are renamed into place (`commit`). A load rolls a committed rename
forward, and a file that matches neither its checksum nor a staged copy is reported
(CheckpointError), never loaded. What a resume reads from the state (`training_finished`,
`check_same_data`) lives here too.
"""

import hashlib
import json
import os
import pathlib

from jmer.config import provenance
from jmer.data import tracks as tracks_lib

BEST, LAST = "best.keras", "last.weights.h5"


class CheckpointError(ValueError):
  """A checkpoint file is truncated or corrupt; the message names it and what to do."""


def _staged_path(path: pathlib.Path) -> pathlib.Path:
  return path.with_name(f"tmp-{path.name}")  # keeps the extension Keras checks for


def stage(save, path: pathlib.Path) -> pathlib.Path:
  """Saves a checkpoint file under a temporary name beside `path`, for `commit` to rename.

  Args:
    save: a function writing the file to the path it is given (e.g. model.save_weights).
    path: where the file goes once committed.
  Returns:
    The temporary (staged) path `save` wrote.
  """
  tmp = _staged_path(path)
  save(str(tmp))
  return tmp


def _sha256(path: pathlib.Path) -> str:
  digest = hashlib.sha256()
  with open(path, "rb") as fh:
    for chunk in iter(lambda: fh.read(1 << 20), b""):
      digest.update(chunk)
  return digest.hexdigest()


def _settle_files(checkpoint_dir: pathlib.Path, state: dict):
  """Makes every file state.json names match its checksum, or raises CheckpointError."""
  for name, expected in state.get("sha256", {}).items():
    path, staged = checkpoint_dir / name, _staged_path(checkpoint_dir / name)
    if path.exists() and _sha256(path) == expected:
      continue
    if staged.exists() and _sha256(staged) == expected:  # killed between commit and rename
      os.replace(staged, path)
      continue
    raise CheckpointError(
        f"{path} is {'missing' if not path.exists() else 'truncated or corrupt'} (its SHA-256 "
        f"does not match {checkpoint_dir / 'state.json'}). Restore it, or delete "
        f"{checkpoint_dir} to train this run again from scratch.")


def load_state(checkpoint_dir):
  """The resume state, with its checkpoint files verified.

  Args:
    checkpoint_dir: the run's checkpoints/ folder.
  Returns:
    state.json's content ({'epoch', 'best_epoch', 'best_val_loss', 'stopped_early', 'sha256',
    ...}), or None before the first committed epoch.
  Raises:
    CheckpointError if state.json is corrupt or a file it names fails its SHA-256 check.
  """
  checkpoint_dir = pathlib.Path(checkpoint_dir)
  path = checkpoint_dir / "state.json"
  if not path.exists():
    return None
  try:
    state = json.loads(path.read_text())
  except ValueError:
    raise CheckpointError(f"{path} is not valid JSON (corrupt); delete {checkpoint_dir} to "
                          "train this run again from scratch.") from None
  _settle_files(checkpoint_dir, state)
  return state


def commit(checkpoint_dir, state: dict, staged: dict):
  """Commits an epoch: state.json (with the staged files' SHA-256 added) is written atomically,
  then each staged file is renamed into place.

  Args:
    checkpoint_dir: the run's checkpoints/ folder.
    state: the resume state to record (updated in place with the checksums).
    staged: {file name: its staged path} from `stage`.
  Returns:
    None.
  """
  checkpoint_dir = pathlib.Path(checkpoint_dir)
  state["sha256"] = {**state.get("sha256", {}),
                     **{name: _sha256(tmp) for name, tmp in staged.items()}}
  provenance.write_json(checkpoint_dir / "state.json", state)  # the commit point
  for name, tmp in staged.items():
    os.replace(tmp, checkpoint_dir / name)


def check_same_data(state, data_fingerprint, checkpoint_dir):
  """Refuses to resume a run on different data.

  data.root may change on resume, and source='auto' resolves by what exists, so the data a
  checkpoint was trained on is compared with the data found now.

  Args:
    state: load_state's result (None for a fresh run).
    data_fingerprint: the data's fingerprint now (RunData.description['fingerprint']).
    checkpoint_dir: the checkpoints/ folder, named in the error.
  Returns:
    None.
  Raises:
    ValueError naming what changed.
  """
  old = (state or {}).get("data")
  if old is None:  # a fresh run, or one from before fingerprints were stored
    return
  changes = tracks_lib.fingerprint_changes(old, data_fingerprint)
  if changes:
    raise ValueError(
        f"{checkpoint_dir} holds a run trained on other data: {'; '.join(changes)} changed. "
        "Resume it with the data it started on (check data.root and JMER_DATA), or pass a new "
        "--workdir.")


def training_finished(state, epochs: int) -> bool:
  """Whether a run needs no more training.

  Args:
    state: load_state's result (None before the first epoch).
    epochs: the configured number of epochs (config.train.epochs).
  Returns:
    True once `epochs` epochs are done or training stopped early.
  """
  return bool(state) and (state["stopped_early"] or state["epoch"] >= epochs)
