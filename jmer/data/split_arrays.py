"""One split (train, val or test) in memory: its tracks, their cached features, their labels."""

import dataclasses

import numpy as np

from jmer import tasks as tasks_lib
from jmer.data import artists as artists_lib
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


def class_balanced(labels: dict, weights: dict, artists=None, equal_classes: bool = True) -> dict:
  """Sample weights that give every class of a single-label classification task the same total,
  and, by artist, every artist of a class the same share of it.

  Args:
    labels: {task: labels (n_tracks, ...)} as from `track_targets`.
    weights: {task: float32 (n_tracks,)}; 0 marks a track without that label.
    artists: None (every clip of a class weighs alike), or one key per track (artist_keys):
      every artist of a class weighs alike, its share split equally among its clips.
    equal_classes: every class totals n / k (n labelled tracks, k classes present); False
      keeps each class's total at its clips' count n_c.
  Returns:
    {task: float32 (n_tracks,)}: for single-label classification tasks, a labelled track of
    class c by artist a weighs T_c / n_c (by clip) or T_c / (A_c · n_ca) (by artist: A_c
    artists in class c, n_ca of their clips), T_c = n / k or n_c; the weights still sum to n.
    Other tasks and unlabelled tracks keep their weights.
  """
  out = dict(weights)
  for name, w in weights.items():
    task = tasks_lib.TASKS[name]
    if task.kind != tasks_lib.CLASSIFICATION or labels[name].ndim != 1:
      continue
    labelled = w > 0
    classes, counts = np.unique(labels[name][labelled], return_counts=True)
    if len(classes) < 2 and artists is None:
      continue
    # weight = numerator / (classes · A_c · n_ca): n / (k · n_c) by clip with equal classes.
    numerator = {c: int(labelled.sum()) if equal_classes else n
                 for c, n in zip(classes.tolist(), counts.tolist())}
    k = len(classes) if equal_classes else 1
    keys = np.asarray(artists if artists is not None else np.arange(len(w)).astype(str))
    clips = {}  # (class, artist) -> clips; one entry per clip when by clip
    for y, key in zip(labels[name][labelled].tolist(), keys[labelled].tolist()):
      clips[(y, key)] = clips.get((y, key), 0) + 1
    members = {c: sum(1 for (y, _) in clips if y == c) for c in numerator}
    scale = np.array([numerator[y] / (k * members[y] * clips[(y, key)]) if on else 1.0
                      for y, key, on in zip(labels[name].tolist(), keys.tolist(), labelled)],
                     np.float32)
    out[name] = np.where(labelled, w * scale, w).astype(np.float32)
  return out


def artist_keys(split: SplitData) -> np.ndarray:
  """One key per track of the split naming its artist, the same across datasets
  (jmer.data.artists.fold_group; a track without an artist is its own)."""
  return np.array([artists_lib.fold_group(t, f"g{t.genre}/q{t.quadrant}") for t in split.tracks])
