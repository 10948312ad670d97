"""The pretrained networks by key: which architecture, weights and embedding each is.

The keys are what feature parameters store as `network` ('msd' and 'mtt' name the musicnn
networks, as before the VGGs were added, so existing caches and model files stay valid; 'moods'
is Essentia's five fine-tuned mood networks side by side, whose weights are not shipped: see
jmer.pretrained.mood_networks). This
module imports no Keras at load time: the data layer reads embedding sizes from it in processes
that never build a network.
"""

import dataclasses
import hashlib


# musicnn's tag names by training set, in the order of its 'tags' output (the VGGs' too).
MSD_TAGS = (
    "rock", "pop", "alternative", "indie", "electronic", "female vocalists", "dance", "00s",
    "alternative rock", "jazz", "beautiful", "metal", "chillout", "male vocalists",
    "classic rock", "soul", "indie rock", "Mellow", "electronica", "80s", "folk", "90s", "chill",
    "instrumental", "punk", "oldies", "blues", "hard rock", "ambient", "acoustic", "experimental",
    "female vocalist", "guitar", "Hip-Hop", "70s", "party", "country", "easy listening", "sexy",
    "catchy", "funk", "electro", "heavy metal", "Progressive rock", "60s", "rnb", "indie pop",
    "sad", "House", "happy")
MTT_TAGS = (
    "guitar", "classical", "slow", "techno", "strings", "drums", "electronic", "rock", "fast",
    "piano", "ambient", "beat", "violin", "vocal", "synth", "female", "indian", "opera", "male",
    "singing", "vocals", "no vocals", "harpsichord", "loud", "quiet", "flute", "woman",
    "male vocal", "no vocal", "pop", "soft", "sitar", "solo", "man", "classic", "choir", "voice",
    "new age", "dance", "male voice", "female vocal", "beats", "harp", "cello", "no voice",
    "weird", "country", "metal", "female voice", "choral")
TAG_NAMES = {"msd": MSD_TAGS, "mtt": MTT_TAGS}


@dataclasses.dataclass(frozen=True)
class Network:
  """One shipped network.

  Attributes:
    family: 'musicnn' (jmer.pretrained.musicnn), 'vgg' (jmer.pretrained.vgg) or 'moods'
      (jmer.pretrained.mood_networks).
    dataset: the training set, a key of the family module's PRETRAINED ('msd' or 'mtt'; for
      'moods', the set the networks were fine-tuned from).
    embedding: the output a frozen feature caches per 3 s patch.
    embedding_dim: its size.
    checkpoint: the folder of the original TF1 checkpoint in the musicnn 0.1.0 wheel ('' for
      the mood networks, which come from Essentia).
  """
  family: str
  dataset: str
  embedding: str
  embedding_dim: int
  checkpoint: str

  @property
  def weights_file(self) -> str:
    """The shipped weights file's name in jmer/resources/musicnn/ (the family's PRETRAINED
    table names the same file; known here so that finding it imports no Keras)."""
    return f"{self.dataset}_{self.family}.weights.h5"


# musicnn's 'penultimate' (the 200-unit layer the tags read) and the VGG's 'pool5' (the 256
# values its tag layer reads) are each the layer the tags are a linear function of.
NETWORKS = {
    "msd": Network("musicnn", "msd", "penultimate", 200, "MSD_musicnn"),
    "mtt": Network("musicnn", "mtt", "penultimate", 200, "MTT_musicnn"),
    "msd_vgg": Network("vgg", "msd", "pool5", 256, "MSD_vgg"),
    "mtt_vgg": Network("vgg", "mtt", "pool5", 256, "MTT_vgg"),
    # The five networks' two sigmoid outputs each (mood_networks.COLUMNS), 10 per patch.
    "moods": Network("moods", "msd", "mood", 10, ""),
}


def get(key: str) -> Network:
  """The network registered under `key`; a ValueError names the known keys otherwise.

  Args:
    key: the network's key, e.g. 'msd' or 'mtt_vgg'.

  Returns:
    The Network record.
  """
  if key not in NETWORKS:
    raise ValueError(f"unknown pretrained network {key!r}: expected one of {sorted(NETWORKS)}")
  return NETWORKS[key]


def _family(network: Network):
  """(module, model builder) of a network's family; imported on first use (Keras)."""
  from jmer.pretrained import musicnn
  from jmer.pretrained import vgg
  return {"musicnn": (musicnn, musicnn.build_musicnn), "vgg": (vgg, vgg.build_vgg)}[network.family]


def weights_path(key: str):
  """A context manager giving the filesystem path of network `key`'s shipped weights file.

  Args:
    key: the network's key (a shipped one: not 'moods', which has five weight files).

  Returns:
    A context manager whose value is the weights file's pathlib.Path.
  """
  from jmer.pretrained import shipped_weights
  network = get(key)
  if network.family == "moods":
    raise ValueError("the mood networks are five weight files, not shipped: use weights_hash")
  return shipped_weights.weights_path({network.dataset: (network.weights_file, ())},
                                      network.dataset)


def weights_hash(key: str) -> str:
  """A short hash of network `key`'s weights: new weights, new feature caches.

  Args:
    key: the network's key.

  Returns:
    12 hex digits: of the SHA-1 of a shipped weights file, or over the mood networks' files.
  """
  if get(key).family == "moods":
    from jmer.pretrained import mood_networks
    return mood_networks.weights_hash()
  with weights_path(key) as path:
    return hashlib.sha1(path.read_bytes()).hexdigest()[:12]


def embedding_network(key: str, name: str | None = None, also: tuple = ()):
  """Network `key` with its pretrained weights and its embedding as the only output.

  Args:
    key: a NETWORKS key.
    name: the Keras model's name (default: the family's); a model holding two networks needs
      two names.
    also: more outputs of the family's builder (e.g. musicnn's 'penultimate_prerelu'), computed
      in the same call; the model's output is then a dict keyed by output name, the embedding's
      included.

  Returns:
    A keras.Model from (batch, 187, 96) musicnn log-mel patches to (batch, embedding_dim), or
    to a dict of outputs with `also`.
  """
  network = get(key)
  if network.family == "moods":
    if also:
      raise ValueError(f"the mood networks have no outputs beyond {network.embedding!r}")
    from jmer.pretrained import mood_networks
    return mood_networks.moods_network(**({"name": name} if name else {}))
  module, build = _family(network)
  outputs = (network.embedding, *also) if also else network.embedding
  model = build(outputs, **({"name": name} if name else {}))
  return module.load_pretrained(model, dataset=network.dataset)
