"""The pretrained VGG-like taggers of musicnn 0.1.0 (Pons & Serra 2019) as Keras 3 models.

Beside its musicnn networks, the musicnn wheel ships `MSD_vgg` and `MTT_vgg`: a plain 5-block
VGG-like CNN (`models.vgg` with num_filters=128) trained on the same 3 s log-mel patches of the
Million Song Dataset and MagnaTagATune. This module rebuilds it from standard Keras layers only
(a model holding it loads in safe mode without registered classes) and loads weights converted
from the shipped checkpoints by tools/convert_musicnn.py (jmer/resources/musicnn/, ISC licence;
nothing is downloaded).

Architecture, on a (187 frames, 96 mel bands) log-mel patch from jmer.data.musicnn_input:

* batch norm of the input, then five blocks of 3 x 3 convolution (128 filters, 'same', ReLU),
  batch norm and max pooling ('valid'): (4, 1) pool with stride (2, 2) after the first block,
  (2, 2) / (2, 2) after blocks 2-4 and (4, 4) / (4, 4) after the fifth. The maps shrink
  (187, 96) -> (92, 48) -> (46, 24) -> (23, 12) -> (11, 6) -> (2, 1) (x 128 channels).
* `pool5`, the (2, 1, 128) map flattened time-major to 256 values, feeds a 50-unit dense layer
  with sigmoid: the tag probabilities. pool5 is the original extractor's last exposed feature
  (`extractor(..., model='MSD_vgg')['pool5']`) and the only layer the tags are a linear function
  of, so it is the VGG counterpart of musicnn's 'penultimate' embedding and the one
  jmer.pretrained.networks caches. Its (4, 4) valid pooling of the (11, 6) block-5 map reads
  the first 8 of 11 rows and 4 of 6 columns only; 'mean_pool' and 'max_pool' (128 each) are
  the mean and max over the whole batch-normed block-5 map, for measuring an alternative.

Unlike musicnn's, the VGG network only takes 187-frame patches: its dense layer reads a fixed
(2, 1, 128) map (the original extractor refuses other lengths too). Batch norms use TF1's
epsilon 1e-3; the original's dropouts are identity at inference, so called with training=False
(the default of predict()) the model gives the original's inference outputs.
"""


import functools

import keras
from keras import layers

from jmer.pretrained import musicnn
from jmer.pretrained import shipped_weights

PATCH_FRAMES = musicnn.PATCH_FRAMES
N_MELS = musicnn.N_MELS
# Output names a model can be built with (see build_vgg).
OUTPUT_NAMES = ("tags", "pool5", "mean_pool", "max_pool")
# Training data set -> (weights file in jmer/resources/musicnn, tag names).
PRETRAINED = {
    "msd": ("msd_vgg.weights.h5", musicnn.MSD_TAGS),
    "mtt": ("mtt_vgg.weights.h5", musicnn.MTT_TAGS),
}
_FILTERS = 128  # models.define_model passes num_filters=128 for both shipped VGGs
# (pool size, strides) after each conv block, as in models.vgg (TF1 'valid' pooling).
_POOLS = (((4, 1), (2, 2)), ((2, 2), (2, 2)), ((2, 2), (2, 2)), ((2, 2), (2, 2)),
          ((4, 4), (4, 4)))
_EPSILON = 1e-3  # tf.compat.v1.layers.batch_normalization's default


def build_vgg(outputs=("tags",), num_tags: int = 50, name: str = "vgg") -> keras.Model:
  """Builds the (untrained) musicnn VGG network; call load_pretrained() to give it weights.

  Args:
    outputs: a name from OUTPUT_NAMES, or a sequence of them. 'tags': (50,) sigmoid tag
      probabilities; 'pool5': (256,) the flattened last pooling, the tag layer's input;
      'mean_pool' / 'max_pool': (128,) mean / max of the whole batch-normed block-5 map. One
      name gives a single-output model; a sequence gives a model whose output is a dict.
    num_tags: size of the tag layer (50 for both shipped models).
    name: the model's name (a model holding two networks needs two names).

  Returns:
    A keras.Model taking (batch, 187, 96) float32 log-mels.
  """
  single = isinstance(outputs, str)
  names = musicnn.checked_output_names(outputs, OUTPUT_NAMES)

  log_mel = keras.Input((PATCH_FRAMES, N_MELS), name="log_mel")
  x = layers.Reshape((PATCH_FRAMES, N_MELS, 1), name="add_channel")(log_mel)
  x = layers.BatchNormalization(axis=-1, epsilon=_EPSILON, name="input_bn")(x)
  block_maps = []
  for index, (pool_size, strides) in enumerate(_POOLS, start=1):
    x = layers.Conv2D(_FILTERS, (3, 3), padding="same", activation="relu",
                      name=f"conv{index}")(x)
    x = layers.BatchNormalization(axis=-1, epsilon=_EPSILON, name=f"conv{index}_bn")(x)
    block_maps.append(x)
    x = layers.MaxPooling2D(pool_size, strides=strides, padding="valid", name=f"pool{index}")(x)
  pool5 = layers.Flatten(name="pool5_flat")(x)  # (2, 1, 128) -> 256, time-major like TF's
  tags = layers.Dense(num_tags, activation="sigmoid", name="tags")(pool5)
  tensors = {"tags": tags, "pool5": pool5,
             "mean_pool": layers.GlobalAveragePooling2D(name="mean_pool")(block_maps[-1]),
             "max_pool": layers.GlobalMaxPooling2D(name="max_pool")(block_maps[-1])}
  model_outputs = tensors[names[0]] if single else {output: tensors[output] for output in names}
  return keras.Model(log_mel, model_outputs, name=name)


# The shipped files of this family by training set ('msd' or 'mtt'; ValueError for another):
# pretrained_weights_path(dataset) is a context manager giving a weights file's path, and
# tag_names(dataset) the 50 tag names in the order of the 'tags' output.
pretrained_weights_path = functools.partial(shipped_weights.weights_path, PRETRAINED)
tag_names = functools.partial(shipped_weights.tag_names, PRETRAINED)


def load_pretrained(model: keras.Model, dataset: str = "msd") -> keras.Model:
  """Loads the shipped VGG weights into `model` (built by build_vgg) and returns it.

  Weights are matched by layer name, so a model built with any subset of outputs loads
  correctly: the full network is loaded from the .weights.h5 file and copied layer by layer.

  Args:
    model: a model from build_vgg (any outputs).
    dataset: 'msd' (Million Song Dataset, 50 Last.fm tags) or 'mtt' (MagnaTagATune).

  Returns:
    `model`, its weights set.
  """
  return shipped_weights.copy_into(model, _full, PRETRAINED, dataset,
                                   "the musicnn VGG; build with build_vgg")


def _full() -> keras.Model:
  return build_vgg(OUTPUT_NAMES)
