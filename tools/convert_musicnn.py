"""Converts musicnn 0.1.0's TF1 checkpoints into jmer's Keras weights files.

musicnn's PyPI wheel ships its trained networks as TF1 checkpoints (ISC licence). jmer cannot
depend on the package, so this one-off tool maps the checkpoint variables of its four networks
onto jmer.pretrained.musicnn.build_musicnn (MSD_musicnn, MTT_musicnn) and
jmer.pretrained.vgg.build_vgg (MSD_vgg, MTT_vgg) and writes
jmer/resources/musicnn/<name>.weights.h5, which the modules' load_pretrained read. Adam slots and
optimiser counters are ignored; every other variable must be mapped, shapes checked.

  pip download --no-deps musicnn==0.1.0 -d /tmp/musicnn_whl
  unzip -q /tmp/musicnn_whl/musicnn-0.1.0-py3-none-any.whl -d /tmp/musicnn_whl/unpacked
  PYTHONPATH=. python tools/convert_musicnn.py /tmp/musicnn_whl/unpacked/musicnn \
      [--networks MSD_vgg ...]  (default: the networks whose weights file is missing)
"""

import argparse
import pathlib

import numpy as np
from keras import layers
from tensorflow.python.training import py_checkpoint_reader

from jmer.pretrained import musicnn
from jmer.pretrained import networks
from jmer.pretrained import vgg

# TF1 `tf.layers` auto-names, in creation order (models.build_musicnn) -> jmer layer names.
CONV_LAYERS = {
    "conv2d": "timbral74_conv", "conv2d_1": "timbral77_conv", "conv2d_2": "temporal128_conv",
    "conv2d_3": "temporal64_conv", "conv2d_4": "temporal32_conv", "conv2d_5": "midend1_conv",
    "conv2d_6": "midend2_conv", "conv2d_7": "midend3_conv",
}
BATCH_NORM_LAYERS = {
    "batch_normalization": "input_bn", "batch_normalization_1": "timbral74_bn",
    "batch_normalization_2": "timbral77_bn", "batch_normalization_3": "temporal128_bn",
    "batch_normalization_4": "temporal64_bn", "batch_normalization_5": "temporal32_bn",
    "batch_normalization_6": "midend1_bn", "batch_normalization_7": "midend2_bn",
    "batch_normalization_8": "midend3_bn", "batch_normalization_9": "pool_bn",
    "batch_normalization_10": "penultimate",
}
DENSE_LAYERS = {"dense": "penultimate_dense", "dense_1": "tags"}
# models.vgg names its convolutions '1CNN'..'5CNN'; batch norms and the dense layer auto-named.
VGG_CONV_LAYERS = {f"{i}CNN": f"conv{i}" for i in range(1, 6)}
VGG_BATCH_NORM_LAYERS = {"batch_normalization": "input_bn",
                         **{f"batch_normalization_{i}": f"conv{i}_bn" for i in range(1, 6)}}
VGG_DENSE_LAYERS = {"dense": "tags"}
# Network family -> (jmer module, builder of the model in the weights file's layout, conv,
# batch-norm and dense layer maps).
FAMILIES = {
    "musicnn": (musicnn, lambda: musicnn.build_musicnn(musicnn.OUTPUT_NAMES,
                                                       checkpoint_layout=True),
                CONV_LAYERS, BATCH_NORM_LAYERS, DENSE_LAYERS),
    "vgg": (vgg, lambda: vgg.build_vgg(vgg.OUTPUT_NAMES),
            VGG_CONV_LAYERS, VGG_BATCH_NORM_LAYERS, VGG_DENSE_LAYERS),
}
# Checkpoint folder in the wheel -> (family, dataset key in the family module's PRETRAINED).
CHECKPOINTS = {n.checkpoint: (n.family, n.dataset) for n in networks.NETWORKS.values()
               if n.family in FAMILIES}


def _set(layer, arrays):
  """Assigns arrays to a layer after checking every shape, so a wrong mapping fails loudly."""
  expected = [tuple(weight.shape) for weight in layer.weights]
  got = [array.shape for array in arrays]
  if expected != got:
    raise ValueError(f"{layer.name}: checkpoint shapes {got} != Keras shapes {expected}")
  layer.set_weights(arrays)


class _Checkpoint:
  """A TF1 checkpoint's model variables (not Adam's), recording which ones were read."""

  def __init__(self, prefix: str):
    self.reader = py_checkpoint_reader.NewCheckpointReader(prefix)
    self.names = {name for name in self.reader.get_variable_to_shape_map()
                  if "Adam" not in name and not name.startswith("beta")}
    self.used = set()

  def read(self, name: str) -> np.ndarray:
    self.used.add(name)
    return np.asarray(self.reader.get_tensor(name), dtype=np.float32)

  def set_layers(self, model, convs: dict, batch_norms: dict, denses: dict):
    """Copies conv, batch-norm and dense variables into the model layers they map to."""
    for tf_name, keras_name in convs.items():
      layer = model.get_layer(keras_name)
      kernel = self.read(f"{tf_name}/kernel")
      if isinstance(layer, layers.Conv1D):
        # musicnn's mid end is a Conv2D with kernel [7, channels] over a (time, channels, 1)
        # map: the same as a Conv1D over time with `channels` inputs.
        kernel = kernel.reshape(kernel.shape[0], kernel.shape[1], kernel.shape[3])
      _set(layer, [kernel, self.read(f"{tf_name}/bias")])
    for tf_name, keras_name in batch_norms.items():
      _set(model.get_layer(keras_name), [self.read(f"{tf_name}/{var}") for var in
                                         ("gamma", "beta", "moving_mean", "moving_variance")])
    for tf_name, keras_name in denses.items():
      _set(model.get_layer(keras_name), [self.read(f"{tf_name}/kernel"),
                                         self.read(f"{tf_name}/bias")])
    if self.names - self.used:
      raise ValueError(f"checkpoint variables left unmapped: {sorted(self.names - self.used)}")


def convert(checkpoint_prefix: str, output_path: pathlib.Path, family: str = "musicnn"):
  """Reads one TF1 checkpoint of a `family` network (a FAMILIES key) and saves the equivalent
  Keras weights; returns the model."""
  _, build, convs, batch_norms, denses = FAMILIES[family]
  model = build()
  _Checkpoint(checkpoint_prefix).set_layers(model, convs, batch_norms, denses)
  output_path.parent.mkdir(parents=True, exist_ok=True)
  model.save_weights(output_path)
  return model


def main():
  parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
  parser.add_argument("package_dir", type=pathlib.Path,
                      help="the unpacked wheel's musicnn/ folder (holds MSD_musicnn/, ...)")
  repo = pathlib.Path(__file__).resolve().parents[1]
  parser.add_argument("--output_dir", type=pathlib.Path, default=repo / "jmer/resources/musicnn")
  # Rewritten by another Keras or h5py version, a shipped file may change its bytes, hence its
  # hash (jmer.data.musicnn_features), and every feature cache and trained model of that network
  # would be refused: by default only networks without a weights file are converted. (With the
  # same versions the output is byte for byte the same.)
  parser.add_argument("--networks", nargs="+", choices=sorted(CHECKPOINTS),
                      help="checkpoint folders to convert, even if already converted")
  args = parser.parse_args()
  for folder in args.networks or sorted(CHECKPOINTS):
    family, dataset = CHECKPOINTS[folder]
    output = args.output_dir / FAMILIES[family][0].PRETRAINED[dataset][0]
    if not args.networks and output.exists():
      print(f"{folder}: {output} exists, kept (name it in --networks to rewrite it)")
      continue
    # The checkpoint prefix is the folder itself: its files are named '.index', '.data-...'.
    prefix = str(args.package_dir / folder) + "/"
    convert(prefix, output, family)
    print(f"{folder} -> {output} ({output.stat().st_size / 1e6:.1f} MB)")


if __name__ == "__main__":
  main()
