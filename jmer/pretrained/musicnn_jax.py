"""musicnn's inference as a plain JAX function of its weights, for prediction's fast path.

The same network as jmer.pretrained.musicnn.build_musicnn (see there) with the same shipped
weights, computed without building a Keras model: prediction in a process without cached
programs used to build every network twice (once in the weights file's layout to read it),
initialise all variables at random before overwriting them, and trace the Keras graph. Here
the weights are read from the weights file with h5py and the forward pass is a few lax calls;
its outputs equal the Keras model's to float32 rounding (tests/inference/test_fast_path.py
compares them; tests/pretrained/test_musicnn.py checks the Keras port against the original).

The timbral convolutions are XLA's own 2-D convolution (one input channel) followed by a max
over frequency: for inference on CPU this measured no slower than the time-unfolded form the
Keras port uses for training (1.05-1.09x faster on the loaded machine, within its noise).
"""

import jax
import jax.numpy as jnp
from jax import lax

EPSILON = 1e-3  # batch norms: TF1's epsilon, as the Keras port
TIMBRAL = ("timbral74", "timbral77")
TEMPORAL = ("temporal128", "temporal64", "temporal32")


# Where the shipped .weights.h5 files (written by Keras from the port's checkpoint layout) keep
# each layer: Keras names them by class in creation order. Reading them directly builds no
# network (tests/inference/test_fast_path.py checks them against the Keras port's weights).
H5_LAYERS = {
    "input_bn": "batch_normalization", "timbral74_bn": "batch_normalization_1",
    "timbral77_bn": "batch_normalization_2", "temporal128_bn": "batch_normalization_3",
    "temporal64_bn": "batch_normalization_4", "temporal32_bn": "batch_normalization_5",
    "midend1_bn": "batch_normalization_6", "midend2_bn": "batch_normalization_7",
    "midend3_bn": "batch_normalization_8", "pool_bn": "batch_normalization_9",
    "penultimate": "batch_normalization_10", "timbral74_conv": "conv2d",
    "timbral77_conv": "conv2d_1", "temporal128_conv": "conv2d_2", "temporal64_conv": "conv2d_3",
    "temporal32_conv": "conv2d_4", "midend1_conv": "conv1d", "midend2_conv": "conv1d_1",
    "midend3_conv": "conv1d_2", "penultimate_dense": "dense", "tags": "dense_1",
}


def weights(dataset: str) -> dict:
  """{layer name: [float32 arrays]} of the shipped musicnn trained on `dataset` ('msd' or
  'mtt'), in the Keras port's layer names and weight order, read from its weights file."""
  import h5py
  from jmer.pretrained import networks
  with networks.weights_path(dataset) as path, h5py.File(path, "r") as stored:
    return {name: [jnp.asarray(stored[f"layers/{group}/vars/{i}"][()])
                   for i in range(len(stored[f"layers/{group}/vars"]))]
            for name, group in H5_LAYERS.items()}


def _bn(x, w):
  gamma, beta, mean, variance = w
  return (x - mean) * lax.rsqrt(variance + EPSILON) * gamma + beta


def _conv2d(x, w, padding):
  kernel, bias = w
  y = lax.conv_general_dilated(x, kernel, (1, 1), padding,
                               dimension_numbers=("NHWC", "HWIO", "NHWC"))
  return jax.nn.relu(y + bias)


def _conv1d(x, w):
  kernel, bias = w
  y = lax.conv_general_dilated(x, kernel, (1,), "SAME", dimension_numbers=("NWC", "WIO", "NWC"))
  return jax.nn.relu(y + bias)


def forward(w: dict, patches, outputs=("penultimate",)) -> dict:
  """The network's outputs for a batch of log-mel patches.

  Args:
    w: weights (`weights`).
    patches: float32 (batch, 187, 96) musicnn log-mel patches.
    outputs: names among 'penultimate', 'penultimate_prerelu', 'tags', 'mean_pool',
      'max_pool' (build_musicnn's outputs).

  Returns:
    {name: (batch, dim) float32} for each name in `outputs`.
  """
  x = _bn(patches[..., None], w["input_bn"])
  branches = []
  for name in TIMBRAL:  # time padded by 3 each side, valid in frequency
    y = _conv2d(jnp.pad(x, ((0, 0), (3, 3), (0, 0), (0, 0))), w[f"{name}_conv"], "VALID")
    branches.append(jnp.max(_bn(y, w[f"{name}_bn"]), axis=2))
  for name in TEMPORAL:  # 'same' padding: one frame more after than before for even kernels
    y = _conv2d(x, w[f"{name}_conv"], "SAME")
    branches.append(jnp.max(_bn(y, w[f"{name}_bn"]), axis=2))
  front = jnp.concatenate(branches, axis=-1)
  cnn1 = _bn(_conv1d(front, w["midend1_conv"]), w["midend1_bn"])
  cnn2 = _bn(_conv1d(cnn1, w["midend2_conv"]), w["midend2_bn"]) + cnn1
  cnn3 = _bn(_conv1d(cnn2, w["midend3_conv"]), w["midend3_bn"]) + cnn2
  mid = jnp.concatenate([front, cnn1, cnn2, cnn3], axis=-1)
  max_pool, mean_pool = jnp.max(mid, axis=1), jnp.mean(mid, axis=1)
  pooled = jnp.stack([max_pool, mean_pool], axis=-1).reshape(mid.shape[0], -1)  # TF's order
  kernel, bias = w["penultimate_dense"]
  prerelu = _bn(pooled, w["pool_bn"]) @ kernel + bias
  penultimate = _bn(jax.nn.relu(prerelu), w["penultimate"])
  named = dict(penultimate=penultimate, penultimate_prerelu=prerelu, max_pool=max_pool,
               mean_pool=mean_pool)
  if "tags" in outputs:
    kernel, bias = w["tags"]
    named["tags"] = jax.nn.sigmoid(penultimate @ kernel + bias)
  return {name: named[name] for name in outputs}
