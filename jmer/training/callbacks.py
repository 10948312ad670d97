"""Training callbacks: checkpoints with resumable early stopping, epoch seeding, NaN guard."""

import json
import math
import os
import pathlib

import keras

from jmer import run_record


class CheckpointAndResume(keras.callbacks.Callback):
  """Saves best.keras and last.weights.h5 + state.json after every epoch.

  "Best" follows `select_on` (config.train.select_on): 'val_loss' keeps the lowest val_loss and
  stops early after `patience` epochs without improvement; 'last' keeps the latest epoch and
  never stops early (a fixed epoch budget).

  Keras' EarlyStopping/ModelCheckpoint/BackupAndRestore each keep their own state in memory and
  lose it on restart; keeping best-so-far, patience and epoch in one state file means a resumed
  run stops, and picks its best model, exactly as an uninterrupted one would.
  """

  def __init__(self, checkpoint_dir, patience: int, epochs: int, select_on: str = "val_loss"):
    super().__init__()
    self.dir = pathlib.Path(checkpoint_dir)
    self.patience, self.epochs, self.select_on = patience, epochs, select_on
    self.state = load_state(self.dir) or dict(epoch=0, best_val_loss=None, best_epoch=None,
                                               wait=0, stopped_early=False)
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
    if best is None or val_loss < best or self.select_on == "last":
      self.state.update(best_val_loss=val_loss, best_epoch=epoch + 1, wait=0)
      _save_atomic(self.model.save, self.dir / "best.keras")
    else:
      self.state["wait"] += 1
    if self.state["wait"] >= self.patience and self.select_on == "val_loss":
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


def training_finished(state, epochs: int) -> bool:
  return bool(state) and (state["stopped_early"] or state["epoch"] >= epochs)


class SeedEpoch(keras.callbacks.Callback):
  """Tells the training stream which epoch starts, so each epoch's draw is seeded by it."""

  def __init__(self, stream):
    super().__init__()
    self.stream = stream

  def on_epoch_begin(self, epoch, logs=None):
    self.stream.epoch = epoch
