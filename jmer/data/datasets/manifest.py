"""Your own collection as a CSV manifest: one row per audio file, any subset of the labels.

Columns: `path` (required; relative paths are relative to the CSV's folder), and optionally
`track_id`, `genre` (any names; the vocabulary is their sorted distinct values), `arousal` and
`valence` (on the scale `data.manifest.av_scale`, mapped onto [-1, 1]), `quadrant` (Q1..Q4, 1..4
or a name from `data.manifest.quadrant_map`) and `split` (train/val/test; empty = assigned by the
seeded stratified split), `group` or `artist` (tracks sharing one are kept on one side of every
split and fold; `group` wins when both are given). An empty cell (or NA/NaN/None/-) means "no such label": that head gets
sample weight 0 for the track. A track's quadrant defaults to the one its AV values imply.
Any other column is kept as one of the track's own labels (`Track.extra`), for tasks you add in
jmer.tasks.
"""

import dataclasses
import math
import pathlib

from jmer import config as config_lib
from jmer.tasks import labels
from jmer.data import tracks as tracks_lib
from jmer.data.datasets import csvfile
from jmer.data.datasets import folder

MISSING = ("", "na", "n/a", "nan", "none", "null", "-", "?")
KNOWN_COLUMNS = ("path", "track_id", "genre", "arousal", "valence", "quadrant", "split", "group",
                 "artist")
SPLIT_ALIASES = {"train": "train", "training": "train", "val": "val", "valid": "val",
                 "validation": "val", "dev": "val", "test": "test", "testing": "test"}


def _missing(value) -> bool:
  return value is None or value.strip().lower() in MISSING


def _rating(value: str, scale, where: str) -> float:
  """A rating rescaled from `scale` onto [-1, 1], or NaN for a missing cell."""
  if _missing(value):
    return math.nan
  try:
    rating = float(value)
  except ValueError:
    raise ValueError(f"{where}: {value!r} is not a number") from None
  low, high = scale
  if not low <= rating <= high:
    raise ValueError(f"{where}: {rating:g} lies outside data.manifest.av_scale = "
                     f"({low:g}, {high:g}); set the scale your ratings use, e.g. "
                     f"--config.data.manifest.av_scale='(1.0, 9.0)'.")
  return float(labels.rescale_to_unit(rating, low, high))


def _group(row) -> str:
  """The row's group: its `group` cell, else its `artist` cell (case-folded), else ''."""
  for column in ("group", "artist"):
    if not _missing(row.get(column)):
      return row[column].strip().lower()
  return ""


def list_tracks(config) -> tracks_lib.TrackList:
  """The tracks of the CSV manifest at config.data.manifest.path.

  Rows with no path, a missing file, a relative path leaving the manifest's folder or a
  duplicate track are skipped (listed in the result's `skipped`), not fatal.

  Args:
    config: the run's config; reads data.manifest (path, av_scale, quadrant_map), and
      tasks.genre and data.source for the two-genre check.
  Returns:
    A TrackList named 'manifest': arousal/valence rescaled onto [-1, 1], genres indexed into the
    sorted vocabulary of the kept rows' genre cells.
  Raises:
    ValueError for a manifest without a 'path' column, a malformed cell, or (training genre
    on this manifest alone) a single genre.
  """
  cfg = config.data.manifest
  csv_path = pathlib.Path(cfg.path).expanduser()
  rows, columns = _read_manifest(csv_path)
  prefix = folder.collection_id(csv_path)  # keeps two manifests' cached features apart
  lookup = folder.quadrant_lookup(cfg.quadrant_map)
  scale = tuple(float(x) for x in cfg.av_scale)
  tracks, genres, skipped, seen = [], [], [], set()
  for line, row in enumerate(rows, start=2):  # line 1 is the header
    where = f"{csv_path}, line {line}"
    path, problem = _row_file(row, csv_path, where)
    if problem:
      skipped.append(problem)
      continue
    track_id = f"{prefix}/{row.get('track_id') or pathlib.Path(row['path']).as_posix()}"
    file_key = path.resolve()  # 'a.wav', './a.wav' and its absolute path are one file
    if track_id in seen or file_key in seen:
      skipped.append((str(path), f"duplicate of a track listed earlier (listed again at "
                                 f"{where})"))
      continue
    seen.update((track_id, file_key))
    genre = row.get("genre")
    genres.append(None if _missing(genre) else genre)
    tracks.append(_row_track(row, track_id, path, where, scale, lookup))
  genre_names = _genre_vocabulary(genres, config, csv_path)
  tracks = [dataclasses.replace(t, genre=labels.NO_GENRE if g is None else genre_names.index(g))
            for t, g in zip(tracks, genres)]
  groups = len({t.group for t in tracks if t.group})
  column = "group" if "group" in columns else "artist"
  return tracks_lib.TrackList(
      name="manifest", tracks=tracks, genre_names=genre_names, skipped=skipped,
      description=f"manifest {csv_path}: {len(tracks)} files ({_label_summary(tracks)})",
      group_note=f"{column} column ({groups} groups)" if groups else "")


def _read_manifest(csv_path: pathlib.Path) -> tuple[list, set]:
  """The manifest's rows (dicts keyed by column) and its column names; refused without 'path'."""
  rows = csvfile.read_rows(csv_path)
  columns = set(rows[0]) if rows else set()
  if "path" not in columns:
    raise ValueError(f"{csv_path}: the manifest needs a 'path' column (found {sorted(columns)}).")
  return rows, columns


def _row_file(row, csv_path: pathlib.Path, where: str) -> tuple:
  """The audio file a row names, resolved against the manifest's folder.

  Returns:
    (path, None) for an existing file, else (None, (what, reason)): the entry for `skipped`.
  """
  if _missing(row["path"]):
    return None, (where, "empty path")
  path = pathlib.Path(row["path"]).expanduser()
  if not path.is_absolute() and ".." in path.parts:
    # Skipped, not followed: a relative path is the manifest's own material, and one climbing
    # out of its folder is a manifest moved away from its audio or a crafted path.
    return None, (str(path), f"relative path leaves the manifest's folder (listed at "
                             f"{where}); write it as an absolute path to use it")
  path = path if path.is_absolute() else csv_path.parent / path
  if not path.is_file():
    return None, (str(path), f"no such file (listed at {where})")
  return path, None


def _row_track(row, track_id: str, path: pathlib.Path, where: str, scale: tuple,
               lookup) -> tracks_lib.Track:
  """A row's Track with every label but genre (indexed once the vocabulary is known).

  Args:
    scale: (low, high) of the arousal/valence ratings, mapped onto [-1, 1].
    lookup: folder.quadrant_lookup's result for data.manifest.quadrant_map.
  """
  quadrant, split = row.get("quadrant"), row.get("split")
  if not _missing(split) and split.strip().lower() not in SPLIT_ALIASES:
    raise ValueError(f"{where}: split {split!r} is not one of {tracks_lib.SPLITS} (or empty)")
  return tracks_lib.Track(
      track_id=track_id, path=str(path), dataset="manifest",
      arousal=_rating(row.get("arousal"), scale, f"{where}, arousal"),
      valence=_rating(row.get("valence"), scale, f"{where}, valence"),
      quadrant=-1 if _missing(quadrant) else folder.quadrant_index(
          quadrant, lookup, f"{where}, quadrant", "data.manifest.quadrant_map"),
      split="" if _missing(split) else SPLIT_ALIASES[split.strip().lower()],
      group=_group(row),
      extra=tuple(sorted((k, v.strip()) for k, v in row.items()
                         if k not in KNOWN_COLUMNS and not _missing(v))))


def _genre_vocabulary(genres: list, config, csv_path: pathlib.Path) -> tuple[str, ...]:
  """The sorted distinct genre names of the kept rows (None: no genre cell).

  The vocabulary comes from the rows kept: a genre only on skipped rows would be a head output
  with no training track, and a 0 dragging macro-F1 down. Refused when it holds one genre, the
  genre task is on and the manifest is the only source.
  """
  genre_names = tuple(sorted({g for g in genres if g is not None}))
  if (len(genre_names) == 1 and config.tasks.genre
      and config_lib.parse_sources(config.data.source) == ("manifest",)):
    raise ValueError(f"{csv_path}: every genre cell says {genre_names[0]!r}; a genre classifier "
                     "needs at least two genres. Add tracks of other genres, train without "
                     "genre (--config.tasks.genre=False), or mix in another dataset.")
  return genre_names


def _label_summary(tracks) -> str:
  """How many tracks carry each label, e.g. '12 with genre, 8 with quadrant', or 'no labels'."""
  labelled = {key: sum(test(t) for t in tracks) for key, test in (
      ("genre", lambda t: t.genre >= 0), ("arousal/valence", lambda t: t.has_av),
      ("quadrant", lambda t: t.quadrant >= 0))}
  summary = ", ".join(f"{count} with {key}" for key, count in labelled.items() if count)
  return summary or "no labels"
