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
    """int64 (n_tracks,) genre indices."""
    return np.array([t.genre for t in self.tracks], np.int64)

  @property
  def av(self):
    """float64 (n_tracks, 2) (arousal, valence), NaN where unlabelled."""
    return np.array([[t.arousal, t.valence] for t in self.tracks], np.float64).reshape(-1, 2)

  @property
  def quadrant(self):
    """int64 (n_tracks,) quadrant indices."""
    return np.array([t.quadrant for t in self.tracks], np.int64)

  def frames(self, i: int) -> int:
    """Returns the number of feature frames of track `i`."""
    return next(iter(self.features.values()))[i].shape[0]


def load_split(tracks, params: dict, cache_root) -> SplitData:
  """Loads the cached features of `tracks`.

  Args:
    tracks: the split's tracks.
    params: {feature name: its parameters}.
    cache_root: the feature cache's root folder.

  Returns:
    A SplitData holding the tracks and, per feature, one array per track.
  """
  per_track = [features_lib.load_track_features(t, params, cache_root) for t in tracks]
  return SplitData(tracks=list(tracks),
                   features={name: [f[name] for f in per_track] for name in params})


def track_targets(split: SplitData, names) -> tuple:
  """({task: labels (n_tracks, ...)}, {task: float32 weights (n_tracks,)}) of a split.

  Args:
    split: the SplitData.
    names: the task output names.

  Returns:
    (labels, weights), one entry per track of the split in each array; weight 0 where the
    track has no label for a task.
  """
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
