"""One input and stem per feature: the part of the model that knows a feature's shape."""

import keras
import numpy as np

from jmer.data import musicnn_input
from jmer.pretrained import networks

# The name of the pretrained network inside a fine-tuned branch: '<feature>_network'. Its
# variables are the ones the optimizer updates at model.pretrained.learning_rate_scale.
PRETRAINED_NETWORK_SUFFIX = "_network"


def feature_branch(name: str, frames: int, bins: int, mean=None, variance=None,
                   normalize: bool = True):
  """(input, normalised (frames, bins) tensor) for one feature.

  Normalisation statistics come from the training split and are stored in the model, so a
  saved model normalises new audio exactly as in training with no extra files. normalize=False
  passes the input on as it is (the fine-tuned musicnn network has its own input batch norm,
  trained on the raw log-mel).

  Args:
    name: the feature's name; the input is named after it.
    frames: rows of the input (frames of a segment, or patches).
    bins: the feature's width.
    mean: the per-bin training mean, (bins,).
    variance: the per-bin training variance, (bins,).
    normalize: normalise by mean and variance.

  Returns:
    (keras.Input of shape (frames, bins), the tensor the branch continues from).
  """
  inputs = keras.Input(shape=(frames, bins), name=name)
  if not normalize:
    return inputs, inputs
  if mean is None:
    mean, variance = np.zeros(bins, np.float32), np.ones(bins, np.float32)
  x = keras.layers.Normalization(axis=-1, mean=mean, variance=variance,
                                 name=f"{name}_normalize")(inputs)
  return inputs, x


def projection_stem(x, name: str, width: int):
  """Projects every frame's bins to a common width, so branches can share one trunk.

  Args:
    x: a (frames, bins) tensor.
    name: the branch's name, prefixing the layers'.
    width: the common width.

  Returns:
    A (frames, width) tensor.
  """
  return keras.layers.Dense(width, name=f"{name}_stem")(x)


def pretrained_network_branch(x, name: str, network: str):
  """Fine-tuning: a segment's musicnn log-mel (frames, 96) -> (patches, embedding_dim)
  embeddings of pretrained network `network` (a jmer.pretrained.networks key), applied to its
  non-overlapping 3 s patches.

  The trailing frames that do not fill a patch are dropped (as musicnn itself does). The
  network's batch norms stay frozen, in inference mode: batches of a few segments would
  replace the statistics learnt on the Million Song Dataset with noisy ones. Built from
  standard and registered layers (Cropping1D, Reshape, TimeDistributed; musicnn's own), so the
  model file loads in Keras safe mode; the pretrained weights are loaded here and then saved
  with the model.

  Args:
    x: a (frames, 96) musicnn log-mel tensor, one frame per 256 samples at 16 kHz.
    name: the branch's name, prefixing the layers'.
    network: the pretrained network's key.

  Returns:
    A (patches, embedding_dim) tensor.
  """
  frames, patch = x.shape[1], musicnn_input.PATCH_FRAMES
  if frames < patch:
    raise ValueError(f"feature {name!r}: a segment of {frames} frames is shorter than one "
                     f"musicnn patch ({patch} frames = 3 s); raise data.segment_seconds")
  patches = frames // patch
  x = keras.layers.Cropping1D((0, frames - patches * patch), name=f"{name}_whole_patches")(x)
  x = keras.layers.Reshape((patches, patch, x.shape[-1]), name=f"{name}_patches")(x)
  net = networks.embedding_network(network, name=f"{name}{PRETRAINED_NETWORK_SUFFIX}")
  for layer in net.layers:
    if isinstance(layer, keras.layers.BatchNormalization):
      layer.trainable = False
  return keras.layers.TimeDistributed(net, name=f"{name}_per_patch")(x)
