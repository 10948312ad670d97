"""Training callbacks: no per-step host sync, NaN caught per epoch, resumable state."""

import math

import keras
import pytest

from jmer.training import callbacks as callbacks_lib


class _Model:
  stop_training = False


def _train_callbacks(tmp_path):
  class Stream:
    epoch = 0
  return [callbacks_lib.SeedEpoch(Stream()),
          callbacks_lib.CheckpointAndResume(tmp_path / "ckpt", patience=3, epochs=5),
          keras.callbacks.CSVLogger(str(tmp_path / "history.csv")),
          callbacks_lib.EpochTensorBoard(str(tmp_path / "tb"), write_graph=False)]


def test_the_trainers_callbacks_keep_keras_dispatch_asynchronous(tmp_path):
  # Asynchronous dispatch is what lets JAX queue step n+1 while step n runs; one callback with a
  # batch hook (the old per-batch NaN check, Keras' TensorBoard) turns it off for all.
  assert keras.callbacks.CallbackList(_train_callbacks(tmp_path))._async_train
  with_keras_tensorboard = _train_callbacks(tmp_path)[:-1] + [
      keras.callbacks.TensorBoard(str(tmp_path / "tb2"))]
  assert not keras.callbacks.CallbackList(with_keras_tensorboard)._async_train


@pytest.mark.parametrize("loss", [math.nan, math.inf])
def test_a_non_finite_epoch_loss_stops_training_and_keeps_the_last_checkpoint(tmp_path, loss):
  checkpointer = callbacks_lib.CheckpointAndResume(tmp_path, patience=3, epochs=5)
  checkpointer.set_model(_Model())
  checkpointer.on_epoch_end(2, {"loss": loss, "val_loss": 1.0})
  assert checkpointer.nan_at == (3, None)
  assert checkpointer.model.stop_training
  assert not (tmp_path / "state.json").exists()  # nothing written over the last good state
