"""Prediction's fast path for models whose every input is a frozen musicnn embedding (the
shipped real-music model reads MSD- and MTT-musicnn).

The generic path (jmer.inference.streamed_features) computes each feature on its own: a log-mel
per network, each network in its own calls, then per-frame copies of the patch embeddings from
which the tag probabilities were computed frame by frame. Here, for the same results:

* **one log-mel** for every network: the musicnn features of a model share sample rate, FFT,
  hop, mel bands and patch hop (`applies`), so they share the log-mel and its patches;
* **one compiled function for every network**: one jitted call embeds a batch of patches with
  all the networks and returns every output prediction reads (each feature's embedding, the
  MSD network's pre-ReLU layer for the arousal/valence regressor, its tags), padded to one of
  a few sizes (CALL_SIZES) so the function compiles for a few shapes only;
* **patches of many files in one call** (jmer.inference.many_files): `prepare` (decoding,
  resampling, log-mel, patches) and `embed` are separate steps, so a caller can batch patches
  of several files and prepare the next files while the networks run;
* **tags per patch**: a frame's tags are its patch's, so the file's mean over frames is the
  patches' tags weighted by how many frames each patch gives.

The function is plain JAX (jmer.pretrained.musicnn_jax; Keras reads the weights files), built
once per process, or read from the exported-function cache (jmer.inference.exported) without
Keras when a fresh process has seen the model before.
"""

import dataclasses
import functools

import numpy as np

from jmer.data import musicnn_features
from jmer.data import musicnn_input
from jmer.inference import streamed_features
from jmer.pretrained import networks

# What every musicnn feature of a model must share for one log-mel and one set of patches.
GRID_KEYS = ("sample_rate", "n_fft", "hop_length", "n_mels", "patch_hop")
BATCH_PATCHES = 32  # most patches per call
# Sizes a call is padded to (each compiles once; XLA's persistent cache keeps them): a 30 s
# song's 11 patches take 12, not the 16 a power of two would cost.
CALL_SIZES = (1, 2, 4, 8, 12, 16, 20, 24, 28, 32)
TAGS = "tags"
SEPARATOR = "/"  # the fused function's outputs are named "<feature>/<network output>"


def applies(params: dict) -> bool:
  """True when every feature is a frozen musicnn-family embedding on one shared patch grid.

  Args:
    params: a model's {feature name: parameters} (bundle.params).

  Returns:
    Whether the fast path computes these features.
  """
  if not params or not all(musicnn_features.is_embedding(p) for p in params.values()):
    return False
  return len({tuple(p.get(k) for k in GRID_KEYS) for p in params.values()}) == 1


@dataclasses.dataclass
class Prepared:
  """One file's network input: everything before the networks.

  Attributes:
    samples: audio samples read (at the model's sample rate).
    n_frames: frames of its log-mel.
    starts: the patches' start frames.
    patches: float32 (patches, 187, 96) log-mel patches.
  """
  samples: int
  n_frames: int
  starts: np.ndarray
  patches: np.ndarray


class Engine:
  """The fast path of one model: prepare a file, embed patches, turn outputs into features.

  Args:
    params: the model's feature parameters (`applies` must hold).
    extra: {feature: more network outputs to compute} (e.g. musicnn's 'penultimate_prerelu'
      for the arousal/valence regressor, 'tags' for the model's tag network).
  """

  def __init__(self, params: dict, extra: dict):
    self.params = params
    grid = next(iter(params.values()))
    self.sample_rate, self.patch_hop = grid["sample_rate"], grid["patch_hop"]
    self.outputs = {name: (networks.get(p["network"]).embedding,
                           *(o for o in extra.get(name, ()) if o != networks.get(
                               p["network"]).embedding)) for name, p in params.items()}
    self._function = None

  def prepare(self, waves, path="input") -> Prepared:
    """The log-mel and patches of a whole file given as sample blocks (as the generic path
    computes them for each network: musicnn_features.compute); AudioError naming `path` for
    a file over streamed_features.WHOLE_FILE_MAX_SECONDS."""
    wave = streamed_features.whole_wave(waves, self.sample_rate, path)
    log_mel = musicnn_input.log_mel(wave, self.sample_rate)
    starts = musicnn_input.patch_starts(len(log_mel), hop_frames=self.patch_hop, flush_end=True)
    patches = musicnn_input.patches(log_mel, hop_frames=self.patch_hop, flush_end=True)
    return Prepared(len(wave), len(log_mel), np.asarray(starts), patches)

  def embed(self, patches: np.ndarray) -> dict:
    """{feature: {output: float32 (patches, dim)}} of every network, in calls of at most
    BATCH_PATCHES patches, each padded to the next of CALL_SIZES."""
    out = []
    for first in range(0, len(patches), BATCH_PATCHES):
      batch = patches[first:first + BATCH_PATCHES]
      size = next(n for n in CALL_SIZES if n >= len(batch))
      padded = np.zeros((size,) + patches.shape[1:], np.float32)
      padded[:len(batch)] = batch
      out.append({k: np.asarray(v)[:len(batch)] for k, v in self.function(padded).items()})
    merged = {k: np.concatenate([o[k] for o in out]).astype(np.float32) for k in out[0]}
    result = {name: {} for name in self.params}
    for key, value in merged.items():
      name, output = key.split(SEPARATOR)
      result[name][output] = value
    return result

  @property
  def function(self):
    """patches (n, 187, 96) -> {"<feature>/<output>": (n, dim)}, compiled once per shape."""
    if self._function is None:
      from jmer.inference import exported
      self._function = exported.patch_function(self.params, self.outputs)
    return self._function

  def frame_features(self, prepared: Prepared, embedded: dict) -> dict:
    """{feature: (frames, dim)}: each frame's nearest patch embedding, as the cache holds it."""
    nearest = musicnn_features.nearest_patch(prepared.n_frames, prepared.starts)
    return {name: embedded[name][self.outputs[name][0]][nearest] for name in self.params}

  @staticmethod
  def tag_sum(prepared: Prepared, tags: np.ndarray) -> np.ndarray:
    """The sum over frames of per-frame tag probabilities (a frame has its nearest patch's)."""
    nearest = musicnn_features.nearest_patch(prepared.n_frames, prepared.starts)
    counts = np.bincount(nearest, minlength=len(tags)).astype(np.float64)
    return counts @ tags.astype(np.float64)


def all_musicnn(params: dict) -> bool:
  """True when every feature's network is a musicnn (jmer.pretrained.musicnn_jax runs it)."""
  return all(networks.get(p["network"]).family == "musicnn" for p in params.values())


def jax_patch_forward(params: dict, outputs: dict) -> tuple:
  """(forward(weights, patches) -> {"<feature>/<output>": (batch, dim)}, weights as a flat
  list): every feature's musicnn in plain JAX, on the same patches."""
  import jax
  from jmer.pretrained import musicnn_jax
  tree = {name: musicnn_jax.weights(networks.get(p["network"]).dataset)
          for name, p in params.items()}
  leaves, treedef = jax.tree_util.tree_flatten(tree)

  def forward(weights, patches):
    tree = jax.tree_util.tree_unflatten(treedef, weights)
    return {f"{name}{SEPARATOR}{k}": v for name in params
            for k, v in musicnn_jax.forward(tree[name], patches, outputs[name]).items()}

  return forward, leaves


def keras_patch_model(params: dict, outputs: dict):
  """A Keras model from (batch, 187, 96) patches to {"<feature>/<output>": (batch, dim)}: every
  feature's network, with its shipped weights, on the same input."""
  import keras
  patches = keras.Input((musicnn_input.PATCH_FRAMES, musicnn_input.N_MELS), name="patches")
  named = {}
  for name, p in params.items():
    net = _network(p["network"], name, outputs[name])
    result = net(patches)
    result = result if isinstance(result, dict) else {outputs[name][0]: result}
    named.update({f"{name}{SEPARATOR}{k}": v for k, v in result.items()})
  return keras.Model(patches, named, name="musicnn_patches")


@functools.lru_cache(maxsize=8)
def _network(network: str, feature: str, outputs: tuple):
  main = networks.get(network).embedding
  return networks.embedding_network(network, name=f"{feature}_net",
                                    also=tuple(o for o in outputs if o != main))
