"""Tracks (one audio file with whatever labels its dataset has) and the track-level split.

Every dataset module lists its files as Tracks; everything downstream works on Tracks only, so a
new dataset needs nothing but a function returning a TrackList.
"""

import dataclasses
import math

import numpy as np
from sklearn.model_selection import train_test_split

from jmer import labels
from jmer import tasks as tasks_lib

SPLITS = ("train", "val", "test")


@dataclasses.dataclass(frozen=True)
class Track:
  track_id: str
  path: str
  dataset: str
  genre: int = labels.NO_GENRE  # index into the TrackList's genre_names, or NO_GENRE
  arousal: float = math.nan  # in [-1, 1], NaN when the dataset has no AV label
  valence: float = math.nan
  quadrant: int = -1  # AV quadrant index (labels.QUADRANTS) or -1
  split: str = ""  # a predefined split ('train'/'val'/'test') or '' to be assigned
  # Labels of your own (a manifest's columns jmer does not know) as sorted (column, value)
  # pairs, for tasks added in jmer.tasks; a tuple keeps Track hashable.
  extra: tuple = ()

  @property
  def has_av(self) -> bool:
    return not (math.isnan(self.arousal) or math.isnan(self.valence))

  def extra_label(self, column: str):
    """The value of one of your own label columns, or None where the track has none."""
    return dict(self.extra).get(column)


@dataclasses.dataclass
class TrackList:
  """What a dataset module returns: its usable tracks and the files it had to skip."""
  name: str
  tracks: list
  genre_names: tuple = labels.GTZAN_GENRES
  skipped: list = dataclasses.field(default_factory=list)  # (path, reason) pairs
  description: str = ""


def with_quadrants(tracks, threshold: float):
  """Fills each AV-labelled track's quadrant from its arousal/valence."""
  out = []
  for t in tracks:
    if t.has_av and t.quadrant < 0:
      t = dataclasses.replace(t, quadrant=int(labels.av_quadrant(t.arousal, t.valence, threshold)))
    out.append(t)
  return out


def _stratum(track) -> str:
  if track.genre != labels.NO_GENRE:
    return f"g{track.genre}"
  return f"q{track.quadrant}"


def split_tracks(tracks, val_fraction: float, test_fraction: float, seed: int):
  """Assigns train/val/test to every track without a predefined split, by track, stratified.

  Stratifies by genre (by AV quadrant for tracks without genre) where every stratum is large
  enough, else falls back to a plain seeded shuffle. Tracks with a predefined split keep it.
  Returns {split: [tracks]}; no track is ever in two splits.
  """
  fixed = [t for t in tracks if t.split]
  free = sorted((t for t in tracks if not t.split), key=lambda t: (t.dataset, t.track_id))
  out = {s: [t for t in fixed if t.split == s] for s in SPLITS}
  if free:
    ids = np.arange(len(free))
    strata = np.array([_stratum(t) for t in free])

    def cut(idx, fraction, salt):
      count = int(round(fraction * len(idx)))
      if count == 0:
        return idx, idx[:0]
      _, counts = np.unique(strata[idx], return_counts=True)
      stratify = strata[idx] if counts.min() >= 2 and count >= len(counts) else None
      return train_test_split(idx, test_size=count, random_state=seed + salt, stratify=stratify)

    rest, test = cut(ids, test_fraction, 0)
    val_share = val_fraction / max(1e-9, 1.0 - test_fraction)
    train, val = cut(rest, val_share, 1)
    for name, idx in (("train", train), ("val", val), ("test", test)):
      out[name] += [dataclasses.replace(free[i], split=name) for i in sorted(idx)]
  return out


def class_counts(tracks, genre_names, task_names=("genre",)) -> dict:
  """{class name: tracks} over the labels of the named class tasks (genre by default)."""
  out = {}
  for name in task_names:
    task = tasks_lib.TASKS[name]
    classes = task.class_names(genre_names)
    for t in tracks:
      if task.labelled(t):
        key = classes[int(task.label(t))]
        out[key] = out.get(key, 0) + 1
  return out


def check_task_labels(tracks, config, source: str):
  """Raises ValueError when a configured task has no label at all in the data, saying what to set.

  (Per-track gaps are fine: those tracks get weight 0 for that head.)
  """
  has = {task.name: any(task.labelled(t) for t in tracks) for task in tasks_lib.TASKS.values()}
  missing = [task.name for task in tasks_lib.active(config) if not has[task.name]]
  if missing:
    carried = [name for name, present in has.items() if present]
    emotion = "av" if has["emotion"] else "quadrant" if has["quadrant"] else "none"
    raise ValueError(
        f"The {source} data carries only {' and '.join(carried) or 'no'} labels, but the config "
        f"asks for {' and '.join(missing)}; set --config.tasks.genre={has['genre']} "
        f"--config.tasks.emotion={emotion}.")
