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
from jmer import labels
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
  cfg = config.data.manifest
  csv_path = pathlib.Path(cfg.path).expanduser()
  rows = csvfile.read_rows(csv_path)
  columns = set(rows[0]) if rows else set()
  if "path" not in columns:
    raise ValueError(f"{csv_path}: the manifest needs a 'path' column (found {sorted(columns)}).")
  prefix = folder.collection_id(csv_path)  # keeps two manifests' cached features apart
  lookup = folder.quadrant_lookup(cfg.quadrant_map)
  scale = tuple(float(x) for x in cfg.av_scale)
  tracks, genres, skipped, seen = [], [], [], set()
  for line, row in enumerate(rows, start=2):  # line 1 is the header
    where = f"{csv_path}, line {line}"
    if _missing(row["path"]):
      skipped.append((where, "empty path"))
      continue
    path = pathlib.Path(row["path"]).expanduser()
    if not path.is_absolute() and ".." in path.parts:
      # Skipped, not followed: a relative path is the manifest's own material, and one climbing
      # out of its folder is a manifest moved away from its audio or a crafted path.
      skipped.append((str(path), f"relative path leaves the manifest's folder (listed at "
                                 f"{where}); write it as an absolute path to use it"))
      continue
    path = path if path.is_absolute() else csv_path.parent / path
    if not path.is_file():
      skipped.append((str(path), f"no such file (listed at {where})"))
      continue
    track_id = f"{prefix}/{row.get('track_id') or pathlib.Path(row['path']).as_posix()}"
    file_key = path.resolve()  # 'a.wav', './a.wav' and its absolute path are one file
    if track_id in seen or file_key in seen:
      skipped.append((str(path), f"duplicate of a track listed earlier (listed again at "
                                 f"{where})"))
      continue
    seen.update((track_id, file_key))
    genre, quadrant, split = row.get("genre"), row.get("quadrant"), row.get("split")
    if not _missing(split) and split.strip().lower() not in SPLIT_ALIASES:
      raise ValueError(f"{where}: split {split!r} is not one of {tracks_lib.SPLITS} (or empty)")
    genres.append(None if _missing(genre) else genre)
    tracks.append(tracks_lib.Track(
        track_id=track_id, path=str(path), dataset="manifest",
        arousal=_rating(row.get("arousal"), scale, f"{where}, arousal"),
        valence=_rating(row.get("valence"), scale, f"{where}, valence"),
        quadrant=-1 if _missing(quadrant) else folder.quadrant_index(
            quadrant, lookup, f"{where}, quadrant", "data.manifest.quadrant_map"),
        split="" if _missing(split) else SPLIT_ALIASES[split.strip().lower()],
        group=_group(row),
        extra=tuple(sorted((k, v.strip()) for k, v in row.items()
                           if k not in KNOWN_COLUMNS and not _missing(v)))))
  # The vocabulary comes from the rows kept: a genre only on skipped rows would be a head
  # output with no training track, and a 0 dragging macro-F1 down.
  genre_names = tuple(sorted({g for g in genres if g is not None}))
  if (len(genre_names) == 1 and config.tasks.genre
      and config_lib.parse_sources(config.data.source) == ("manifest",)):
    raise ValueError(f"{csv_path}: every genre cell says {genre_names[0]!r}; a genre classifier "
                     "needs at least two genres. Add tracks of other genres, train without "
                     "genre (--config.tasks.genre=False), or mix in another dataset.")
  tracks = [dataclasses.replace(t, genre=labels.NO_GENRE if g is None else genre_names.index(g))
            for t, g in zip(tracks, genres)]
  labelled = {key: sum(test(t) for t in tracks) for key, test in (
      ("genre", lambda t: t.genre >= 0), ("arousal/valence", lambda t: t.has_av),
      ("quadrant", lambda t: t.quadrant >= 0))}
  summary = ", ".join(f"{count} with {key}" for key, count in labelled.items() if count)
  groups = len({t.group for t in tracks if t.group})
  column = "group" if "group" in columns else "artist"
  return tracks_lib.TrackList(
      name="manifest", tracks=tracks, genre_names=genre_names, skipped=skipped,
      description=f"manifest {csv_path}: {len(tracks)} files ({summary or 'no labels'})",
      group_note=f"{column} column ({groups} groups)" if groups else "")
