"""From a stream of sample blocks to the model's segments, without holding the file.

Features are computed a few segments at a time with enough audio context on both sides that
every frame equals the whole-file computation (frozen musicnn embeddings, which depend on the
file's length, are the exception: computed on the whole file), then tiled into segments exactly
like evaluation tiles a track (jmer.data.segments.eval_starts).
"""

import heapq
import itertools

import numpy as np

from jmer.data import audio
from jmer.data import features as features_lib
from jmer.data import musicnn_features
from jmer.data import segments as segments_lib
from jmer.inference import av_regressor

WHOLE_FILE_MAX_SECONDS = 30 * 60  # frozen musicnn features are computed on the whole file
# The timeline: what the model hears in a window of ~10 s every ~3 s (both rounded to whole
# input rows; musicnn's patch is 2.99 s), not its 30 s verdicts: a listener follows a song's
# sections at that pace. A model with shorter segments uses its segment as the window.
TIMELINE_WINDOW_SECONDS = 10.0
TIMELINE_STEP_SECONDS = 3.0


def _context_frames(params: dict) -> int:
  """Frames of audio context each side of a block so its frames equal whole-file ones."""
  stft = max(-(-p["n_fft"] // (2 * p["hop_length"])) for p in params.values())  # half a window
  # +4 for MFCC deltas (9-frame window); CQT's longest filter spans ~70 hops at 22 kHz.
  return stft + (128 if params.get("chroma", {}).get("kind") == "cqt" else 4)


def feature_blocks(waves, params: dict, block_frames: int, path="input",
                   patch_outputs: dict | None = None):
  """Turns a stream of waveform blocks into a stream of {feature: (frames, bins)} blocks.

  The concatenated output equals compute_features(whole wave, params): each block is computed
  with `_context_frames` of real audio (or the true file edge) on both sides. Frozen musicnn
  embeddings come as one block computed on the whole file (_whole_file_features).
  Args:
    waves: 1-D float32 sample blocks at the features' sample rate (Hz), in order.
    params: {feature name: its parameters}, as jmer.data.features.feature_params gives.
    block_frames: feature frames per block yielded; the last block may be shorter.
    path: names the file in errors.
    patch_outputs: optionally {frozen musicnn feature: dict}, each dict filled with more
      per-patch outputs of that feature's network (musicnn_features.compute) by the time the
      first block is yielded.
  Yields:
    {feature name: array (frames, bins)}, consecutive in time.
  """
  if any(musicnn_features.is_embedding(p) for p in params.values()):
    yield _whole_file_features(waves, params, path, patch_outputs)
    return
  p = next(iter(params.values()))
  hop = p["hop_length"]
  context = _context_frames(params) * hop
  buf, buf_start, done_frames, total = np.zeros(0, np.float32), 0, 0, 0
  for wave in waves:
    buf = np.concatenate([buf, wave])
    total += len(wave)
    while (done_frames + block_frames) * hop + context <= total:
      start = max(0, done_frames * hop - context)
      stop = (done_frames + block_frames) * hop + context
      feats = features_lib.compute_features(buf[start - buf_start:stop - buf_start], params)
      first = done_frames - start // hop
      yield {n: v[first:first + block_frames] for n, v in feats.items()}
      done_frames += block_frames
      keep_from = max(0, done_frames * hop - context)
      buf, buf_start = buf[keep_from - buf_start:], keep_from
  # The rest of the file: the slice ends at the true end, so the zero padding matches too.
  start = max(0, done_frames * hop - context)
  feats = features_lib.compute_features(buf[start - buf_start:], params)
  first = done_frames - start // hop
  if first < len(next(iter(feats.values()))):
    yield {n: v[first:] for n, v in feats.items()}


def _whole_file_features(waves, params: dict, path, patch_outputs=None) -> dict:
  """All features of the whole decoded file at once, for frozen musicnn embeddings.

  A frame's embedding is that of the nearest 3 s patch of a grid laid from the file's start
  and end (jmer.data.musicnn_features), so it depends on the file's length; computing the
  whole file gives exactly the cached training features.
  """
  sample_rate = next(iter(params.values()))["sample_rate"]
  return features_lib.compute_features(whole_wave(waves, sample_rate, path), params,
                                       patch_outputs)


def whole_wave(waves, sample_rate: int, path="input") -> np.ndarray:
  """The blocks of a file joined into one wave, refused past WHOLE_FILE_MAX_SECONDS (memory:
  ~7 MB of audio and features per minute).

  Args:
    waves: 1-D float32 sample blocks at `sample_rate` (Hz).
    sample_rate: their rate.
    path: names the file in errors.

  Returns:
    The float32 samples.

  Raises:
    AudioError: the file is longer than the limit.
  """
  blocks, samples = [], 0
  for wave in waves:
    blocks.append(wave)
    samples += len(wave)
    if samples > WHOLE_FILE_MAX_SECONDS * sample_rate:
      raise audio.AudioError(path, f"longer than "
                             f"{WHOLE_FILE_MAX_SECONDS / 60:.0f} minutes, the limit for models "
                             "with a frozen musicnn branch")
  return np.concatenate(blocks) if blocks else np.zeros(0, np.float32)


def tiled_segments(blocks, length: int, hop: int):
  """Tiles a stream of feature blocks into segments, as segments.eval_starts tiles a track.

  Args:
    blocks: iterable of {feature: (frames, bins)} blocks, consecutive in time.
    length: the segment length in frames.
    hop: frames between segment starts.

  Yields:
    (start frame, {feature: (length, bins) array}); a stream shorter than one segment yields one
    padded segment, and one flush with the end follows when segments.end_segment_needed.
  """
  pending, offset, next_start, n_frames, emitted = None, 0, 0, 0, 0
  for block in blocks:
    pending = block if pending is None else {
        n: np.concatenate([pending[n], v]) for n, v in block.items()}
    n_frames += len(next(iter(block.values())))
    while next_start + length <= n_frames:
      yield next_start, {n: v[next_start - offset:next_start - offset + length]
                         for n, v in pending.items()}
      emitted, next_start = emitted + 1, next_start + hop
    # Keep the last `length` frames: the flush-with-end segment may need them.
    keep_from = max(0, min(next_start, n_frames - length))
    pending = {n: v[keep_from - offset:] for n, v in pending.items()}
    offset = keep_from
  if pending is None:
    return
  if not emitted:  # shorter than one segment: pad like evaluation does
    yield 0, {n: features_lib.pad_frames(n, v, length) for n, v in pending.items()}
  elif segments_lib.end_segment_needed(n_frames - (next_start - hop + length), hop):
    yield n_frames - length, {n: v[n_frames - length - offset:] for n, v in pending.items()}


def timeline_windows(blocks, length: int, window: int, step: int):
  """Short windows of a stream of feature blocks, each filled out to a model segment.

  A timeline at a listener's resolution asks about a few seconds at a time, while a model
  judges `length` frames at once (30 s for the shipped model). Each window's frames are
  repeated cyclically to `length`: for a trunk that pools its rows (mean and max) that is the
  model's verdict on the window alone, up to rows repeated one time more than others; a
  sequence trunk sees the window looped, an approximation. A stream shorter than one window
  gives the one padded segment evaluation gives.

  Args:
    blocks: iterable of {feature: (frames, bins)} blocks, consecutive in time.
    length: the model's segment length in frames.
    window: the window's length in frames (<= length).
    step: frames between window starts.

  Yields:
    (start frame, window frames, {feature: (length, bins) array}), a last window flush with
    the stream's end when segments.end_segment_needed says so.
  """
  frames = [0]

  def counted():
    for block in blocks:
      frames[0] += len(next(iter(block.values())))
      yield block

  for start, x in tiled_segments(counted(), window, step):
    if frames[0] < window:  # a short stream: pad once, as evaluation pads it
      yield start, frames[0], {n: features_lib.pad_frames(n, v[:frames[0]], length)
                               for n, v in x.items()}
    else:
      yield start, window, {n: np.resize(v, (length,) + v.shape[1:]) for n, v in x.items()}


def segments_and_windows(blocks, length: int, hop: int, window: int, step: int):
  """The model's segments (tiled_segments) and the timeline's windows (timeline_windows) of one
  stream, in order of start, reading it once.

  Yields:
    ("segment", start, length, x) and ("window", start, frames, x) items.
  """
  for_segments, for_windows = itertools.tee(blocks)  # both read in step: a small buffer
  segments = (("segment", s, length, x) for s, x in tiled_segments(for_segments, length, hop))
  windows = (("window", s, n, x) for s, n, x in timeline_windows(for_windows, length, window,
                                                                step))
  return heapq.merge(segments, windows, key=lambda item: item[1])


def timeline_frames(meta: dict) -> tuple:
  """(window, step) of the timeline in feature frames, whole multiples of the model's input
  stride (the row every strided feature keeps), the window at most one segment.

  Args:
    meta: the model file's metadata (sample_rate, hop_length, segment_frames, input_strides).

  Returns:
    (window frames, step frames).
  """
  per_second = meta["sample_rate"] / meta["hop_length"]
  row = max([1, *(int(v) for v in meta.get("input_strides", {}).values())])
  length = meta["segment_frames"]
  step = max(1, round(TIMELINE_STEP_SECONDS * per_second / row)) * row
  window = max(1, round(TIMELINE_WINDOW_SECONDS * per_second / row)) * row
  return min(window, length), min(step, length)


class InputTally:
  """What predict_waves learns while reading: samples read, musicnn's tag probabilities, and
  the per-patch outputs the arousal/valence regressor reads.

  Attributes:
    samples: audio samples read so far.
    tag_sum, tag_frames: the sum of the tag network's per-frame tag probabilities, and the
      frames summed (0 for a model without a musicnn embedding).
    av_feature: the feature the AV regressor reads (av_regressor.feature_of), or None.
    patch_outputs: what the feature computation fills for it (av_regressor.patch_request).
  """

  def __init__(self, tag_network, av_feature=None):
    self.tag_network, self.av_feature = tag_network, av_feature
    self.samples, self.tag_sum, self.tag_frames = 0, 0.0, 0
    self.patch_outputs = av_regressor.patch_request(av_feature)

  def patch_av(self):
    """(patch start frames, (patches, 2) regressed arousal/valence), or None without one."""
    if not self.av_feature:
      return None
    return av_regressor.patch_av(self.patch_outputs, self.av_feature)

  def counted(self, blocks):
    """Yields the sample blocks, counting their samples."""
    for block in blocks:
      self.samples += len(block)
      yield block

  def tagged(self, blocks):
    """Yields the feature blocks, summing musicnn's own tags from the embeddings they hold."""
    for block in blocks:
      if self.tag_network:
        probabilities = musicnn_features.tag_probabilities(block["musicnn"], self.tag_network)
        self.tag_sum += probabilities.astype(np.float64).sum(axis=0)
        self.tag_frames += len(probabilities)
      yield block
