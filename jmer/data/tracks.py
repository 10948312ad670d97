"""Tracks (one audio file with whatever labels its dataset has) and the track-level split.

Every dataset module lists its files as Tracks; everything downstream works on Tracks only, so a
new dataset needs nothing but a function returning a TrackList.
"""

import dataclasses
import hashlib
import math
import os
import warnings

import numpy as np
from sklearn.model_selection import GroupShuffleSplit
from sklearn.model_selection import StratifiedGroupKFold
from sklearn.model_selection import train_test_split

from jmer.tasks import labels
from jmer import tasks as tasks_lib

SPLITS = ("train", "val", "test")


@dataclasses.dataclass(frozen=True)
class Track:
  track_id: str
  path: str
  dataset: str
  # Index into the TrackList's genre_names, or NO_GENRE; a training track may hold a genre set
  # (labels.genre_set_index: past the vocabulary, jmer.data.genre_labels).
  genre: int = labels.NO_GENRE
  arousal: float = math.nan  # in [-1, 1], NaN when the dataset has no AV label
  valence: float = math.nan
  quadrant: int = -1  # AV quadrant index (labels.QUADRANTS) or -1
  split: str = ""  # a predefined split ('train'/'val'/'test') or '' to be assigned
  # Labels of your own (a manifest's columns jmer does not know) as sorted (column, value)
  # pairs, for tasks added in jmer.tasks; a tuple keeps Track hashable.
  extra: tuple = ()
  # Tracks sharing a group (artist, album, any id) are always on one side of every split;
  # '' = no group known, the track is its own group.
  group: str = ""

  @property
  def has_av(self) -> bool:
    """Whether the track has both arousal and valence labels (neither is NaN)."""
    return not (math.isnan(self.arousal) or math.isnan(self.valence))

  def extra_label(self, column: str):
    """The value of one of your own label columns, or None where the track has none.

    Args:
      column: the label column's name.

    Returns:
      The value as read from the listing, or None.
    """
    return dict(self.extra).get(column)


@dataclasses.dataclass
class TrackList:
  """What a dataset module returns: its usable tracks and the files it had to skip."""
  name: str
  tracks: list
  genre_names: tuple = labels.GTZAN_GENRES
  skipped: list = dataclasses.field(default_factory=list)  # (path, reason) pairs
  description: str = ""
  # What Track.group means here and where it came from ('' = no groups): recorded in metrics.json.
  group_note: str = ""


def with_quadrants(tracks, threshold: float):
  """Fills each AV-labelled track's quadrant from its arousal/valence.

  Args:
    tracks: Tracks; those with a quadrant already, or without AV, are kept as they are.
    threshold: the arousal/valence value that separates low from high.

  Returns:
    A new list of Tracks, in the same order.
  """
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


def group_keys(tracks) -> np.ndarray:
  """One key per track for group-aware splitting: its dataset's group, else the track itself.

  Args:
    tracks: the Tracks.

  Returns:
    A string array of keys, '<dataset>/g/<group>' or '<dataset>/t/<track id>'.
  """
  return np.array([f"{t.dataset}/g/{t.group}" if t.group else f"{t.dataset}/t/{t.track_id}"
                   for t in tracks])


def _grouped_cut(idx, groups, strata, fraction, seed):
  """(rest, held out) of `idx` with about `fraction` of it held out and no group on both sides.

  StratifiedGroupKFold's first fold of round(1 / fraction) folds, so the held-out part stays
  stratified where the classes allow; GroupShuffleSplit (by groups, unstratified) where a class
  has fewer groups than folds or there are too few groups.
  """
  n_splits = max(2, int(round(1.0 / fraction)))
  group_count = len(np.unique(groups[idx]))
  if group_count < 2:
    raise ValueError(f"Cannot hold out {fraction:.0%} of {len(idx)} tracks by group: they all "
                     "belong to one group.")
  by_class = {s: len(np.unique(groups[idx][strata[idx] == s])) for s in np.unique(strata[idx])}
  if group_count >= n_splits and min(by_class.values()) >= n_splits:
    with warnings.catch_warnings():
      warnings.simplefilter("ignore", UserWarning)
      splitter = StratifiedGroupKFold(n_splits, shuffle=True, random_state=seed)
      rest, held = next(splitter.split(idx, strata[idx], groups[idx]))
  else:
    splitter = GroupShuffleSplit(1, test_size=fraction, random_state=seed)
    rest, held = next(splitter.split(idx, groups=groups[idx]))
  return idx[rest], idx[held]


def split_tracks(tracks, val_fraction: float, test_fraction: float, seed: int):
  """Assigns train/val/test to every track without a predefined split, by track, stratified.

  Stratifies by genre (by AV quadrant for tracks without genre) where every stratum is large
  enough, else falls back to a plain seeded shuffle. Tracks with a predefined split keep it.
  When some track has a `group` (artist, album), a group never straddles two splits: the cut is
  group-aware (StratifiedGroupKFold, so the fractions are approximate) and tracks without a
  group count as groups of one. Without groups the split is the plain track split.
  Returns {split: [tracks]}; no track is ever in two splits.
  """
  fixed = [t for t in tracks if t.split]
  free = sorted((t for t in tracks if not t.split), key=lambda t: (t.dataset, t.track_id))
  out = {s: [t for t in fixed if t.split == s] for s in SPLITS}
  if free:
    ids = np.arange(len(free))
    strata = np.array([_stratum(t) for t in free])
    groups = group_keys(free) if any(t.group for t in free) else None

    def cut(idx, fraction, salt):
      count = int(round(fraction * len(idx)))
      if count == 0:
        return idx, idx[:0]
      if groups is not None:
        return _grouped_cut(idx, groups, strata, fraction, seed + salt)
      _, counts = np.unique(strata[idx], return_counts=True)
      stratify = strata[idx] if counts.min() >= 2 and count >= len(counts) else None
      return train_test_split(idx, test_size=count, random_state=seed + salt, stratify=stratify)

    rest, test = cut(ids, test_fraction, 0)
    val_share = val_fraction / max(1e-9, 1.0 - test_fraction)
    train, val = cut(rest, val_share, 1)
    for name, idx in (("train", train), ("val", val), ("test", test)):
      out[name] += [dataclasses.replace(free[i], split=name) for i in sorted(idx)]
  return out


def shared_groups(by_split) -> dict:
  """{group: [splits]} of every group found in more than one split (empty when honest).

  Args:
    by_split: {split: [Track]}.

  Returns:
    A dict from '<dataset>/<group>' to its sorted split names.
  """
  seen = {}
  for split, tracks in by_split.items():
    for t in tracks:
      if t.group:
        seen.setdefault((t.dataset, t.group), set()).add(split)
  return {f"{d}/{g}": sorted(s) for (d, g), s in seen.items() if len(s) > 1}


def song_identity(track) -> str:
  """A dataset-independent name of the song a track is, for leakage checks across runs.

  DEAM's 2013 part is EmoMusic's clips under the same song ids, so a DEAM and an EmoMusic track
  with the same id are one song ('song:<id>'); every other track is '<dataset>:<track id>'
  (the built-in corpus's and your own collections' ids already name their corpus or folder).

  Args:
    track: a Track.

  Returns:
    'song:<id>' or '<dataset>:<track id>'.
  """
  if track.dataset in SHARED_SONG_IDS:
    return f"song:{track.track_id}"
  return f"{track.dataset}:{track.track_id}"


# Datasets whose song ids name the same songs (DEAM 1-1000 = EmoMusic's clips).
SHARED_SONG_IDS = ("deam", "emomusic")


def song_identities(track) -> tuple:
  """Every name under which a leakage check should recognise the track: its song identity
  and, when it has an audio file, 'file:<the file's resolved path>'.

  The file's path matters because a manifest or folder collection's dataset name is derived
  from the listing's own path, so the same audio files read through two listings (two copies of
  a manifest, say) get two dataset names and would otherwise look like different songs.

  Args:
    track: a Track.

  Returns:
    (song_identity(track),) or (song_identity(track), 'file:<path>').
  """
  if not track.path:
    return (song_identity(track),)
  return song_identity(track), "file:" + os.path.realpath(os.path.expanduser(track.path))


def identity_hashes(tracks) -> list:
  """Sorted short hashes of the tracks' identities (what a work dir's train_tracks.txt holds:
  enough to check overlap, without listing anyone's file names).

  Args:
    tracks: the Tracks.

  Returns:
    Sorted, distinct 16-hex-digit SHA-1 prefixes of every song_identities entry.
  """
  return sorted({hashlib.sha1(name.encode()).hexdigest()[:16]
                 for t in tracks for name in song_identities(t)})


def data_fingerprint(sources, by_split) -> dict:
  """What identifies a run's data: sources, split sizes, and digests of ids, labels and split.

  Stored in state.json; a resumed run compares it part by part to say what changed.

  Args:
    sources: the dataset names.
    by_split: {split: [Track]}.

  Returns:
    dict(sources, tracks={split: count}, ids, labels, split), the last three 16-hex-digit
    digests.
  """
  rows = sorted((t.dataset, t.track_id, s, t.genre, round(t.arousal, 6), round(t.valence, 6),
                 t.quadrant, t.extra) for s, ts in by_split.items() for t in ts)

  def digest(columns):
    text = "\n".join(repr(tuple(r[c] for c in columns)) for r in rows)
    return hashlib.sha1(text.encode()).hexdigest()[:16]

  return dict(sources=list(sources), tracks={s: len(ts) for s, ts in by_split.items()},
              ids=digest((0, 1)), labels=digest((0, 1, 3, 4, 5, 6, 7)), split=digest((0, 1, 2)))


def fingerprint_changes(old: dict, new: dict) -> list:
  """Human-readable differences between two data_fingerprint()s ([] when the data is the same).

  Args:
    old: the stored fingerprint.
    new: the current fingerprint.

  Returns:
    A list of phrases, each naming what changed.
  """
  changes = []
  if old["sources"] != new["sources"]:
    changes.append(f"data sources {'+'.join(old['sources'])} -> {'+'.join(new['sources'])}")
  if old["ids"] != new["ids"]:
    changes.append(f"the track list (train/val/test {_sizes(old)} -> {_sizes(new)})")
  elif old["labels"] != new["labels"]:
    changes.append("the tracks' labels")
  if old["ids"] == new["ids"] and old["split"] != new["split"]:
    changes.append("which tracks are in train/val/test (data.split_seed, split or fractions)")
  return changes


def _sizes(fingerprint) -> str:
  return "/".join(str(fingerprint["tracks"].get(s, 0)) for s in SPLITS)


def class_counts(tracks, genre_names, task_names=("genre",)) -> dict:
  """{class name: tracks} over the labels of the named class tasks (genre by default).

  Args:
    tracks: the Tracks.
    genre_names: the genre vocabulary.
    task_names: the class tasks whose labels to count.

  Returns:
    A dict from class name to the number of tracks labelled with it.
  """
  out = {}
  for name in task_names:
    task = tasks_lib.TASKS[name]
    classes = task.class_names(genre_names)
    for t in tracks:
      if task.labelled(t):
        index = int(task.label(t))  # a genre set's training label is past the classes
        key = classes[index] if index < len(classes) else labels.genre_label_name(
            index, classes)
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
