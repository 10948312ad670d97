"""Converts musicnn 0.1.0's TF1 checkpoints into jmer's Keras musicnn weights files.

musicnn's PyPI wheel ships its trained networks as TF1 checkpoints (ISC licence). jmer cannot
depend on the package, so this one-off tool maps the checkpoint variables onto
jmer.pretrained.musicnn.build_musicnn and writes jmer/resources/musicnn/<name>.weights.h5, which
jmer.pretrained.musicnn.load_pretrained reads. Adam slots and optimiser counters are ignored.

  pip download --no-deps musicnn==0.1.0 -d /tmp/musicnn_whl
  unzip -q /tmp/musicnn_whl/musicnn-0.1.0-py3-none-any.whl -d /tmp/musicnn_whl/unpacked
  PYTHONPATH=. python tools/convert_musicnn.py /tmp/musicnn_whl/unpacked/musicnn
"""

import argparse
import pathlib

import numpy as np
from keras import layers
from tensorflow.python.training import py_checkpoint_reader

from jmer.pretrained import musicnn

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
# Checkpoint folder in the wheel -> jmer dataset key (see musicnn.PRETRAINED).
CHECKPOINTS = {"MSD_musicnn": "msd", "MTT_musicnn": "mtt"}


def _set(layer, arrays):
  """Assigns arrays to a layer after checking every shape, so a wrong mapping fails loudly."""
  expected = [tuple(weight.shape) for weight in layer.weights]
  got = [array.shape for array in arrays]
  if expected != got:
    raise ValueError(f"{layer.name}: checkpoint shapes {got} != Keras shapes {expected}")
  layer.set_weights(arrays)


def convert(checkpoint_prefix: str, output_path: pathlib.Path):
  """Reads one TF1 checkpoint and saves the equivalent Keras weights; returns the model."""
  reader = py_checkpoint_reader.NewCheckpointReader(checkpoint_prefix)
  names = {name for name in reader.get_variable_to_shape_map()
           if "Adam" not in name and not name.startswith("beta")}
  model = musicnn.build_musicnn(musicnn.OUTPUT_NAMES, checkpoint_layout=True)  # the file format
  used = set()

  def read(name):
    used.add(name)
    return np.asarray(reader.get_tensor(name), dtype=np.float32)

  for tf_name, keras_name in CONV_LAYERS.items():
    layer = model.get_layer(keras_name)
    kernel = read(f"{tf_name}/kernel")
    if isinstance(layer, layers.Conv1D):
      # The original's mid end is a Conv2D with kernel [7, channels] over a (time, channels, 1)
      # map: the same as a Conv1D over time with `channels` inputs.
      kernel = kernel.reshape(kernel.shape[0], kernel.shape[1], kernel.shape[3])
    _set(layer, [kernel, read(f"{tf_name}/bias")])
  for tf_name, keras_name in BATCH_NORM_LAYERS.items():
    _set(model.get_layer(keras_name), [read(f"{tf_name}/{var}") for var in
                                       ("gamma", "beta", "moving_mean", "moving_variance")])
  for tf_name, keras_name in DENSE_LAYERS.items():
    _set(model.get_layer(keras_name), [read(f"{tf_name}/kernel"), read(f"{tf_name}/bias")])
  if names - used:
    raise ValueError(f"checkpoint variables left unmapped: {sorted(names - used)}")
  output_path.parent.mkdir(parents=True, exist_ok=True)
  model.save_weights(output_path)
  return model


def main():
  parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
  parser.add_argument("package_dir", type=pathlib.Path,
                      help="the unpacked wheel's musicnn/ folder (holds MSD_musicnn/, ...)")
  repo = pathlib.Path(__file__).resolve().parents[1]
  parser.add_argument("--output_dir", type=pathlib.Path, default=repo / "jmer/resources/musicnn")
  args = parser.parse_args()
  for folder, dataset in CHECKPOINTS.items():
    # The checkpoint prefix is the folder itself: its files are named '.index', '.data-...'.
    prefix = str(args.package_dir / folder) + "/"
    output = args.output_dir / musicnn.PRETRAINED[dataset][0]
    convert(prefix, output)
    print(f"{folder} -> {output} ({output.stat().st_size / 1e6:.1f} MB)")


if __name__ == "__main__":
  main()
