"""The pretrained-network features (`musicnn`, `musicnn_mtt`, `musicnn_vgg`, `musicnn_vgg_mtt`):
embeddings of musicnn 0.1.0's shipped networks on jmer's frame grid; and `musicnn_moods`, the
ten sigmoid outputs of Essentia's five fine-tuned mood networks (jmer.pretrained.mood_networks,
frozen only, weights read from the data folder) on the same patches.

jmer crops every feature with the same frame indices, so a musicnn feature must be one row per
frame of the 16 kHz / 256-sample-hop grid that musicnn's own log-mel uses (config.validate makes
a config using it run at that grid). What is cached depends on `model.pretrained.trainable`:

* frozen (False, the default): the per-frame embedding of the pretrained network
  (jmer.pretrained.networks): musicnn's 200-d *penultimate* layer, or the VGG's 256-d *pool5*
  (its tag layer's input, the same role). For musicnn the penultimate layer is used rather than
  the pooled mid-end features (2 x 753-d): a linear probe scores it as well (the since removed
  experiments/musicnn_probe.py; docs/performance.md, "Figures without a committed result
  file") and it caches 7.5x fewer values per frame; the VGG's pool5 is chosen by analogy.
  187-frame (3 s) patches are cut every `features.musicnn_hop_frames` frames (plus one flush
  with the end), embedded, and frame t takes the embedding of the patch whose centre is nearest, so a segment
  crop sees the embeddings of the patches around it. A training head on these trains in
  seconds.
* fine-tuning (True): musicnn's 96-band log-mel itself, which the model's branch feeds through
  the pretrained network (jmer.models.branches), so the network's weights can change.

The parameters (jmer.data.features.feature_params) include the network, what is cached, the
patch hop and a hash of the weights file, so caches of different settings never mix. The network
is built once per process, lazily; jmer.data.features computes embeddings in the parent process
rather than in its worker processes (one network, using both cores through XLA, instead of a
JAX runtime and a compile per worker).
"""

import functools

import numpy as np

from jmer.config import names
from jmer.data import musicnn_input
from jmer.pretrained import networks

# Feature name -> the shipped network it embeds with (a jmer.pretrained.networks.NETWORKS key).
NETWORKS = names.PRETRAINED_NETWORKS
LOG_MEL = "log_mel"  # what a fine-tuned feature caches (a frozen one: the network's embedding)
# Most patches per network call. Calls are padded to a power of two up to it, so the predict
# function compiles for a few shapes only and a short clip does not pay for 32 patches.
BATCH_PATCHES = 32


@functools.lru_cache(maxsize=4)
def weights_hash(network: str) -> str:
  """A short hash of the network's weights: new weights make a new cache.

  Args:
    network: the network's name (jmer.pretrained.networks).

  Returns:
    The first 12 hex digits of the SHA-1 of the weights file (networks.weights_hash).
  """
  return networks.weights_hash(network)


def feature_params(name: str, config, version: int) -> dict:
  """The parameters that determine feature `name` (a NETWORKS key) under `config`.

  Args:
    name: the feature's name.
    config: the run config (features.*).
    version: the feature code version (features.FEATURE_VERSION).

  Returns:
    A JSON-ready dict: sample rate (Hz), FFT size and hop (samples), mel bands, the network,
    the output (log-mel or an embedding layer) and, for embeddings, the patch hop (frames).
  """
  trainable = bool(config.model.pretrained.trainable)
  network = NETWORKS[name]
  if trainable and networks.get(network).family == "moods":
    raise ValueError(f"feature {name!r} (Essentia's mood networks) is frozen only; "
                     "model.pretrained.trainable must be False")
  params = dict(version=version, sample_rate=musicnn_input.SAMPLE_RATE,
                n_fft=musicnn_input.FFT_SIZE, hop_length=musicnn_input.HOP_LENGTH,
                n_mels=musicnn_input.N_MELS, network=network,
                output=LOG_MEL if trainable else networks.get(network).embedding)
  if not trainable:
    params.update(patch_hop=int(config.features.musicnn_hop_frames),
                  weights=weights_hash(NETWORKS[name]))
  return params


def is_embedding(params: dict) -> bool:
  """True for the parameters of a frozen pretrained feature (cached embeddings).

  Args:
    params: a feature's parameters (feature_params).

  Returns:
    True for cached embeddings, False for a log-mel input.
  """
  return "network" in params and params.get("output") != LOG_MEL


def feature_bins(params: dict) -> int:
  """Returns the width of a feature's frames: the embedding size, or the mel bands.

  Args:
    params: the feature's parameters (feature_params).
  """
  if is_embedding(params):
    return networks.get(params["network"]).embedding_dim
  return musicnn_input.N_MELS


@functools.lru_cache(maxsize=4)
def _network(network: str, also: tuple = ()):
  """The pretrained network with its embedding output (and the outputs `also` names, as a dict);
  built and loaded once per process for each set of outputs."""
  return networks.embedding_network(network, also=also)


@functools.lru_cache(maxsize=2)
def tag_weights(network: str) -> tuple:
  """(kernel (200, 50), bias (50,)) of the network's tag layer, which reads the penultimate
  embedding that a frozen feature caches: tags come from cached embeddings for free.

  Args:
    network: a musicnn network's name.

  Returns:
    (kernel, bias) as float32 arrays.

  Raises:
    ValueError: the network has no tag layer over its cached embedding.
  """
  import keras
  from jmer.pretrained import musicnn
  from jmer.pretrained import networks
  spec = networks.get(network)
  if spec.family != "musicnn":
    raise ValueError(f"tags come from a musicnn network's penultimate layer, not {network!r}")
  head = keras.Sequential([
      keras.Input((spec.embedding_dim,)),
      keras.layers.Dense(len(musicnn.tag_names(spec.dataset)), name="tags")])
  musicnn.load_pretrained(head, dataset=spec.dataset)
  kernel, bias = head.get_layer("tags").get_weights()
  return kernel.astype(np.float32), bias.astype(np.float32)


def tag_probabilities(embeddings: np.ndarray, network: str) -> np.ndarray:
  """(frames, 50) musicnn tag probabilities (sigmoid) of (frames, 200) penultimate embeddings.

  Args:
    embeddings: (frames, 200) penultimate-layer embeddings.
    network: the musicnn network that made them.

  Returns:
    A (frames, 50) float array of probabilities in [0, 1].
  """
  kernel, bias = tag_weights(network)
  logits = np.asarray(embeddings, np.float32) @ kernel + bias
  return 1.0 / (1.0 + np.exp(-logits))


def embed_patches(patches: np.ndarray, network: str, also: tuple = ()):
  """Embeds log-mel patches with a pretrained network.

  Args:
    patches: float32 (patches, 187, 96): 3 s of musicnn's log-mel each.
    network: a jmer.pretrained.networks.NETWORKS key.
    also: more outputs of the network to compute in the same calls (e.g. musicnn's
      'penultimate_prerelu').

  Returns:
    float32 (patches, embedding_dim) array; with `also`, a dict of such arrays keyed by output
    name, the embedding's (networks.get(network).embedding) included.
  """
  model = _network(network, tuple(also))
  out = []
  for first in range(0, len(patches), BATCH_PATCHES):
    batch = patches[first:first + BATCH_PATCHES]
    size = min(BATCH_PATCHES, 1 << (len(batch) - 1).bit_length())
    padded = np.zeros((size,) + batch.shape[1:], np.float32)
    padded[:len(batch)] = batch
    predicted = model.predict_on_batch(padded)
    out.append({k: np.asarray(v)[:len(batch)] for k, v in predicted.items()} if also
               else np.asarray(predicted)[:len(batch)])
  if also:
    return {k: np.concatenate([o[k] for o in out]).astype(np.float32) for k in out[0]}
  return np.concatenate(out).astype(np.float32)


def nearest_patch(n_frames: int, starts: np.ndarray) -> np.ndarray:
  """For each frame, the index of the patch whose centre is nearest.

  Args:
    n_frames: frames to assign.
    starts: the patches' start frames, ascending.

  Returns:
    int array (n_frames,) of patch indices.
  """
  centres = starts + musicnn_input.PATCH_FRAMES // 2
  return np.searchsorted((centres[1:] + centres[:-1]) / 2.0, np.arange(n_frames))


def compute(wave: np.ndarray, params: dict, patch_outputs: dict | None = None) -> np.ndarray:
  """One track's pretrained-network feature.

  Args:
    wave: mono float32 samples at 16 kHz.
    params: the feature's parameters (feature_params).
    patch_outputs: for a frozen feature, optionally a dict whose keys name more outputs of its
      network (e.g. musicnn's 'penultimate_prerelu'); each is set to that output's float32
      (patches, dim) array, computed in the same network calls as the embedding, and
      'patch_starts' to the patches' start frames. Ignored for a fine-tuned (log-mel) feature.

  Returns:
    float32 (frames, bins) on musicnn's grid (hop 256): the 96-band log-mel when fine-tuning,
    else each frame's nearest patch embedding.
  """
  log_mel = musicnn_input.log_mel(wave, params["sample_rate"])
  if not is_embedding(params):
    return log_mel
  hop = params["patch_hop"]
  starts = musicnn_input.patch_starts(len(log_mel), hop_frames=hop, flush_end=True)
  patches = musicnn_input.patches(log_mel, hop_frames=hop, flush_end=True)
  also = tuple(k for k in (patch_outputs or {}) if k != "patch_starts")
  embeddings = embed_patches(patches, params["network"], also)
  if also:
    patch_outputs.update({k: embeddings[k] for k in also}, patch_starts=np.asarray(starts))
    embeddings = embeddings[networks.get(params["network"]).embedding]
  return embeddings[nearest_patch(len(log_mel), starts)]
