"""BlockMaxPooling2D: the CRNN's max pooling without XLA's select-and-scatter gradient."""

import jax
import keras
import numpy as np
import pytest

from jmer import config as config_lib
from jmer.models import pooling
from jmer.models import trunks


@pytest.mark.parametrize("shape, pool", [((3, 8, 6, 2), (2, 2)), ((2, 7, 5, 3), (2, 2)),
                                         ((2, 9, 13, 1), (4, 3)), ((1, 5, 4, 2), (1, 4))])
def test_outputs_and_gradients_match_keras_max_pooling(shape, pool):
  # Sides the pool does not divide exercise the "same" padding (before and after); distinct values make the argmax unique,
  # so the gradients must agree exactly too.
  x = np.random.default_rng(0).permutation(np.prod(shape)).reshape(shape).astype(np.float32)
  x -= x.size  # all negative: zero padding (instead of -inf) would win the max and be caught
  block = pooling.BlockMaxPooling2D(pool)
  keras_pool = keras.layers.MaxPooling2D(pool, padding="same")
  np.testing.assert_array_equal(block(x), keras_pool(x))
  assert block.compute_output_shape(shape) == keras_pool(x).shape
  upstream = np.random.default_rng(1).normal(size=keras_pool(x).shape).astype(np.float32)
  grad = lambda layer: jax.grad(lambda v: (layer(v) * upstream).sum())(x)
  np.testing.assert_array_equal(grad(block), grad(keras_pool))


def test_config_round_trip():
  layer = pooling.BlockMaxPooling2D((2, 4), name="p")
  clone = keras.layers.deserialize(keras.layers.serialize(layer))
  assert isinstance(clone, pooling.BlockMaxPooling2D)
  assert clone.pool_size == (2, 4) and clone.name == "p"


@pytest.mark.slow
def test_crnn_gradient_has_no_select_and_scatter():
  # The reason the layer exists: max pooling's reduce-window gradient is a scatter that XLA's
  # CPU backend runs slowly. The default CRNN's gradient must not contain one.
  config = config_lib.validate(config_lib.base_config())
  trunk = trunks.trunk_from_config(config.model, (431, 128), "mel_crnn")
  x = np.zeros((2, 431, 128), np.float32)

  def loss(trainable):
    outputs, _ = trunk.stateless_call(trainable, trunk.non_trainable_variables, x, training=True)
    return outputs.sum()
  hlo = jax.jit(jax.grad(loss)).lower([v.value for v in trunk.trainable_variables]).as_text()
  assert "reduce_window" not in hlo and "select_and_scatter" not in hlo
  assert "convolution" in hlo  # the lowering was inspected, not an empty program
