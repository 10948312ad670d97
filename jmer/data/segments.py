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
from jmer.data import split_arrays


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


def input_strides(config) -> dict:
  """{feature: input stride}: the frames between two rows of a feature's model input.

  The patch hop (features.musicnn_hop_frames) for a frozen pretrained feature under
  features.one_row_per_patch, else 1 (every frame).

  Args:
    config: the run config.

  Returns:
    A dict from each feature's name to its stride, in frames.
  """
  params = features_lib.feature_params(config)
  per_patch = bool(config.features.one_row_per_patch)
  return {name: int(p["patch_hop"]) if per_patch and musicnn_features.is_embedding(p) else 1
          for name, p in params.items()}


def input_rows(length: int, stride: int) -> int:
  """Rows of a `length`-frame segment taken every `stride` frames (the first row is frame 0).

  Args:
    length: the segment's length, in frames.
    stride: frames between two rows.

  Returns:
    The number of rows, ceil(length / stride).
  """
  return -(-int(length) // int(stride))


def crop(feats: dict, start: int, length: int, strides: dict | None = None) -> dict:
  """A window of every feature of one track; short tracks are padded (features.pad_frames).

  Args:
    feats: {feature name: (frames, bins) array} of one track.
    start: the window's first frame.
    length: the window's length in frames.
    strides: {feature name: input stride} (default 1): a feature with stride s keeps every
      s-th frame of the padded window, input_rows(length, s) rows.

  Returns:
    {feature name: (rows, bins) array} in each feature's dtype (float16 as cached).
  """
  strides = strides or {}
  return {name: features_lib.pad_frames(name, array[start:start + length], length)
          [::strides.get(name, 1)] for name, array in feats.items()}


# A segment flush with the end is added for a tail of at least this fraction of a hop. A tail
# of a few frames is frame-count rounding, not music: a 30 s clip is 1876 frames at 62.5
# frames/s, one more than the shipped model's 30 s segment, and its flush segment was a second
# copy of the first, counted as much as it in the track's average (a 60.03 s song: 0-30, 30-60
# and 30.03-60.03 s). Each segment averaged now brings at least a quarter hop of audio no other
# segment holds, and at most a quarter hop at the end goes unjudged (7.5 s of the shipped
# model's 30 s hop, 2.5 s of the default 10 s). A quarter, not a half: configs/test.py's 4 s
# clips end in a 44-frame tail (a third of its 129-frame hop) that its metrics include, and the
# quick start's 30 s clips a 430-frame one; both tilings are unchanged.
END_SEGMENT_MIN_HOP_FRACTION = 0.25


def end_segment_needed(uncovered: int, hop: int) -> bool:
  """Whether `uncovered` frames after the last regular segment earn a segment flush with the end.

  Args:
    uncovered: frames of the track after the end of the last segment on the hop grid.
    hop: frames between consecutive starts.

  Returns:
    True when `uncovered` is at least END_SEGMENT_MIN_HOP_FRACTION of `hop` (and positive).
  """
  return uncovered > 0 and uncovered >= END_SEGMENT_MIN_HOP_FRACTION * hop


def eval_starts(n_frames: int, length: int, hop: int) -> list:
  """Segment starts tiling a track: every `hop` frames, plus one flush with the end when the
  frames left after the last of those are worth it (end_segment_needed).

  Args:
    n_frames: the track's length in frames.
    length: the segment length in frames.
    hop: frames between consecutive starts.

  Returns:
    The start frames, ascending; [0] for a track no longer than one segment, or only a few
    frames longer.
  """
  if n_frames <= length:
    return [0]
  starts = list(range(0, n_frames - length + 1, hop))
  if end_segment_needed(n_frames - (starts[-1] + length), hop):
    starts.append(n_frames - length)
  return starts


def eval_index(split: split_arrays.SplitData, config):
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


def cut_segments(split: split_arrays.SplitData, tracks, starts, length: int,
                 strides: dict | None = None) -> dict:
  """Cuts one segment per (track, start) pair from a split's cached features.

  Args:
    split: the split's tracks and cached features.
    tracks: track indices into the split.
    starts: the segments' start frames, one per entry of `tracks`.
    length: the segment length in frames.
    strides: {feature name: input stride}, as `crop` takes them (default 1).

  Returns:
    {feature name: (len(tracks), rows, bins) array} in the cache's dtype (float16), rows being
    `length` or input_rows(length, stride); the tf.data pipeline casts to float32
    (map_batches).
  """
  feats = split.features
  crops = [crop({n: feats[n][i] for n in feats}, s, length, strides)
           for i, s in zip(tracks, starts)]
  return {n: np.stack([c[n] for c in crops]) for n in feats}
