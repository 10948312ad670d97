"""GTZAN (Tzanetakis & Cook 2002): 10 genres x 100 clips of 30 s, 22,050 Hz mono, genre labels.

Accepted layouts under `<root>/gtzan/` (or the folder `data.dirs` names, 'gtzan:<path>'; or
the root being the genre folder itself):
  genres/<genre>/<genre>.000NN.au                   the original marsyas tarball
  genres_original/<genre>/<genre>.000NN.wav         the widely used Kaggle re-upload
  Data/genres_original/<genre>/<genre>.000NN.wav    the same, as the Kaggle zip unpacks
The re-upload's `jazz.00054.wav` does not decode; the cache build reports and skips it.

Optional files beside the genre folder (the layout of the development set `gtzan_real/`), clips
named by their path or stem:
  usable.txt    one clip per line: only these are listed (e.g. the fault-filtered clips)
  artists.csv   `file, artist[, source]`: each clip's artist, its Track.group, so no artist is in
                two splits or folds (GTZAN is stored in artist order: folds by track leak artists)

Splits (`config.data.split`):
  'standard'  the fault-filtered, artist-conditional split of Kereliuk, Sturm & Larsen (2015),
              443 train / 197 valid / 290 test, shipped in jmer/resources/gtzan_splits/ and
              matched by file stem so every layout matches; the other 70 tracks (repeats,
              distortions, mislabels) are left out. Recent benchmarks report on its test list.
  'random'    a seeded, genre-stratified track split using data.val_fraction/test_fraction.
"""

import importlib.resources
import logging

from jmer.tasks import labels
from jmer.data import tracks as tracks_lib
from jmer.data.datasets import csvfile
from jmer.data.datasets import layout

NAME = "gtzan"
WHERE_TO_GET = (
    "GTZAN is not redistributed by jmer. The original tarball genres.tar.gz (marsyas.info, "
    "'GTZAN Genre Collection') or the Kaggle re-upload 'GTZAN Dataset - Music Genre "
    "Classification' (folder Data/genres_original); unpack it into <data root>/gtzan/.")
LAYOUTS = ("genres_original", "genres", "Data/genres_original", "")
SPLIT_FILES = {"train": "train_filtered.txt", "val": "valid_filtered.txt",
               "test": "test_filtered.txt"}
USABLE_LIST = "usable.txt"
ARTISTS_FILE = "artists.csv"


def _has_genre_folders(folder) -> bool:
  return folder.is_dir() and any((folder / g).is_dir() for g in labels.GTZAN_GENRES)


def find_folders(config) -> tuple:
  """(the dataset folder, the folder holding `<genre>/` sub-folders), or (None, None).

  Args:
    config: the run config; uses data.root (or $JMER_DATA) and data.dirs.

  Returns:
    The two Paths for the first accepted layout found, or (None, None).
  """
  root = layout.data_root(config)
  configured = layout.configured_dir(config, NAME)
  bases = [configured] if configured is not None else (
      [layout.child_dir(root, [NAME]), root] if root is not None else [])
  for base in (b for b in bases if b is not None):
    for sub in LAYOUTS:
      if _has_genre_folders(base / sub):
        return base, base / sub
  return None, None


def find_genre_folder(config):
  """The folder holding `<genre>/` sub-folders (find_folders), or None."""
  return find_folders(config)[1]


def fault_filtered_split() -> dict:
  """Returns {track stem: 'train'|'val'|'test'} from the shipped Kereliuk & Sturm lists."""
  folder = importlib.resources.files("jmer") / "resources" / "gtzan_splits"
  out = {}
  for split, name in SPLIT_FILES.items():
    for line in (folder / name).read_text().split():
      out[_stem(line)] = split
  return out


def _stem(path: str) -> str:
  return path.strip().rsplit("/", 1)[-1].rsplit(".", 1)[0]  # blues/blues.00029.wav -> stem


def read_usable(folder) -> set | None:
  """The clip stems `folder/usable.txt` lists, or None when there is no such file.

  Args:
    folder: the dataset folder.

  Returns:
    A set of stems ('blues.00000'), or None.
  """
  path = folder / USABLE_LIST
  return {_stem(line) for line in path.read_text().splitlines() if line.strip()} \
      if path.is_file() else None


def read_artists(folder) -> dict:
  """{clip stem: artist, case-folded} from `folder/artists.csv`; {} when there is no such file.

  Args:
    folder: the dataset folder.

  Returns:
    A dict from stem to artist; clips with an empty artist cell are left out.

  Raises:
    ValueError: the file has no 'file' or no 'artist' column.
  """
  path = folder / ARTISTS_FILE
  if not path.is_file():
    return {}
  rows = csvfile.read_rows(path)
  if rows and not {"file", "artist"} <= set(rows[0]):
    raise ValueError(f"{path}: needs 'file' and 'artist' columns, has {sorted(rows[0])}.")
  return {_stem(r["file"]): r["artist"].lower() for r in rows if r["file"] and r["artist"]}


def _genre_tracks(folder, genres, keep, split_of, artists) -> tuple:
  """([Track], [(path, reason)] skipped, the number of files `keep` leaves out)."""
  tracks, skipped, left_out = [], [], 0
  for genre in genres:
    files, odd = layout.audio_files_by_stem(folder / genre)
    skipped += odd
    for stem, path in files.items():
      if not keep(stem):
        left_out += 1
        continue
      tracks.append(tracks_lib.Track(
          track_id=stem, path=str(path), dataset=NAME, genre=labels.GTZAN_GENRES.index(genre),
          split=split_of.get(stem, ""), group=artists.get(stem, "")))
  return tracks, skipped, left_out


def list_tracks(config) -> tracks_lib.TrackList:
  """Lists GTZAN's clips with their genres (and artists, where artists.csv gives them).

  Args:
    config: the run config; uses data.root (or $JMER_DATA), data.dirs and data.split.

  Returns:
    The dataset's tracks.

  Raises:
    DatasetLayoutError saying what is missing and where to get it.
  """
  root = layout.require_root(config, NAME, WHERE_TO_GET)
  base, folder = find_folders(config)
  if folder is None:
    raise layout.layout_error(
        layout.configured_dir(config, NAME) or root / NAME, "no GTZAN genre folders found. "
        "Expected genres/<genre>/<genre>.000NN.au or genres_original/<genre>/<genre>.000NN.wav "
        f"here, with <genre> one of {', '.join(labels.GTZAN_GENRES)}.", WHERE_TO_GET)
  present = [g for g in labels.GTZAN_GENRES if (folder / g).is_dir()]
  if len(present) < len(labels.GTZAN_GENRES):
    logging.warning("%s: genre folder(s) missing: %s", folder,
                    ", ".join(g for g in labels.GTZAN_GENRES if g not in present))
  standard = config.data.split == "standard"
  split_of = fault_filtered_split() if standard else {}
  usable, artists = read_usable(base), read_artists(base)
  tracks, skipped, left_out = _genre_tracks(
      folder, present, lambda stem: (not standard or stem in split_of)
      and (usable is None or stem in usable), split_of, artists)
  if not tracks:
    raise layout.layout_error(folder, "the genre folders hold no usable audio files "
                              "(<genre>.000NN.au/.wav).", WHERE_TO_GET)
  split_note = "fault-filtered split (Kereliuk & Sturm)" if standard else "seeded random split"
  kept_by = [name for name, on in (("it", standard), (USABLE_LIST, usable is not None)) if on]
  if kept_by:
    split_note += f", {left_out} track(s) outside {' or '.join(kept_by)} left out"
  group_note = _group_note(tracks)
  return tracks_lib.TrackList(
      name=NAME, tracks=tracks, genre_names=labels.GTZAN_GENRES, skipped=skipped,
      description=(f"GTZAN at {folder}: {len(tracks)} clips, genre labels, {split_note}"
                   + (f", grouped by {group_note}" if group_note else "")),
      group_note=group_note)


def _group_note(tracks) -> str:
  """'artist (artists.csv, N artists, M of K clips)', or '' when no clip has an artist."""
  artists = {t.group for t in tracks if t.group}
  grouped = sum(bool(t.group) for t in tracks)
  return (f"artist ({ARTISTS_FILE}, {len(artists)} artists, {grouped} of {len(tracks)} clips)"
          if artists else "")
