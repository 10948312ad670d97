"""Fixed-length segments of cached features: the segment length in frames, a crop (padded
when a track is short), and the deterministic tiling that evaluation and prediction share.

Features stay float16 in memory, as cached, and segments are cut in float16; tf.data
casts a batch to float32 (jmer.data.pipeline.map_batches).
"""

import numpy as np

from jmer.data import features as features_lib
from jmer.data import splits as splits_lib


def segment_frames(config) -> int:
  """Frames in one segment: data.segment_seconds at the feature frame rate."""
  return int(round(config.data.segment_seconds * config.data.sample_rate
                   / config.features.hop_length))


def crop(feats: dict, start: int, length: int) -> dict:
  """A `length`-frame window of every feature from `start`, in the feature's dtype (float16 as
  cached); short tracks are padded."""
  return {name: features_lib.pad_frames(name, array[start:start + length], length)
          for name, array in feats.items()}


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


def cut_segments(split: splits_lib.SplitData, tracks, starts, length: int) -> dict:
  """{name: (len(tracks), length, bins)}: the segment of tracks[k] from starts[k], in the
  cache's dtype (float16); the tf.data pipeline casts to float32 (map_batches)."""
  feats = split.features
  crops = [crop({n: feats[n][i] for n in feats}, s, length) for i, s in zip(tracks, starts)]
  return {n: np.stack([c[n] for c in crops]) for n in feats}
