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
