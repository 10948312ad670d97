"""Max pooling over non-overlapping blocks, as a reshape and a max.

Keras' MaxPooling2D lowers to XLA's reduce-window, whose gradient (select-and-scatter) XLA's CPU
backend runs as a slow scatter, a large share of the CRNN's training step. When the window
equals the stride (the CRNN's pooling), max pooling is just a max over a reshaped tensor, whose
gradient is a cheap elementwise mask. Same outputs and gradients as
MaxPooling2D(pool, padding="same") (tests/models/test_pooling.py); the speed-up is measured in
docs/performance.md, "Benchmarks".
"""

import keras
from keras import layers
from keras import ops


@keras.saving.register_keras_serializable(package="jmer")
class BlockMaxPooling2D(layers.Layer):
  """MaxPooling2D(pool_size, strides=pool_size, padding="same") for channels-last input.

  A side that the pool does not divide is padded as TensorFlow's "same" padding does (half the
  shortfall before, the rest after) with -inf, which never wins the max.
  """

  def __init__(self, pool_size, **kwargs):
    super().__init__(**kwargs)
    self.pool_size = tuple(int(p) for p in pool_size)

  def call(self, x):
    (pt, pf), (time, freq, channels) = self.pool_size, x.shape[1:]
    out_t, out_f = self._pooled(time, pt), self._pooled(freq, pf)
    short_t, short_f = out_t * pt - time, out_f * pf - freq
    pad = ((0, 0), (short_t // 2, short_t - short_t // 2), (short_f // 2, short_f - short_f // 2),
           (0, 0))
    if short_t or short_f:
      x = ops.pad(x, pad, constant_values=float("-inf"))
    x = ops.reshape(x, (-1, out_t, pt, out_f, pf, channels))
    return ops.max(x, axis=(2, 4))

  @staticmethod
  def _pooled(size, pool):
    return -(-size // pool)

  def compute_output_shape(self, input_shape):
    batch, time, freq, channels = input_shape
    return (batch, self._pooled(time, self.pool_size[0]), self._pooled(freq, self.pool_size[1]),
            channels)

  def get_config(self):
    return {**super().get_config(), "pool_size": self.pool_size}


@keras.saving.register_keras_serializable(package="jmer")
class WindowStatistics(layers.Layer):
  """(frames, bins) -> (frames // window, 2 * bins): each window's mean and standard deviation.

  Summarises a frame-rate feature (log-mel, MFCC, chroma) at the rate of the pretrained
  network's patches, so a trunk over rows can read it beside their embeddings at a fraction of
  a frame-rate CRNN's cost. The frames after the last whole window are dropped.
  """

  def __init__(self, window, **kwargs):
    super().__init__(**kwargs)
    self.window = int(window)

  def call(self, x):
    frames, bins = x.shape[1:]
    rows = frames // self.window
    x = ops.reshape(x[:, :rows * self.window], (-1, rows, self.window, bins))
    mean = ops.mean(x, axis=2)
    spread = ops.sqrt(ops.maximum(ops.mean(ops.square(x), axis=2) - ops.square(mean), 0.0) + 1e-6)
    return ops.concatenate([mean, spread], axis=-1)

  def compute_output_shape(self, input_shape):
    batch, frames, bins = input_shape
    return (batch, frames // self.window, 2 * bins)

  def get_config(self):
    return {**super().get_config(), "window": self.window}
