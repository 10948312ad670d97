"""Fixed-length segments of cached features: the segment length in frames, a crop (padded
when a track is short), and the deterministic tiling that evaluation and prediction share.

A frozen pretrained feature (musicnn embeddings) holds one embedding per 3 s patch, repeated on
every frame the patch is nearest to. With `features.one_row_per_patch` such a feature enters the
model at one row every `features.musicnn_hop_frames` frames of the segment (its *input stride*):
the same embeddings, without the repeats. Every other feature keeps one row per frame.

Features stay float16 in memory, as cached, and segments are cut in float16; tf.data
casts a batch to float32 (jmer.data.pipeline.map_batches).
"""

import numpy as np

from jmer.data import features as features_lib
from jmer.data import musicnn_features
from jmer.data import splits as splits_lib


def segment_frames(config) -> int:
  """Frames in one segment: data.segment_seconds at the feature frame rate."""
  return int(round(config.data.segment_seconds * config.data.sample_rate
                   / config.features.hop_length))


def input_strides(config) -> dict:
  """{feature: input stride}: the frames between two rows of a feature's model input.

  The patch hop (features.musicnn_hop_frames) for a frozen pretrained feature under
  features.one_row_per_patch, else 1 (every frame).
  """
  params = features_lib.feature_params(config)
  per_patch = bool(config.features.one_row_per_patch)
  return {name: int(p["patch_hop"]) if per_patch and musicnn_features.is_embedding(p) else 1
          for name, p in params.items()}


def input_rows(length: int, stride: int) -> int:
  """Rows of a `length`-frame segment taken every `stride` frames (the first row is frame 0)."""
  return -(-int(length) // int(stride))


def crop(feats: dict, start: int, length: int, strides: dict | None = None) -> dict:
  """A `length`-frame window of every feature from `start`, in the feature's dtype (float16 as
  cached); short tracks are padded. `strides` ({feature: input stride}, default 1) thins a
  feature to every stride-th frame of the window: input_rows(length, stride) rows."""
  strides = strides or {}
  return {name: features_lib.pad_frames(name, array[start:start + length], length)
          [::strides.get(name, 1)] for name, array in feats.items()}


def eval_starts(n_frames: int, length: int, hop: int) -> list:
  """Segment starts tiling a track: every `hop` frames, plus one flush with the end."""
  if n_frames <= length:
    return [0]
  starts = list(range(0, n_frames - length + 1, hop))
  if starts[-1] + length < n_frames:
    starts.append(n_frames - length)
  return starts


def eval_index(split: splits_lib.SplitData, config):
  """(track index, start frame) of every tiled evaluation segment of a split, track by track."""
  length = segment_frames(config)
  hop = max(1, int(round(config.eval.hop_seconds * config.data.sample_rate
                         / config.features.hop_length)))
  per_track = [eval_starts(split.frames(i), length, hop) for i in range(len(split.tracks))]
  owner = np.repeat(np.arange(len(per_track)), [len(s) for s in per_track])
  return owner.astype(np.int64), np.asarray([s for t in per_track for s in t], np.int64)


def cut_segments(split: splits_lib.SplitData, tracks, starts, length: int,
                 strides: dict | None = None) -> dict:
  """{name: (len(tracks), rows, bins)}: the segment of tracks[k] from starts[k], in the
  cache's dtype (float16); the tf.data pipeline casts to float32 (map_batches). rows is
  `length`, or input_rows(length, stride) for a feature with an input stride (crop)."""
  feats = split.features
  crops = [crop({n: feats[n][i] for n in feats}, s, length, strides)
           for i, s in zip(tracks, starts)]
  return {n: np.stack([c[n] for c in crops]) for n in feats}
