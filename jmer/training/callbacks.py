"""Keras callbacks: checkpoints with resumable early stopping, epoch seeding, NaN guard,
history and TensorBoard logging.

None of them hooks a training batch: a callback with `on_train_batch_end` makes Keras turn the
logs into Python floats after every step, a host sync that stops JAX from dispatching the next
step while the current one runs. NaN is caught from the epoch's mean loss instead (any NaN step
makes it NaN), and TensorBoard writes per epoch.

Checkpoint files are written and committed through jmer.training.checkpoints, which makes
them survive kill -9 at any instant.
"""

import csv
import math
import os
import pathlib

import keras
import numpy as np

from jmer.training import checkpoints


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
    self.state = checkpoints.load_state(self.dir) or dict(
        epoch=0, best_val_loss=None, best_epoch=None, wait=0, stopped_early=False)
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
      best_file = self.dir / checkpoints.BEST
      staged[checkpoints.BEST] = checkpoints.stage(self.model.save, best_file)
    else:
      self.state["wait"] += 1
    if self.state["wait"] >= self.patience and self.select_on == "val_loss":
      self.state["stopped_early"] = True
      self.model.stop_training = True
      print(f"Early stopping after epoch {epoch + 1}: val_loss has not improved for "
            f"{self.patience} epochs (best {self.state['best_val_loss']:.4f} at epoch "
            f"{self.state['best_epoch']}).")
    self.state["epoch"] = epoch + 1
    last_file = self.dir / checkpoints.LAST
    staged[checkpoints.LAST] = checkpoints.stage(self.model.save_weights, last_file)
    self.state["seed_states"] = [np.asarray(v).tolist()
                                 for v in _seed_state_variables(self.model)]
    checkpoints.commit(self.dir, self.state, staged)


def _seed_state_variables(model) -> list:
  """The random-state variables of the model's SeedGenerators (dropout masks)."""
  return [v for v in model.variables if v.path.endswith("seed_generator_state")]


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
