"""The late-fusion layer merging per-feature branch embeddings."""

from keras import layers


def late_fusion(embeddings: dict, config):
  """Merges {feature: embedding}; with one feature it is the identity."""
  if len(embeddings) == 1:
    return next(iter(embeddings.values()))
  x = layers.Concatenate(name="late_fusion_concat")(list(embeddings.values()))
  return layers.Dense(config.model.embedding_dim, activation="relu", name="late_fusion_mlp")(x)
