"""The training stream: each epoch's random segments, drawn from (seed, epoch) alone.

The stream works per batch, not per segment: one epoch's (track, offset) draws are made up
front, and tf.data's parallel workers each cut and augment whole batches from them, so the
model, not Python, sets the pace (benchmarks/input_pipeline.py).
"""

import threading

import numpy as np
import tensorflow as tf

from jmer import tasks as tasks_lib
from jmer.data import pipeline
from jmer.data import segments as segments_lib
from jmer.data import split_arrays


class TrainStream:
  """Random training segments; the epoch number (set by a callback) seeds each epoch's draw.

  Seeding by (seed, epoch) rather than by a running generator makes a resumed run draw exactly
  the segments and augmentations an uninterrupted run would have drawn. Each batch's
  augmentation is seeded by (seed, epoch, batch), so parallel workers give the same batches in
  any order.
  """

  def __init__(self, split: split_arrays.SplitData, config, augment=None):
    self.split, self.config, self.augment = split, config, augment
    self.names = tasks_lib.output_names(config)
    self.length = segments_lib.segment_frames(config)
    self.strides = segments_lib.input_strides(config)
    self.labels, self.weights = split_arrays.track_targets(split, self.names)
    by_artist = config.train.get("balance_unit", "clip") == "artist"
    if config.train.class_balance or by_artist:
      self.weights = split_arrays.class_balanced(
          self.labels, self.weights, artists=split_arrays.artist_keys(split) if by_artist else None,
          equal_classes=config.train.class_balance)
    self.n_frames = np.array([split.frames(i) for i in range(len(split.tracks))], np.int64)
    self.epoch = 0
    self._plans, self._lock = {}, threading.Lock()

  @property
  def samples_per_epoch(self) -> int:
    """Segments drawn per epoch: crops_per_track for every training track."""
    return len(self.split.tracks) * self.config.train.crops_per_track

  @property
  def steps_per_epoch(self) -> int:
    """Whole batches per epoch; a last partial batch is dropped."""
    return self.samples_per_epoch // self.config.train.batch_size

  def order(self, rng) -> np.ndarray:
    """The epoch's track indices: every track crops_per_track times, shuffled.

    Args:
      rng: the epoch's numpy Generator.

    Returns:
      An int array of samples_per_epoch track indices.
    """
    return rng.permutation(np.repeat(np.arange(len(self.split.tracks)),
                                     self.config.train.crops_per_track))

  def plan(self, epoch: int):
    """(track index, start frame) of every segment of `epoch`, from (seed, epoch) alone.

    Args:
      epoch: the epoch number.

    Returns:
      (tracks, starts): int arrays, the track index and start frame of each segment.
    """
    with self._lock:
      if epoch not in self._plans:
        rng = np.random.default_rng([self.config.seed, 1, epoch])
        tracks = self.order(rng)
        starts = rng.integers(0, np.maximum(self.n_frames[tracks] - self.length, 0) + 1)
        self._plans = {epoch: (tracks, starts)}  # only the current epoch is kept
      return self._plans[epoch]

  def batch(self, epoch: int, index: int):
    """Batch `index` of `epoch` as numpy (x, y, w): cut from the cache, then augmented.

    Args:
      epoch: the epoch number.
      index: the batch's index within the epoch.

    Returns:
      (x, y, w): {feature: (batch, rows, bins)} in the cached dtype (float32 when augmented),
      {output: labels}, {output: float32 weights}.
    """
    size = self.config.train.batch_size
    tracks, starts = self.plan(epoch)
    tracks, starts = tracks[index * size:(index + 1) * size], starts[index * size:][:size]
    x = segments_lib.cut_segments(self.split, tracks, starts, self.length, self.strides)
    if self.augment is not None:  # augmentation computes in float32
      x = {n: v.astype(np.float32) for n, v in x.items()}
      x = self.augment(x, np.random.default_rng([self.config.seed, 3, epoch, index]))
    return (x, {k: v[tracks] for k, v in self.labels.items()},
            {k: v[tracks] for k, v in self.weights.items()})

  def close(self) -> None:
    """Drops the training features, labels and plans once training is over.

    tf.data's from_generator registers the stream's methods with TensorFlow's process-wide
    py_func registry, which outlives the run, so an open stream would keep every run's training
    features in memory: a suite of a hundred runs in one process ran out of memory.
    """
    self.split = None
    self.labels, self.weights, self._plans = {}, {}, {}

  def _batch_numbers(self):
    """(epoch, batch index) pairs for one pass; the epoch is read when the pass starts."""
    epoch = self.epoch
    for index in range(self.steps_per_epoch):
      yield epoch, index

  def dataset(self) -> tf.data.Dataset:
    """Returns the tf.data pipeline yielding steps_per_epoch batches of each epoch."""
    numbers = tf.data.Dataset.from_generator(
        self._batch_numbers, output_signature=(tf.TensorSpec((), tf.int64),
                                               tf.TensorSpec((), tf.int64)))
    # A known length lets Keras size its progress bar and end epochs without warnings. Only
    # whole batches: every batch has the same size (and divides under DataParallel).
    numbers = numbers.apply(tf.data.experimental.assert_cardinality(self.steps_per_epoch))
    spec = pipeline.batch_spec(self.config, self.split, self.config.train.batch_size)
    wire = pipeline.cached_dtype_features(spec, self.split) if self.augment is None else spec
    return pipeline.map_batches(numbers, self.batch, spec, wire)
