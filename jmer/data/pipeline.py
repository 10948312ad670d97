"""Cached features → fixed-length segments → tf.data streams that feed `model.fit`.

Training draws random segment offsets (seeded per epoch) and applies augmentation; evaluation
tiles every track deterministically so each track's segments can be aggregated back to it.
Labels a track lacks become a 0 label with sample weight 0 (a NaN label would poison the loss).

Features stay float16 in memory, as cached (half the memory of float32); segments become
float32 only when a batch is cut. The training stream works per batch, not per segment: one
epoch's (track, offset) draws are made up front, and tf.data's parallel workers each cut and
augment whole batches from them, so the model, not Python, sets the pace
(benchmarks/input_pipeline.py).
"""

import dataclasses
import threading

import numpy as np
import tensorflow as tf

from jmer import tasks as tasks_lib
from jmer.data import features as features_lib

# tf.data is only the input pipeline: keep TensorFlow off any GPU so JAX gets its memory.
tf.config.set_visible_devices([], "GPU")


segment_frames = features_lib.segment_frames  # re-exported: stages below tf.data use it too


@dataclasses.dataclass
class SplitData:
  """One split in memory: its tracks, their per-track feature arrays, and label arrays."""
  tracks: list
  features: dict  # name -> list of float16 (frames, bins), one per track, as cached

  @property
  def genre(self):
    return np.array([t.genre for t in self.tracks], np.int64)

  @property
  def av(self):
    return np.array([[t.arousal, t.valence] for t in self.tracks], np.float64).reshape(-1, 2)

  @property
  def quadrant(self):
    return np.array([t.quadrant for t in self.tracks], np.int64)

  def frames(self, i: int) -> int:
    return next(iter(self.features.values()))[i].shape[0]


def load_split(tracks, params: dict, cache_root) -> SplitData:
  per_track = [features_lib.load_track_features(t, params, cache_root) for t in tracks]
  return SplitData(tracks=list(tracks),
                   features={name: [f[name] for f in per_track] for name in params})


def feature_stats(split: SplitData, max_frames: int = 200_000, seed: int = 0) -> dict:
  """Per-bin mean and variance of each feature over (a sample of) the training frames.

  Samples each track's frames in proportion to its length instead of concatenating every frame
  first, so the memory needed stays at max_frames whatever the dataset's size.
  """
  rng = np.random.default_rng(seed)
  stats = {}
  for name, arrays in split.features.items():
    total = sum(len(a) for a in arrays)
    keep = min(1.0, max_frames / max(total, 1))
    frames = np.concatenate([
        a if keep >= 1.0 else a[np.sort(rng.choice(len(a), int(round(keep * len(a))),
                                                   replace=False))]
        for a in arrays]).astype(np.float64)
    stats[name] = (frames.mean(0), frames.var(0) + 1e-6)
  return stats


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


def eval_index(split: SplitData, config):
  """(track index, start frame) of every tiled evaluation segment of a split, track by track."""
  length = segment_frames(config)
  hop = max(1, int(round(config.eval.hop_seconds * config.data.sample_rate
                         / config.features.hop_length)))
  per_track = [eval_starts(split.frames(i), length, hop) for i in range(len(split.tracks))]
  owner = np.repeat(np.arange(len(per_track)), [len(s) for s in per_track])
  return owner.astype(np.int64), np.asarray([s for t in per_track for s in t], np.int64)


def cut_segments(split: SplitData, tracks, starts, length: int) -> dict:
  """{name: (len(tracks), length, bins)}: the segment of tracks[k] from starts[k], in the
  cache's dtype (float16); the tf.data pipeline casts to float32 (map_batches)."""
  feats = split.features
  crops = [crop({n: feats[n][i] for n in feats}, s, length) for i, s in zip(tracks, starts)]
  return {n: np.stack([c[n] for c in crops]) for n in feats}


def track_targets(split: SplitData, names) -> tuple:
  """({task: labels (n_tracks, ...)}, {task: float32 weights (n_tracks,)}) of a split."""
  targets = [tasks_lib.targets(t, names) for t in split.tracks]
  return ({k: np.stack([y[k] for y, _ in targets]) for k in names},
          {k: np.stack([w[k] for _, w in targets]).astype(np.float32) for k in names})


def class_balanced(labels: dict, weights: dict) -> dict:
  """Sample weights that give every class of a single-label classification task the same total.

  Args:
    labels: {task: labels (n_tracks, ...)} as from `track_targets`.
    weights: {task: float32 (n_tracks,)}; 0 marks a track without that label.
  Returns:
    {task: float32 (n_tracks,)}: for single-label classification tasks, each labelled track of
    class c weighs n / (k * n_c) (n labelled tracks, k classes present, n_c of class c), so the
    weights still sum to n; other tasks and unlabelled tracks keep their weights.
  """
  out = dict(weights)
  for name, w in weights.items():
    task = tasks_lib.TASKS[name]
    if task.kind != tasks_lib.CLASSIFICATION or labels[name].ndim != 1:
      continue
    labelled = w > 0
    classes, counts = np.unique(labels[name][labelled], return_counts=True)
    if len(classes) < 2:
      continue
    per_class = dict(zip(classes.tolist(), labelled.sum() / (len(classes) * counts)))
    scale = np.array([per_class.get(int(y), 1.0) for y in labels[name]], np.float32)
    out[name] = np.where(labelled, w * scale, w).astype(np.float32)
  return out


def batch_spec(config, split: SplitData, batch):
  """(x, y, w) TensorSpecs of a batch of `batch` segments (None: any size)."""
  names, length = tasks_lib.output_names(config), segment_frames(config)
  return ({n: tf.TensorSpec((batch, length, a[0].shape[1]), tf.float32)
           for n, a in split.features.items()},
          {k: tf.TensorSpec((batch,) + tuple(tasks_lib.TASKS[k].target_shape),
                            tasks_lib.TASKS[k].target_dtype) for k in names},
          {k: tf.TensorSpec((batch,), tf.float32) for k in names})


def cached_dtype_features(spec, split: SplitData):
  """`spec` with its features in the dtype `split` caches them in (float16): what a batch is
  cut in before tf.data casts it to float32. NumPy's float16 -> float32 conversion is scalar
  and dominated a batch's cost; TensorFlow's cast is vectorised, and exact either way."""
  x, y, w = spec
  dtypes = {n: tf.as_dtype(split.features[n][0].dtype) if split.features.get(n) else s.dtype
            for n, s in x.items()}
  return ({n: tf.TensorSpec(s.shape, dtypes[n]) for n, s in x.items()}, y, w)


def map_batches(numbers: tf.data.Dataset, make_batch, spec, wire_spec=None) -> tf.data.Dataset:
  """Batches `make_batch(*numbers)` (numpy, shaped as `spec`), made on tf.data's parallel
  workers, in order. NumPy releases the GIL in its copies and maths, so they overlap.
  `wire_spec` (default `spec`) gives the dtypes make_batch returns; tf.data casts them to
  `spec`'s."""
  flat_spec = tf.nest.flatten(spec)
  flat_wire = tf.nest.flatten(wire_spec or spec)

  def as_numpy(*args):
    flat = tf.nest.flatten(make_batch(*(a.item() for a in args)))
    return [np.asarray(v, s.dtype.as_numpy_dtype) for v, s in zip(flat, flat_wire)]

  @tf.autograph.experimental.do_not_convert  # plain graph ops: nothing for autograph to do
  def cut(*args):
    flat = tf.numpy_function(as_numpy, list(args), [s.dtype for s in flat_wire],
                             stateful=False)
    flat = [tf.cast(t, s.dtype) if t.dtype != s.dtype else t for t, s in zip(flat, flat_spec)]
    for tensor, s in zip(flat, flat_spec):
      tensor.set_shape(s.shape)
    return tf.nest.pack_sequence_as(spec, flat)
  return numbers.map(cut, num_parallel_calls=tf.data.AUTOTUNE,
                     deterministic=True).prefetch(tf.data.AUTOTUNE)


def tiled_dataset(split: SplitData, config, shuffle: bool):
  """(batches of (x, y, w), track index of each segment): every tiled evaluation segment of a
  split, in track order or shuffled once (seeded). Only the segments' (track, start) pairs are
  held; each batch is cut from the cache when needed, so memory does not grow with the split."""
  owner, starts = eval_index(split, config)
  if shuffle:
    order = np.random.default_rng([config.seed, 2]).permutation(len(owner))
    owner, starts = owner[order], starts[order]
  labels, weights = track_targets(split, tasks_lib.output_names(config))
  size, length = config.eval.batch_size, segment_frames(config)

  def make_batch(index):
    tracks, first = owner[index * size:(index + 1) * size], starts[index * size:]
    return (cut_segments(split, tracks, first[:len(tracks)], length),
            {k: v[tracks] for k, v in labels.items()}, {k: v[tracks] for k, v in weights.items()})
  batches = tf.data.Dataset.range(-(-len(owner) // size))
  spec = batch_spec(config, split, None)
  return map_batches(batches, make_batch, spec, cached_dtype_features(spec, split)), owner


def eval_dataset(split: SplitData, config) -> tf.data.Dataset:
  """Validation batches for fit. Segments are shuffled once (seeded) so that every batch mixes
  datasets: per-batch masked means then weigh the tasks by λ, not by which dataset a batch
  happens to hold, and val_loss (early stopping, best.keras) stays comparable."""
  return tiled_dataset(split, config, shuffle=True)[0]


class TrainStream:
  """Random training segments; the epoch number (set by a callback) seeds each epoch's draw.

  Seeding by (seed, epoch) rather than by a running generator makes a resumed run draw exactly
  the segments and augmentations an uninterrupted run would have drawn. Each batch's
  augmentation is seeded by (seed, epoch, batch), so parallel workers give the same batches in
  any order.
  """

  def __init__(self, split: SplitData, config, augment=None):
    self.split, self.config, self.augment = split, config, augment
    self.names = tasks_lib.output_names(config)
    self.length = segment_frames(config)
    self.labels, self.weights = track_targets(split, self.names)
    if config.train.class_balance:
      self.weights = class_balanced(self.labels, self.weights)
    self.n_frames = np.array([split.frames(i) for i in range(len(split.tracks))], np.int64)
    self.epoch = 0
    self._plans, self._lock = {}, threading.Lock()

  @property
  def samples_per_epoch(self) -> int:
    return len(self.split.tracks) * self.config.train.crops_per_track

  @property
  def steps_per_epoch(self) -> int:
    return self.samples_per_epoch // self.config.train.batch_size

  def order(self, rng) -> np.ndarray:
    """The epoch's track indices: every track crops_per_track times, shuffled."""
    return rng.permutation(np.repeat(np.arange(len(self.split.tracks)),
                                     self.config.train.crops_per_track))

  def plan(self, epoch: int):
    """(track index, start frame) of every segment of `epoch`, from (seed, epoch) alone."""
    with self._lock:
      if epoch not in self._plans:
        rng = np.random.default_rng([self.config.seed, 1, epoch])
        tracks = self.order(rng)
        starts = rng.integers(0, np.maximum(self.n_frames[tracks] - self.length, 0) + 1)
        self._plans = {epoch: (tracks, starts)}  # only the current epoch is kept
      return self._plans[epoch]

  def batch(self, epoch: int, index: int):
    """Batch `index` of `epoch` as numpy (x, y, w): cut from the cache, then augmented."""
    size = self.config.train.batch_size
    tracks, starts = self.plan(epoch)
    tracks, starts = tracks[index * size:(index + 1) * size], starts[index * size:][:size]
    x = cut_segments(self.split, tracks, starts, self.length)
    if self.augment is not None:  # augmentation computes in float32
      x = {n: v.astype(np.float32) for n, v in x.items()}
      x = self.augment(x, np.random.default_rng([self.config.seed, 3, epoch, index]))
    return (x, {k: v[tracks] for k, v in self.labels.items()},
            {k: v[tracks] for k, v in self.weights.items()})

  def _batch_numbers(self):
    """(epoch, batch index) pairs for one pass; the epoch is read when the pass starts."""
    epoch = self.epoch
    for index in range(self.steps_per_epoch):
      yield epoch, index

  def dataset(self) -> tf.data.Dataset:
    numbers = tf.data.Dataset.from_generator(
        self._batch_numbers, output_signature=(tf.TensorSpec((), tf.int64),
                                               tf.TensorSpec((), tf.int64)))
    # A known length lets Keras size its progress bar and end epochs without warnings. Only
    # whole batches: every batch has the same size (and divides under DataParallel).
    numbers = numbers.apply(tf.data.experimental.assert_cardinality(self.steps_per_epoch))
    spec = batch_spec(self.config, self.split, self.config.train.batch_size)
    return map_batches(numbers, self.batch, spec,
                       cached_dtype_features(spec, self.split) if self.augment is None else spec)
