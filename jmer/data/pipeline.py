"""Cached features → fixed-length segments → tf.data streams that feed `model.fit`.

Training draws random segment offsets (seeded per epoch) and applies augmentation; evaluation
tiles every track deterministically so each track's segments can be aggregated back to it.
Labels a track lacks become a 0 label with sample weight 0 (a NaN label would poison the loss).
"""

import dataclasses

import numpy as np
import tensorflow as tf

from jmer import tasks as tasks_lib
from jmer.data import features as features_lib

# tf.data is only the input pipeline: keep TensorFlow off any GPU so JAX gets its memory.
tf.config.set_visible_devices([], "GPU")


def segment_frames(config) -> int:
  return int(round(config.data.segment_seconds * config.data.sample_rate
                   / config.features.hop_length))


@dataclasses.dataclass
class SplitData:
  """One split in memory: its tracks, their per-track feature arrays, and label arrays."""
  tracks: list
  features: dict  # name -> list of float32 (frames, bins), one per track

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
  """Per-bin mean and variance of each feature over (a sample of) the training frames."""
  rng = np.random.default_rng(seed)
  stats = {}
  for name, arrays in split.features.items():
    frames = np.concatenate(arrays)
    if len(frames) > max_frames:
      frames = frames[rng.choice(len(frames), max_frames, replace=False)]
    stats[name] = (frames.mean(0), frames.var(0) + 1e-6)
  return stats


def crop(feats: dict, start: int, length: int) -> dict:
  """A `length`-frame window of every feature from `start`; short tracks are padded."""
  out = {}
  for name, array in feats.items():
    out[name] = features_lib.pad_frames(name, array[start:start + length], length)
  return out


def eval_starts(n_frames: int, length: int, hop: int) -> list:
  """Segment starts tiling a track: every `hop` frames, plus one flush with the end."""
  if n_frames <= length:
    return [0]
  starts = list(range(0, n_frames - length + 1, hop))
  if starts[-1] + length < n_frames:
    starts.append(n_frames - length)
  return starts


def eval_segments(split: SplitData, config):
  """All tiled segments of a split: (x {name: (S, T, bins)}, y, w, track index (S,))."""
  length = segment_frames(config)
  hop = max(1, int(round(config.eval.hop_seconds * config.data.sample_rate
                         / config.features.hop_length)))
  names = tasks_lib.output_names(config)
  xs, ys, ws, owner = {n: [] for n in split.features}, [], [], []
  for i, track in enumerate(split.tracks):
    feats = {n: split.features[n][i] for n in split.features}
    y, w = tasks_lib.targets(track, names)
    for start in eval_starts(split.frames(i), length, hop):
      for n, v in crop(feats, start, length).items():
        xs[n].append(v)
      ys.append(y)
      ws.append(w)
      owner.append(i)
  stack = lambda dicts: {k: np.stack([d[k] for d in dicts]) for k in names}
  return ({n: np.stack(v) for n, v in xs.items()}, stack(ys), stack(ws),
          np.asarray(owner, np.int64))


def eval_dataset(split: SplitData, config) -> tf.data.Dataset:
  """Validation batches for fit. Segments are shuffled once (seeded) so that every batch mixes
  datasets: per-batch masked means then weigh the tasks by λ, not by which dataset a batch
  happens to hold, and val_loss (early stopping, best.keras) stays comparable."""
  x, y, w, _ = eval_segments(split, config)
  order = np.random.default_rng([config.seed, 2]).permutation(len(next(iter(w.values()))))
  take = lambda d: {k: v[order] for k, v in d.items()}
  return (tf.data.Dataset.from_tensor_slices((take(x), take(y), take(w)))
          .batch(config.eval.batch_size).prefetch(2))


class TrainStream:
  """Random training segments; the epoch number (set by a callback) seeds each epoch's draw.

  Seeding by (seed, epoch) rather than by a running generator makes a resumed run draw exactly
  the segments and augmentations an uninterrupted run would have drawn.
  """

  def __init__(self, split: SplitData, config, augment=None):
    self.split, self.config, self.augment = split, config, augment
    self.names = tasks_lib.output_names(config)
    self.length = segment_frames(config)
    self.targets = [tasks_lib.targets(t, self.names) for t in split.tracks]
    self.epoch = 0

  @property
  def samples_per_epoch(self) -> int:
    return len(self.split.tracks) * self.config.train.crops_per_track

  def order(self, rng) -> np.ndarray:
    """The epoch's track indices: every track crops_per_track times, shuffled."""
    return rng.permutation(np.repeat(np.arange(len(self.split.tracks)),
                                     self.config.train.crops_per_track))

  def __call__(self):
    rng = np.random.default_rng([self.config.seed, 1, self.epoch])
    for i in self.order(rng):
      feats = {n: self.split.features[n][i] for n in self.split.features}
      start = int(rng.integers(0, max(self.split.frames(i) - self.length, 0) + 1))
      x = crop(feats, start, self.length)
      if self.augment is not None:
        x = self.augment(x, rng)
      y, w = self.targets[i]
      yield x, y, w

  def dataset(self) -> tf.data.Dataset:
    x_spec = {n: tf.TensorSpec((self.length, a[0].shape[1]), tf.float32)
              for n, a in self.split.features.items()}
    y_spec = {k: tf.TensorSpec(tasks_lib.TASKS[k].target_shape, tasks_lib.TASKS[k].target_dtype)
              for k in self.names}
    w_spec = {k: tf.TensorSpec((), tf.float32) for k in self.names}
    ds = tf.data.Dataset.from_generator(self, output_signature=(x_spec, y_spec, w_spec))
    # A known length lets Keras size its progress bar and end epochs without warnings.
    ds = ds.apply(tf.data.experimental.assert_cardinality(self.samples_per_epoch))
    # drop_remainder keeps every batch the same size (and divisible under DataParallel).
    return ds.batch(self.config.train.batch_size, drop_remainder=True).prefetch(2)
