"""Training callbacks: checkpoints with resumable early stopping, epoch seeding, NaN guard.

None of them hooks a training batch: a callback with `on_train_batch_end` makes Keras turn the
logs into Python floats after every step, a host sync that stops JAX from dispatching the next
step while the current one runs. NaN is caught from the epoch's mean loss instead (any NaN step
makes it NaN), and TensorBoard writes per epoch.

Checkpoints survive kill -9 at any instant: each epoch's files are written under temporary
names, then state.json (atomic) records the epoch with each file's SHA-256 (the commit point),
then the files are renamed into place. A load rolls a committed rename forward, and a file that
matches neither its checksum nor a staged copy is reported (CheckpointError), never loaded.
"""

import csv
import hashlib
import json
import math
import os
import pathlib

import keras
import numpy as np

from jmer import run_record
from jmer.data import tracks as tracks_lib


class CheckpointAndResume(keras.callbacks.Callback):
  """Saves best.keras (lowest val_loss) and last.weights.h5 + state.json after every epoch.

  Keras' EarlyStopping/ModelCheckpoint/BackupAndRestore each keep their own state in memory and
  lose it on restart; keeping best-so-far, patience and epoch in one state file means a resumed
  run stops, and picks its best model, exactly as an uninterrupted one would.
  """

  def __init__(self, checkpoint_dir, patience: int, epochs: int, data_fingerprint=None,
               select_on: str = "val_loss"):
    super().__init__()
    self.dir = pathlib.Path(checkpoint_dir)
    self.patience, self.epochs, self.select_on = patience, epochs, select_on
    self.state = load_state(self.dir) or dict(epoch=0, best_val_loss=None, best_epoch=None,
                                               wait=0, stopped_early=False)
    if data_fingerprint is not None:  # what check_same_data compares on the next resume
      self.state.setdefault("data", data_fingerprint)
    self.nan_at = None

  def on_train_begin(self, logs=None):
    # Dropout's random state is not in the weights file; without it a resumed run would draw
    # the masks of epoch 1 again and end with different metrics than an uninterrupted run.
    saved = self.state.get("seed_states")
    variables = _seed_state_variables(self.model)
    if saved and len(saved) == len(variables):
      for variable, value in zip(variables, saved):
        variable.assign(np.asarray(value, dtype=variable.dtype))

  def on_epoch_end(self, epoch, logs=None):
    logs = logs or {}
    if not math.isfinite(float(logs.get("loss", math.nan))):
      self.nan_at = (epoch + 1, None)
      self.model.stop_training = True
      return  # keep the last good checkpoint
    val_loss = float(logs.get("val_loss", logs["loss"]))
    best = self.state["best_val_loss"]
    self.dir.mkdir(parents=True, exist_ok=True)
    staged = {}
    if best is None or val_loss < best or self.select_on == "last":  # 'last': a fixed budget
      self.state.update(best_val_loss=val_loss, best_epoch=epoch + 1, wait=0)
      staged[BEST] = _stage(self.model.save, self.dir / BEST)
    else:
      self.state["wait"] += 1
    if self.state["wait"] >= self.patience and self.select_on == "val_loss":
      self.state["stopped_early"] = True
      self.model.stop_training = True
      print(f"Early stopping after epoch {epoch + 1}: val_loss has not improved for "
            f"{self.patience} epochs (best {self.state['best_val_loss']:.4f} at epoch "
            f"{self.state['best_epoch']}).")
    self.state["epoch"] = epoch + 1
    staged[LAST] = _stage(self.model.save_weights, self.dir / LAST)
    self.state["seed_states"] = [np.asarray(v).tolist()
                                 for v in _seed_state_variables(self.model)]
    self.state["sha256"] = {**self.state.get("sha256", {}),
                            **{name: _sha256(tmp) for name, tmp in staged.items()}}
    run_record.write_json(self.dir / "state.json", self.state)  # the commit point
    for name, tmp in staged.items():
      os.replace(tmp, self.dir / name)


BEST, LAST = "best.keras", "last.weights.h5"


def _seed_state_variables(model) -> list:
  """The random-state variables of the model's SeedGenerators (dropout masks)."""
  return [v for v in model.variables if v.path.endswith("seed_generator_state")]


class CheckpointError(ValueError):
  """A checkpoint file is truncated or corrupt; the message names it and what to do."""


def _staged_path(path: pathlib.Path) -> pathlib.Path:
  return path.with_name(f"tmp-{path.name}")  # keeps the extension Keras checks for


def _stage(save, path: pathlib.Path) -> pathlib.Path:
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
  """The resume state, with its checkpoint files verified; None before the first epoch."""
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


class HistoryLogger(keras.callbacks.CSVLogger):
  """CSVLogger that first drops the rows of epochs a resumed run will redo (and any line
  half-written by a killed process), so history.csv holds each epoch exactly once."""

  def __init__(self, path, initial_epoch: int):
    super().__init__(str(path), append=True)
    self.path, self.initial_epoch = pathlib.Path(path), initial_epoch

  def on_train_begin(self, logs=None):
    if self.path.exists():
      with open(self.path, newline="") as fh:
        rows = list(csv.reader(fh))
      kept = rows[:1] + [r for r in rows[1:] if len(r) == len(rows[0]) and r[0].isdigit()
                         and int(r[0]) < self.initial_epoch]
      tmp = self.path.with_name(f".{self.path.name}.tmp")
      with open(tmp, "w", newline="") as fh:
        csv.writer(fh).writerows(kept if len(kept) > 1 else [])
      os.replace(tmp, self.path)
    super().on_train_begin(logs)


def check_same_data(state, data_fingerprint, checkpoint_dir):
  """Refuses to resume a run on different data (data.root may change on resume, and
  source='auto' resolves by what exists); the error names what changed."""
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
  return bool(state) and (state["stopped_early"] or state["epoch"] >= epochs)


class SeedEpoch(keras.callbacks.Callback):
  """Tells the training stream which epoch starts, so each epoch's draw is seeded by it."""

  def __init__(self, stream):
    super().__init__()
    self.stream = stream

  def on_epoch_begin(self, epoch, logs=None):
    self.stream.epoch = epoch


class EpochTensorBoard(keras.callbacks.TensorBoard):
  """TensorBoard writing once per epoch, marked safe for Keras' asynchronous batch dispatch.

  Keras' TensorBoard defines batch hooks (for batch-level summaries and profiling), which alone
  turn off asynchronous dispatch; with update_freq='epoch' and no profiling they do nothing that
  needs the step's results.
  """
  async_safe = True

  def __init__(self, log_dir, **kwargs):
    super().__init__(log_dir, update_freq="epoch", profile_batch=0, **kwargs)
