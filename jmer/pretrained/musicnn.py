"""The pretrained musicnn tagger (Pons & Serra 2019) as a plain Keras 3 functional model.

musicnn ships TF1 graph code and checkpoints that cannot run beside jmer (it pins numpy<1.17), yet
its MSD- and MagnaTagATune-trained weights are a cheap, strong music representation. This module
rebuilds the exact 'musicnn' architecture of musicnn 0.1.0 (`models.build_musicnn`, with
num_filt_midend=64 and num_units_backend=200) from standard Keras layers and two small
registered ones (TimeUnfoldedConv2D, MaxOverFrequency: the same maths as Conv2D and
MaxPooling2D, faster on CPU), so a model is safe-mode serialisable, and loads weights converted
from the shipped checkpoints by tools/convert_musicnn.py (jmer/resources/musicnn/, ISC licence;
nothing is downloaded).

Architecture, on a (187 frames, 96 mel bands) log-mel patch from jmer.data.musicnn_input:

* front end: batch norm of the input; 'timbral' convolutions spanning 7 frames x 38 and 7 x 67
  bands (204 filters each, time padded by 3 each side, valid in frequency) and 'temporal'
  convolutions spanning 128, 64 and 32 frames x 1 band (51 filters each, 'same' padding); each
  followed by ReLU, batch norm and a max over the remaining frequency axis -> 561 channels/frame.
* mid end: three 7-frame convolutions (64 filters, ReLU, batch norm) with residual connections
  from the second on, densely concatenated with the front end -> 753 channels per frame.
* back end: max and mean over time (753 each, the `max_pool` / `mean_pool` embeddings),
  interleaved as TF flattens a (753, 2) tensor, batch norm, 200-unit dense (its output before
  the ReLU is `penultimate_prerelu`, Essentia's `model/dense/BiasAdd` "embeddings" that its
  MSD-musicnn heads read), ReLU, batch norm (the `penultimate` embedding), 50-unit dense with
  sigmoid (the tag probabilities).

Batch norms use TF1's epsilon 1e-3 (Keras' default too) and, as every layer here has no
training-time behaviour besides batch norm and the original's dropout (omitted: identity at
inference), the model gives the original's inference outputs whenever it is called with
training=False (the default for predict()).
"""


import functools

import keras
from keras import layers
from keras import ops

from jmer.pretrained import networks
from jmer.pretrained import shipped_weights

PATCH_FRAMES = 187
N_MELS = 96
# Output names a model can be built with (see build_musicnn).
OUTPUT_NAMES = ("tags", "penultimate", "penultimate_prerelu", "mean_pool", "max_pool")

MSD_TAGS, MTT_TAGS = networks.MSD_TAGS, networks.MTT_TAGS  # defined without Keras there
# Training data set -> (weights file in jmer/resources/musicnn, tag names).
PRETRAINED = {
    "msd": ("msd_musicnn.weights.h5", MSD_TAGS),
    "mtt": ("mtt_musicnn.weights.h5", MTT_TAGS),
}

_TIMBRAL_FILTERS = 204  # int(1.6 * 128) in the original
_TEMPORAL_FILTERS = 51  # int(1.6 * 32)
_MIDEND_FILTERS = 64
_BACKEND_UNITS = 200
_EPSILON = 1e-3  # tf.compat.v1.layers.batch_normalization's default


def _batch_norm(name: str) -> layers.BatchNormalization:
  return layers.BatchNormalization(axis=-1, epsilon=_EPSILON, name=name)


@keras.saving.register_keras_serializable(package="jmer")
class TimeUnfoldedConv2D(layers.Layer):
  """Conv2D(filters, kernel, padding="valid") of a one-channel (time, freq) map, computed as
  kernel[0] time-shifted copies of the map stacked as channels and a 1-D convolution over
  frequency with every (segment, frame) as its own row.

  The same function and weights as Conv2D (kernel (kt, kf, 1, filters), then bias), so the
  converted checkpoint loads as it is. The reason is speed on XLA's CPU backend: for musicnn's
  7 x 38 and 7 x 67 timbral kernels on one input channel it runs Conv2D's kernel gradient as a
  convolution with a window the size of the whole map, about half of a fine-tuning step; this
  form computes both the gradient and the forward pass faster (docs/performance.md, "Benchmarks",
  table 5 and "Figures without a committed result file").
  """

  def __init__(self, filters: int, kernel_size, activation=None, **kwargs):
    super().__init__(**kwargs)
    self.filters, self.kernel_size = int(filters), tuple(int(k) for k in kernel_size)
    self.activation = keras.activations.get(activation)

  def build(self, input_shape):
    self.kernel = self.add_weight(name="kernel", shape=(*self.kernel_size, 1, self.filters),
                                  initializer="glorot_uniform")
    self.bias = self.add_weight(name="bias", shape=(self.filters,), initializer="zeros")

  def call(self, x):
    (kt, kf), (frames, bins) = self.kernel_size, x.shape[1:3]
    out_frames, out_bins = frames - kt + 1, bins - kf + 1
    shifted = ops.concatenate([x[:, i:i + out_frames] for i in range(kt)], axis=-1)
    rows = ops.reshape(shifted, (-1, bins, kt))
    kernel = ops.transpose(self.kernel[:, :, 0, :], (1, 0, 2))  # (kf, kt, filters)
    y = ops.conv(rows, kernel, strides=1, padding="valid")
    y = ops.reshape(y, (-1, out_frames, out_bins, self.filters)) + self.bias
    return self.activation(y)

  def compute_output_shape(self, input_shape):
    batch, frames, bins, _ = input_shape
    return (batch, frames - self.kernel_size[0] + 1, bins - self.kernel_size[1] + 1,
            self.filters)

  def get_config(self):
    return {**super().get_config(), "filters": self.filters, "kernel_size": self.kernel_size,
            "activation": keras.activations.serialize(self.activation)}


@keras.saving.register_keras_serializable(package="jmer")
class MaxOverFrequency(layers.Layer):
  """(batch, frames, bins, channels) -> (batch, frames, channels): the max over all bins.

  MaxPooling2D((1, bins)) and a Reshape compute the same, but XLA's CPU backend runs that
  pooling's gradient as a slow scatter; the gradient of a plain max is an elementwise mask."""

  def call(self, x):
    return ops.max(x, axis=2)

  def compute_output_shape(self, input_shape):
    return (input_shape[0], input_shape[1], input_shape[3])


def _frontend_branch(normalized, name: str, filters: int, kernel: tuple[int, int],
                     pad_time_only: bool, checkpoint_layout: bool):
  """Conv over (time, freq) -> ReLU -> batch norm -> max over all remaining frequency bins.

  'timbral' branches (pad_time_only) pad time by hand and are 'valid' in frequency, exactly
  like the original; 'temporal' branches use 'same' padding, which for even kernels pads one
  frame more after than before in both TF and JAX, as the original did.
  """
  x = normalized
  if pad_time_only:
    pad = kernel[0] // 2
    x = layers.ZeroPadding2D(((pad, pad), (0, 0)), name=f"{name}_pad")(x)
    conv = layers.Conv2D if checkpoint_layout else TimeUnfoldedConv2D
    x = conv(filters, kernel, activation="relu", name=f"{name}_conv")(x)
  else:
    x = layers.Conv2D(filters, kernel, padding="same", activation="relu", name=f"{name}_conv")(x)
  x = _batch_norm(f"{name}_bn")(x)
  if not checkpoint_layout:
    return MaxOverFrequency(name=f"{name}_freq_max")(x)
  x = layers.MaxPooling2D((1, x.shape[2]), name=f"{name}_freq_max")(x)
  return layers.Reshape((x.shape[1], filters), name=f"{name}_squeeze")(x)


def _midend_conv(x, index: int):
  """7-frame convolution over all channels (the original's [7, channels] Conv2D) + batch norm."""
  x = layers.Conv1D(_MIDEND_FILTERS, 7, padding="same", activation="relu",
                    name=f"midend{index}_conv")(x)
  return _batch_norm(f"midend{index}_bn")(x)


def build_musicnn(outputs=("tags",), patch_frames: int = PATCH_FRAMES,
                  num_tags: int = 50, name: str = "musicnn",
                  checkpoint_layout: bool = False) -> keras.Model:
  """Builds the (untrained) musicnn network; call load_pretrained() to give it weights.

  Args:
    outputs: a name from OUTPUT_NAMES, or a sequence of them. 'tags': (50,) sigmoid tag
      probabilities; 'penultimate': (200,) batch-normed ReLU dense layer;
      'penultimate_prerelu': (200,) that dense layer before its ReLU; 'mean_pool' and
      'max_pool': (753,) temporal mean / max of the mid-end features. One name gives a
      single-output model; a sequence gives a model whose output is a dict keyed by name.
    patch_frames: frames per input patch. The network is fully convolutional up to the
      temporal pooling, but the weights were trained on 187-frame (3 s) patches.
    num_tags: size of the tag layer (50 for both shipped models).
    name: the model's name (a model holding two networks needs two names).
    checkpoint_layout: build the front end from the layer classes the shipped .weights.h5
      files were saved with (Conv2D, MaxPooling2D + Reshape), as load_pretrained does to read
      them. The default builds TimeUnfoldedConv2D and MaxOverFrequency instead: the same
      function and weights, faster on CPU.

  Returns:
    A keras.Model taking (batch, patch_frames, 96) float32 log-mels.
  """
  single = isinstance(outputs, str)
  names = checked_output_names(outputs)
  log_mel = keras.Input((patch_frames, N_MELS), name="log_mel")
  x = layers.Reshape((patch_frames, N_MELS, 1), name="add_channel")(log_mel)
  frontend = _frontend(_batch_norm("input_bn")(x), checkpoint_layout)
  tensors = _backend(_midend(frontend), num_tags)
  model_outputs = tensors[names[0]] if single else {name: tensors[name] for name in names}
  return keras.Model(log_mel, model_outputs, name=name)


def checked_output_names(outputs, known: tuple = OUTPUT_NAMES) -> tuple[str, ...]:
  """A network builder's `outputs` (one name or several) as a tuple of names.

  Args:
    outputs: a name or a sequence of names.
    known: the builder's output names (musicnn's by default; the VGGs' and the mood networks'
      builders pass their own).

  Returns:
    The names, as a tuple.

  Raises:
    ValueError: no name, or a name not in `known`.
  """
  names = (outputs,) if isinstance(outputs, str) else tuple(outputs)
  unknown = [name for name in names if name not in known]
  if not names or unknown:
    raise ValueError(f"outputs must be among {known}, got {outputs!r}")
  return names


def _frontend(normalized, checkpoint_layout: bool):
  """The five front-end branches on the batch-normed (frames, 96, 1) input, concatenated.

  Returns:
    (batch, frames, 561): two timbral branches (7 frames x 38 and x 67 bands) and three
    temporal ones (128, 64 and 32 frames x 1 band), each maxed over frequency.
  """
  frontend = [
      _frontend_branch(normalized, "timbral74", _TIMBRAL_FILTERS, (7, int(0.4 * N_MELS)), True,
                       checkpoint_layout),
      _frontend_branch(normalized, "timbral77", _TIMBRAL_FILTERS, (7, int(0.7 * N_MELS)), True,
                       checkpoint_layout),
      _frontend_branch(normalized, "temporal128", _TEMPORAL_FILTERS, (128, 1), False,
                       checkpoint_layout),
      _frontend_branch(normalized, "temporal64", _TEMPORAL_FILTERS, (64, 1), False,
                       checkpoint_layout),
      _frontend_branch(normalized, "temporal32", _TEMPORAL_FILTERS, (32, 1), False,
                       checkpoint_layout),
  ]
  return layers.Concatenate(axis=-1, name="frontend")(frontend)


def _midend(frontend_features):
  """Three 7-frame convolutions, residual from the second on, densely concatenated.

  Returns:
    (batch, frames, 753): the front end's 561 channels and the three convolutions' 64 each.
  """
  cnn1 = _midend_conv(frontend_features, 1)
  cnn2 = layers.Add(name="midend2_residual")([_midend_conv(cnn1, 2), cnn1])
  cnn3 = layers.Add(name="midend3_residual")([_midend_conv(cnn2, 3), cnn2])
  return layers.Concatenate(axis=-1, name="midend")([frontend_features, cnn1, cnn2, cnn3])


def _backend(midend, num_tags: int) -> dict:
  """Temporal max and mean pooling, then the dense layers down to the tag probabilities.

  Returns:
    The tensors build_musicnn can output, keyed by OUTPUT_NAMES: 'max_pool' and 'mean_pool'
    (batch, 753), 'penultimate' and 'penultimate_prerelu' (batch, 200), 'tags' (batch,
    num_tags).
  """
  max_pool = layers.GlobalMaxPooling1D(name="max_pool")(midend)
  mean_pool = layers.GlobalAveragePooling1D(name="mean_pool")(midend)
  # TF flattened concat([max, mean], axis=2) of shape (753, 2): max0, mean0, max1, mean1, ...
  # Keeping that order keeps the checkpoint's dense weights as they are.
  channels = midend.shape[-1]
  pooled = layers.Concatenate(axis=-1, name="pool_pairs")([
      layers.Reshape((channels, 1), name="max_pool_column")(max_pool),
      layers.Reshape((channels, 1), name="mean_pool_column")(mean_pool)])
  pooled = layers.Flatten(name="pool_interleaved")(pooled)
  pooled = _batch_norm("pool_bn")(pooled)
  # The ReLU is its own layer so its input can be an output; weights stay with the Dense.
  prerelu = layers.Dense(_BACKEND_UNITS, name="penultimate_dense")(pooled)
  dense = layers.ReLU(name="penultimate_relu")(prerelu)
  penultimate = _batch_norm("penultimate")(dense)
  tags = layers.Dense(num_tags, activation="sigmoid", name="tags")(penultimate)
  return {"tags": tags, "penultimate": penultimate, "penultimate_prerelu": prerelu,
          "mean_pool": mean_pool, "max_pool": max_pool}


# The shipped files of this family by training set ('msd' or 'mtt'; ValueError for another):
# pretrained_weights_path(dataset) is a context manager giving a weights file's path, and
# tag_names(dataset) the 50 tag names in the order of the 'tags' output.
pretrained_weights_path = functools.partial(shipped_weights.weights_path, PRETRAINED)
tag_names = functools.partial(shipped_weights.tag_names, PRETRAINED)


def load_pretrained(model: keras.Model, dataset: str = "msd") -> keras.Model:
  """Loads the shipped musicnn weights into `model` (built by build_musicnn) and returns it.

  Weights are matched by layer name, so a model built with any subset of outputs (which holds
  only the layers those outputs need) loads correctly: the full network is built once, loaded
  from the .weights.h5 file, and its weights copied layer by layer.

  Args:
    model: a model from build_musicnn (any outputs, 187-frame patches or another length).
    dataset: 'msd' (Million Song Dataset, 50 Last.fm tags) or 'mtt' (MagnaTagATune).

  Returns:
    `model`, its weights set.
  """
  return shipped_weights.copy_into(model, _full_checkpoint_layout, PRETRAINED, dataset,
                                   "musicnn; build with build_musicnn")


def _full_checkpoint_layout() -> keras.Model:
  """The whole network in the weights file's layout, which the file is read through."""
  return build_musicnn(OUTPUT_NAMES, patch_frames=PATCH_FRAMES, checkpoint_layout=True)
