"""Essentia's five fine-tuned mood networks (MTG, UPF) in jmer's musicnn port.

Each network is a whole MSD-musicnn (jmer.pretrained.musicnn) that the MTG retrained end to end
for one binary mood: `mood_happy`, `mood_sad`, `mood_relaxed`, `mood_aggressive` and
`danceability` (Essentia's `<mood>-musicnn-msd-2`). Every convolution, batch norm and dense
weight of the front, mid and back end differs from MSD-musicnn's (all 40 shared tensors), and
the 50-tag layer is replaced by a head: a 100-unit ReLU dense layer and a 2-unit dense layer
with a sigmoid per unit (Essentia's `model/Sigmoid`), in the documented class order of CLASSES.

They come in TensorFlow.js graph format (`model.json`: the graph and a weight manifest;
`group1-shard1of1.bin`: the manifest's tensors as raw little-endian values, in order), which
numpy reads: no TensorFlow or TF.js is needed to load them. The converter folded every batch
norm into a multiply and an add (`.../FusedBatchNormV3/Scaled` and `Offset` in the front and
mid end, `.../batchnorm/mul` and `sub` in the back end: y = x * scale + offset); a Keras batch
norm computes the same with gamma = scale, beta = offset, moving mean 0 and moving variance
1 - epsilon.

The weights are not shipped with jmer (licence CC BY-NC-ND 4.0, Universitat Pompeu Fabra
2019-2020: the LICENSE beside them): they are read from a folder holding
`<mood>-musicnn-msd-2/` for each mood, $JMER_MOOD_NETWORKS or else
$JMER_DATA/essentia_models/mood_networks (the development data's copy).
tests/pretrained/test_mood_networks.py checks the port against Essentia's own graph run by
TensorFlow (tools/mood_network_reference.py).
"""

import hashlib
import json
import os
import pathlib

import keras
import numpy as np

from jmer.pretrained import musicnn

MOODS = ("mood_happy", "mood_sad", "mood_relaxed", "mood_aggressive", "danceability")
# The class of each of a network's two outputs, as Essentia's metadata for these models lists
# them (alphabetically); found from data to hold on 4q_dev (experiments/results/mood_networks/).
CLASSES = {
    "mood_happy": ("happy", "non_happy"),
    "mood_sad": ("non_sad", "sad"),
    "mood_relaxed": ("non_relaxed", "relaxed"),
    "mood_aggressive": ("aggressive", "not_aggressive"),
    "danceability": ("danceable", "not_danceable"),
}
# The columns of moods_network's output (the `musicnn_moods` feature): each network's two.
COLUMNS = tuple(f"{mood}.{name}" for mood in MOODS for name in CLASSES[mood])
FOLDER = "{mood}-musicnn-msd-2"
GRAPH_FILE, WEIGHTS_FILE = "model.json", "group1-shard1of1.bin"
ENV_DIR = "JMER_MOOD_NETWORKS"
# Outputs a mood network can be built with: the musicnn port's embeddings and 'mood', the two
# sigmoid outputs (musicnn's 50-tag layer is not part of these networks).
OUTPUT_NAMES = tuple(n for n in musicnn.OUTPUT_NAMES if n != "tags") + ("mood",)
_HIDDEN_UNITS = 100

# TF.js tensor name prefix -> jmer layer (tools/convert_musicnn.py names the same layers).
_CONVS = {"conv2d": "timbral74_conv", "conv2d_1": "timbral77_conv",
          "conv2d_2": "temporal128_conv", "conv2d_3": "temporal64_conv",
          "conv2d_4": "temporal32_conv", "conv2d_5": "midend1_conv", "conv2d_6": "midend2_conv",
          "conv2d_7": "midend3_conv"}
_DENSES = {"dense": "penultimate_dense", "dense_1": "mood_hidden", "dense_2": "mood"}
_BATCH_NORMS = ("input_bn", "timbral74_bn", "timbral77_bn", "temporal128_bn", "temporal64_bn",
                "temporal32_bn", "midend1_bn", "midend2_bn", "midend3_bn", "pool_bn",
                "penultimate")  # batch_normalization, batch_normalization_1, ... _10


def _batch_norm_tensors(index: int) -> tuple[str, str]:
  """The (scale, offset) tensor names of TF's batch_normalization_<index> as folded by the
  TF.js converter: fused (4-d) in the front and mid end, `batchnorm/mul, sub` in the back end."""
  prefix = "model/batch_normalization" + (f"_{index}" if index else "")
  if index >= 9:
    return f"{prefix}/batchnorm/mul", f"{prefix}/batchnorm/sub"
  return f"{prefix}/FusedBatchNormV3/Scaled", f"{prefix}/FusedBatchNormV3/Offset"


def weights_dir(folder=None) -> pathlib.Path:
  """The folder holding the five `<mood>-musicnn-msd-2/` folders.

  Args:
    folder: a path, or None for $JMER_MOOD_NETWORKS, else $JMER_DATA/essentia_models/
      mood_networks.

  Returns:
    The folder as a Path.

  Raises:
    FileNotFoundError saying where the weights were looked for.
  """
  if folder is None:
    folder = os.environ.get(ENV_DIR) or (
        os.environ.get("JMER_DATA") and
        pathlib.Path(os.environ["JMER_DATA"]) / "essentia_models" / "mood_networks")
  if not folder or not pathlib.Path(folder).expanduser().is_dir():
    raise FileNotFoundError(
        f"the mood networks' weights are not shipped with jmer; found none at "
        f"{folder or '(unset)'}: set {ENV_DIR} to a folder holding "
        f"{FOLDER.format(mood='<mood>')}/ for {', '.join(MOODS)}, or JMER_DATA to the data "
        f"root holding essentia_models/mood_networks/")
  return pathlib.Path(folder).expanduser()


def network_dir(mood: str, folder=None) -> pathlib.Path:
  """The folder of one network's model.json and weights; ValueError for an unknown mood."""
  if mood not in MOODS:
    raise ValueError(f"no mood network {mood!r}: expected one of {', '.join(MOODS)}")
  return weights_dir(folder) / FOLDER.format(mood=mood)


def read_tfjs(path) -> dict:
  """The tensors of a TF.js graph model folder, by manifest name, read with numpy.

  Args:
    path: a folder holding model.json and the weight file it names.

  Returns:
    {tensor name: array} in manifest order (float32 weights, int32 graph constants).

  Raises:
    ValueError: the weight file's size is not the manifest's (a truncated or other file).
  """
  path = pathlib.Path(path)
  manifest = json.loads((path / GRAPH_FILE).read_text())["weightsManifest"]
  tensors = {}
  for group in manifest:
    raw = b"".join((path / name).read_bytes() for name in group["paths"])
    offset = 0
    for entry in group["weights"]:
      dtype = np.dtype(entry["dtype"]).newbyteorder("<")
      count = int(np.prod(entry["shape"], dtype=np.int64))
      if offset + count * dtype.itemsize > len(raw):
        raise ValueError(f"{path}: weight file shorter than its manifest ({len(raw)} bytes)")
      tensors[entry["name"]] = np.frombuffer(raw, dtype, count, offset).reshape(entry["shape"])
      offset += count * dtype.itemsize
    if offset != len(raw):
      raise ValueError(f"{path}: manifest covers {offset} of {len(raw)} bytes")
  return tensors


def keras_weights(tensors: dict) -> dict:
  """{jmer layer name: weight arrays} of one mood network's TF.js tensors.

  Args:
    tensors: read_tfjs's output.

  Returns:
    The arrays each layer of build_mood_network takes, in Keras' order.

  Raises:
    ValueError: a float tensor is left unmapped, or one the mapping needs is missing.
  """
  used, weights = set(), {}

  def take(name):
    if name not in tensors:
      raise ValueError(f"tensor {name!r} missing from the mood network")
    used.add(name)
    return np.asarray(tensors[name], np.float32)

  for tf_name, layer in _CONVS.items():
    kernel = take(f"{tf_name}/kernel")
    if layer.startswith("midend"):  # a Conv2D [7, channels] over (time, channels, 1): Conv1D
      kernel = kernel.reshape(kernel.shape[0], kernel.shape[1], kernel.shape[3])
    weights[layer] = [kernel, take(f"{tf_name}/bias")]
  for tf_name, layer in _DENSES.items():
    weights[layer] = [take(f"{tf_name}/kernel"), take(f"{tf_name}/bias")]
  for index, layer in enumerate(_BATCH_NORMS):
    scale, offset = (take(name) for name in _batch_norm_tensors(index))
    epsilon = np.float32(musicnn._EPSILON)  # pylint: disable=protected-access
    weights[layer] = [scale, offset, np.zeros_like(scale),
                      np.full_like(scale, np.float32(1.0) - epsilon)]
  left = [n for n, a in tensors.items() if a.dtype.kind == "f" and n not in used]
  if left:
    raise ValueError(f"mood network tensors left unmapped: {sorted(left)}")
  return weights


def build_mood_network(outputs="mood", name: str = "mood_network") -> keras.Model:
  """Builds the (untrained) network; load() gives it a mood's weights.

  Args:
    outputs: a name from OUTPUT_NAMES or a sequence of them ('mood': the two sigmoid outputs,
      (batch, 2); the others: musicnn's, e.g. 'penultimate' (batch, 200)). One name gives a
      single-output model, a sequence a dict-output one.
    name: the Keras model's name (a model holding several networks needs several names).

  Returns:
    A keras.Model from (batch, 187, 96) musicnn log-mels.
  """
  single = isinstance(outputs, str)
  wanted = musicnn.checked_output_names(outputs, OUTPUT_NAMES)
  embeddings = tuple(o for o in dict.fromkeys(("penultimate",) + wanted) if o != "mood")
  base = musicnn.build_musicnn(embeddings, name=f"{name}_musicnn")
  hidden = keras.layers.Dense(_HIDDEN_UNITS, activation="relu", name="mood_hidden")(
      base.output["penultimate"])
  tensors = dict(base.output,
                 mood=keras.layers.Dense(2, activation="sigmoid", name="mood")(hidden))
  out = tensors[wanted[0]] if single else {o: tensors[o] for o in wanted}
  return keras.Model(base.input, out, name=name)


def load(model: keras.Model, mood: str, folder=None) -> keras.Model:
  """Sets every weighted layer of `model` (from build_mood_network) to network `mood`'s.

  Args:
    model: a mood network.
    mood: one of MOODS.
    folder: the weights folder (weights_dir's argument).

  Returns:
    `model`, loaded.
  """
  return set_weights(model, keras_weights(read_tfjs(network_dir(mood, folder))))


def set_weights(model: keras.Model, weights: dict) -> keras.Model:
  """Sets `model`'s weighted layers from {layer name: arrays}, shapes checked."""
  for layer in model.layers:
    if not layer.weights:
      continue
    if layer.name not in weights:
      raise ValueError(f"layer {layer.name!r} is not part of a mood network")
    expected = [tuple(w.shape) for w in layer.weights]
    got = [tuple(a.shape) for a in weights[layer.name]]
    if expected != got:
      raise ValueError(f"{layer.name}: weight shapes {got} != the layer's {expected}")
    layer.set_weights(weights[layer.name])
  return model


def weights_hash(folder=None, moods=MOODS) -> str:
  """A short hash of the named networks' graph and weight files: new weights, new caches.

  Args:
    folder: the weights folder (weights_dir's argument).
    moods: the networks, in order.

  Returns:
    The first 12 hex digits of a SHA-1 over the files.
  """
  digest = hashlib.sha1()
  for mood in moods:
    for file in (GRAPH_FILE, WEIGHTS_FILE):
      digest.update((network_dir(mood, folder) / file).read_bytes())
  return digest.hexdigest()[:12]


def moods_network(moods=MOODS, folder=None, name: str = "moods") -> keras.Model:
  """The networks side by side on the same patches, their 'mood' outputs concatenated.

  Args:
    moods: the networks, in order (default MOODS: the `musicnn_moods` feature's COLUMNS).
    folder: the weights folder (weights_dir's argument).
    name: the Keras model's name.

  Returns:
    A keras.Model from (batch, 187, 96) musicnn log-mels to (batch, 2 * len(moods)).
  """
  log_mel = keras.Input((musicnn.PATCH_FRAMES, musicnn.N_MELS), name="log_mel")
  outputs = [load(build_mood_network("mood", name=f"{name}_{mood}"), mood, folder)(log_mel)
             for mood in moods]
  return keras.Model(log_mel, keras.layers.Concatenate(name=f"{name}_outputs")(outputs),
                     name=name)
