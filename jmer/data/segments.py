"""Fixed-length segments of cached features: the segment length in frames, a crop (padded
when a track is short), and the deterministic tiling that evaluation and prediction share.

Features stay float16 in memory, as cached, and segments are cut in float16; tf.data
casts a batch to float32 (jmer.data.pipeline.map_batches).
"""

import numpy as np

from jmer.data import features as features_lib
from jmer.data import splits as splits_lib


def segment_frames(config) -> int:
  """Frames in one segment: data.segment_seconds at the feature frame rate.

  Args:
    config: the run's config; reads data.segment_seconds (s), data.sample_rate (Hz) and
      features.hop_length (samples per frame).

  Returns:
    The segment length in frames, rounded to the nearest frame.
  """
  return int(round(config.data.segment_seconds * config.data.sample_rate
                   / config.features.hop_length))


def crop(feats: dict, start: int, length: int) -> dict:
  """A window of every feature of one track; short tracks are padded (features.pad_frames).

  Args:
    feats: {feature name: (frames, bins) array} of one track.
    start: the window's first frame.
    length: the window's length in frames.

  Returns:
    {feature name: (length, bins) array} in each feature's dtype (float16 as cached).
  """
  return {name: features_lib.pad_frames(name, array[start:start + length], length)
          for name, array in feats.items()}


def eval_starts(n_frames: int, length: int, hop: int) -> list:
  """Segment starts tiling a track: every `hop` frames, plus one flush with the end.

  Args:
    n_frames: the track's length in frames.
    length: the segment length in frames.
    hop: frames between consecutive starts.

  Returns:
    The start frames, ascending; [0] for a track no longer than one segment.
  """
  if n_frames <= length:
    return [0]
  starts = list(range(0, n_frames - length + 1, hop))
  if starts[-1] + length < n_frames:
    starts.append(n_frames - length)
  return starts


def eval_index(split: splits_lib.SplitData, config):
  """Every tiled evaluation segment of a split, track by track.

  Args:
    split: the split's tracks and cached features.
    config: the run's config; reads data.segment_seconds and eval.hop_seconds (s),
      data.sample_rate (Hz) and features.hop_length (samples per frame).

  Returns:
    (track index, start frame): two int64 arrays with one entry per segment.
  """
  length = segment_frames(config)
  hop = max(1, int(round(config.eval.hop_seconds * config.data.sample_rate
                         / config.features.hop_length)))
  per_track = [eval_starts(split.frames(i), length, hop) for i in range(len(split.tracks))]
  owner = np.repeat(np.arange(len(per_track)), [len(s) for s in per_track])
  return owner.astype(np.int64), np.asarray([s for t in per_track for s in t], np.int64)


def cut_segments(split: splits_lib.SplitData, tracks, starts, length: int) -> dict:
  """Cuts one segment per (track, start) pair from a split's cached features.

  Args:
    split: the split's tracks and cached features.
    tracks: track indices into the split.
    starts: the segments' start frames, one per entry of `tracks`.
    length: the segment length in frames.

  Returns:
    {feature name: (len(tracks), length, bins) array} in the cache's dtype (float16); the
    tf.data pipeline casts to float32 (map_batches).
  """
  feats = split.features
  crops = [crop({n: feats[n][i] for n in feats}, s, length) for i, s in zip(tracks, starts)]
  return {n: np.stack([c[n] for c in crops]) for n in feats}
