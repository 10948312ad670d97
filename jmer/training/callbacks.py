"""Training callbacks: checkpoints with resumable early stopping, epoch seeding, NaN guard."""

import json
import math
import os
import pathlib

import keras

from jmer import run_record
from jmer.data import tracks as tracks_lib


class CheckpointAndResume(keras.callbacks.Callback):
  """Saves best.keras (lowest val_loss) and last.weights.h5 + state.json after every epoch.

  Keras' EarlyStopping/ModelCheckpoint/BackupAndRestore each keep their own state in memory and
  lose it on restart; keeping best-so-far, patience and epoch in one state file means a resumed
  run stops, and picks its best model, exactly as an uninterrupted one would.
  """

  def __init__(self, checkpoint_dir, patience: int, epochs: int, data_fingerprint=None):
    super().__init__()
    self.dir = pathlib.Path(checkpoint_dir)
    self.patience, self.epochs = patience, epochs
    self.state = load_state(self.dir) or dict(epoch=0, best_val_loss=None, best_epoch=None,
                                               wait=0, stopped_early=False)
    if data_fingerprint is not None:  # what check_same_data compares on the next resume
      self.state.setdefault("data", data_fingerprint)
    self.nan_at = None

  def on_train_batch_end(self, batch, logs=None):
    loss = (logs or {}).get("loss")
    if loss is not None and not math.isfinite(float(loss)):
      self.nan_at = (self.state["epoch"] + 1, batch + 1)
      self.model.stop_training = True

  def on_epoch_end(self, epoch, logs=None):
    logs = logs or {}
    if self.nan_at or not math.isfinite(float(logs.get("loss", math.nan))):
      self.nan_at = self.nan_at or (epoch + 1, None)
      self.model.stop_training = True
      return  # keep the last good checkpoint
    val_loss = float(logs.get("val_loss", logs["loss"]))
    best = self.state["best_val_loss"]
    self.dir.mkdir(parents=True, exist_ok=True)
    if best is None or val_loss < best:
      self.state.update(best_val_loss=val_loss, best_epoch=epoch + 1, wait=0)
      _save_atomic(self.model.save, self.dir / "best.keras")
    else:
      self.state["wait"] += 1
    if self.state["wait"] >= self.patience:
      self.state["stopped_early"] = True
      self.model.stop_training = True
      print(f"Early stopping after epoch {epoch + 1}: val_loss has not improved for "
            f"{self.patience} epochs (best {self.state['best_val_loss']:.4f} at epoch "
            f"{self.state['best_epoch']}).")
    self.state["epoch"] = epoch + 1
    _save_atomic(self.model.save_weights, self.dir / "last.weights.h5")
    run_record.write_json(self.dir / "state.json", self.state)


def _save_atomic(save, path: pathlib.Path):
  tmp = path.with_name(f"tmp-{path.name}")  # keeps the extension Keras checks for
  save(str(tmp))
  os.replace(tmp, path)


def load_state(checkpoint_dir):
  path = pathlib.Path(checkpoint_dir) / "state.json"
  return json.loads(path.read_text()) if path.exists() else None


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
