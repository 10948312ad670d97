"""Assembles the functional model from a config."""

import keras

from jmer.data import features as features_lib
from jmer.data import pipeline
from jmer.models import branches
from jmer.models import fusion
from jmer.models import heads
from jmer.models import trunks


def build_model(config, params: dict, num_genres: int, stats: dict | None = None) -> keras.Model:
  """Inputs {feature: (frames, bins)} → outputs {head: prediction} for the configured tasks.

  `params` are the feature parameters (jmer.data.features.feature_params); `stats` the
  training-split normalisation {feature: (mean, variance)}.
  """
  keras.utils.set_random_seed(config.seed)  # fixes the initial weights
  frames = pipeline.segment_frames(config)
  inputs, embeddings = {}, {}
  trunk = trunks.TRUNKS[config.model.trunk]
  for name, p in params.items():
    mean, var = (stats or {}).get(name, (None, None))
    inputs[name], x = branches.feature_branch(
        name, frames, features_lib.feature_bins(name, p), mean, var)
    embeddings[name] = trunk(x, config, name=f"{name}_{config.model.trunk}")
  shared = fusion.late_fusion(embeddings, config)
  make_head = {"genre": lambda: heads.genre_head(shared, num_genres),
               "emotion": lambda: heads.emotion_av_head(shared),
               "quadrant": lambda: heads.quadrant_head(shared)}
  outputs = {name: make_head[name]() for name in pipeline.output_names(config)}
  return keras.Model(inputs=inputs, outputs=outputs, name="jmer")
