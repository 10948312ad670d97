"""One split (train, val or test) in memory: its tracks, their cached features, their labels."""

import dataclasses

import numpy as np

from jmer import tasks as tasks_lib
from jmer.data import features as features_lib


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


def track_targets(split: SplitData, names) -> tuple:
  """({task: labels (n_tracks, ...)}, {task: float32 weights (n_tracks,)}) of a split."""
  targets = [tasks_lib.targets(t, names) for t in split.tracks]
  return ({k: np.stack([y[k] for y, _ in targets]) for k in names},
          {k: np.stack([w[k] for _, w in targets]).astype(np.float32) for k in names})
