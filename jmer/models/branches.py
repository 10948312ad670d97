"""One input and stem per feature: the part of the model that knows a feature's shape."""

import keras
import numpy as np


def feature_branch(name: str, frames: int, bins: int, mean=None, variance=None):
  """(input, normalised (frames, bins) tensor) for one feature.

  Normalisation statistics come from the training split and are stored in the model, so a
  saved model normalises new audio exactly as in training with no extra files.
  """
  inputs = keras.Input(shape=(frames, bins), name=name)
  if mean is None:
    mean, variance = np.zeros(bins, np.float32), np.ones(bins, np.float32)
  x = keras.layers.Normalization(axis=-1, mean=mean, variance=variance,
                                 name=f"{name}_normalize")(inputs)
  return inputs, x


def projection_stem(x, name: str, width: int):
  """Projects every frame's bins to a common width, so branches can share one trunk."""
  return keras.layers.Dense(width, name=f"{name}_stem")(x)
