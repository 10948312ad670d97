"""The names a config may choose, each kind listed once: features, trunks, fusion modes.

Config validation needs these names without importing Keras, so they live here, at the bottom
of the package (this module imports nothing). The modules that build a named thing register
their builders against these lists with `builders(...)`, which refuses a builder for a name not
listed here and a listed name left without a builder; `lookup(...)` refuses an unknown name
from the one dict that knows it. (Tasks are the one kind of name with more than a builder
behind it: they live in jmer.tasks.TASKS. Config variants live in jmer.config.variants.VARIANTS.)
"""

# Features computed from one shared STFT (jmer.data.features).
STFT_FEATURES = ("mel", "mfcc", "chroma")
# Features embedded by a pretrained network: feature name -> the network it embeds with (a
# jmer.pretrained.networks.NETWORKS key). The first four are the musicnn wheel's shipped
# networks; 'musicnn_moods' is Essentia's five fine-tuned mood networks (weights not shipped:
# jmer.pretrained.mood_networks), their ten sigmoid outputs per patch.
PRETRAINED_NETWORKS = {"musicnn": "msd", "musicnn_mtt": "mtt",
                       "musicnn_vgg": "msd_vgg", "musicnn_vgg_mtt": "mtt_vgg",
                       "musicnn_moods": "moods"}
FEATURES = STFT_FEATURES + tuple(PRETRAINED_NETWORKS)

# Sequence trunks (jmer.models.trunks.TRUNKS): a (frames, bins) map -> an embedding.
TRUNKS = ("crnn", "transformer")
# Trunks over rows of vectors (jmer.models.trunks.ROW_TRUNKS): pretrained embeddings one row per
# patch, or a spectral feature summarised per window (model.rows.window). 'pooled': the mean
# and max over rows (nothing learns the order); 'crnn': a Conv1D over neighbouring rows and a
# BiLSTM; 'transformer': an encoder over the rows.
ROW_TRUNKS = ("pooled", "crnn", "transformer")
# How branches merge (jmer.models.build.FUSIONS): 'mean' and 'gated' late fusion of per-branch
# predictions, 'concat' of branch embeddings.
FUSIONS = ("mean", "gated", "concat")


def lookup(table: dict, kind: str, name: str):
  """table[name], or a KeyError 'Unrecognized <kind>: <name>' naming the known ones.

  Args:
    table: a dict from names to what they stand for (builders, usually).
    kind: what the names are, e.g. 'trunk', for the message.
    name: the name asked for.
  Returns:
    The entry of `name`.
  """
  if name not in table:
    raise KeyError(f"Unrecognized {kind}: {name!r} (expected one of {tuple(table)})")
  return table[name]


def builders(names: tuple, kind: str, **by_name) -> dict:
  """{name: builder} in the order of `names`, checked to cover exactly those names.

  Args:
    names: the names of this kind, as listed in this module (e.g. TRUNKS).
    kind: what the names are, for the message.
    **by_name: one builder per name.
  Returns:
    The dict, to be looked up with `lookup`.
  Raises:
    ValueError: a builder for an unlisted name, or a listed name without a builder.
  """
  if set(by_name) != set(names):
    raise ValueError(f"{kind} builders {sorted(by_name)} do not match the {kind} names "
                     f"{sorted(names)} of jmer.config.names")
  return {name: by_name[name] for name in names}
