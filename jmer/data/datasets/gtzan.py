"""GTZAN (Tzanetakis & Cook 2002): 10 genres x 100 clips of 30 s, 22,050 Hz mono, genre labels.

Accepted layouts under `<root>/gtzan/` (or that folder being the genre folder itself):
  genres/<genre>/<genre>.000NN.au                   the original marsyas tarball
  genres_original/<genre>/<genre>.000NN.wav         the widely used Kaggle re-upload
  Data/genres_original/<genre>/<genre>.000NN.wav    the same, as the Kaggle zip unpacks
The re-upload's `jazz.00054.wav` does not decode; the cache build reports and skips it.

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
from jmer.data.datasets import layout

NAME = "gtzan"
WHERE_TO_GET = (
    "GTZAN is not redistributed by jmer. The original tarball genres.tar.gz (marsyas.info, "
    "'GTZAN Genre Collection') or the Kaggle re-upload 'GTZAN Dataset - Music Genre "
    "Classification' (folder Data/genres_original); unpack it into <data root>/gtzan/.")
LAYOUTS = ("genres_original", "genres", "Data/genres_original", "")
SPLIT_FILES = {"train": "train_filtered.txt", "val": "valid_filtered.txt",
               "test": "test_filtered.txt"}


def _has_genre_folders(folder) -> bool:
  return folder.is_dir() and any((folder / g).is_dir() for g in labels.GTZAN_GENRES)


def find_genre_folder(root):
  """The folder holding `<genre>/` sub-folders, for any accepted layout, or None.

  Args:
    root: the data root.

  Returns:
    The folder's Path, or None when no accepted layout is found.
  """
  bases = [d for d in (layout.child_dir(root, [NAME]), root) if d is not None]
  for base in bases:
    for sub in LAYOUTS:
      if _has_genre_folders(base / sub):
        return base / sub
  return None


def fault_filtered_split() -> dict:
  """Returns {track stem: 'train'|'val'|'test'} from the shipped Kereliuk & Sturm lists."""
  folder = importlib.resources.files("jmer") / "resources" / "gtzan_splits"
  out = {}
  for split, name in SPLIT_FILES.items():
    for line in (folder / name).read_text().split():
      out[line.rsplit("/", 1)[-1].rsplit(".", 1)[0]] = split  # blues/blues.00029.wav -> stem
  return out


def list_tracks(config) -> tracks_lib.TrackList:
  """Lists GTZAN's clips with their genres.

  Args:
    config: the run config; uses data.root (or $JMER_DATA).

  Returns:
    The dataset's tracks.

  Raises:
    DatasetLayoutError saying what is missing and where to get it.
  """
  root = layout.require_root(config, NAME, WHERE_TO_GET)
  folder = find_genre_folder(root)
  if folder is None:
    raise layout.layout_error(
        root / NAME, "no GTZAN genre folders found. Expected genres/<genre>/<genre>.000NN.au or "
        "genres_original/<genre>/<genre>.000NN.wav here, with <genre> one of "
        f"{', '.join(labels.GTZAN_GENRES)}.", WHERE_TO_GET)
  missing = [g for g in labels.GTZAN_GENRES if not (folder / g).is_dir()]
  if missing:
    logging.warning("%s: genre folder(s) missing: %s", folder, ", ".join(missing))
  standard = config.data.split == "standard"
  split_of = fault_filtered_split() if standard else {}
  tracks, skipped, left_out = [], [], 0
  for genre_index, genre in enumerate(labels.GTZAN_GENRES):
    if genre in missing:
      continue
    files, odd = layout.audio_files_by_stem(folder / genre)
    skipped += odd
    for stem, path in files.items():
      if standard and stem not in split_of:
        left_out += 1
        continue
      tracks.append(tracks_lib.Track(track_id=stem, path=str(path), dataset=NAME,
                                     genre=genre_index, split=split_of.get(stem, "")))
  if not tracks:
    raise layout.layout_error(folder, "the genre folders hold no usable audio files "
                              "(<genre>.000NN.au/.wav).", WHERE_TO_GET)
  split_note = ("fault-filtered split (Kereliuk & Sturm), "
                f"{left_out} track(s) outside it left out" if standard else "seeded random split")
  return tracks_lib.TrackList(
      name=NAME, tracks=tracks, genre_names=labels.GTZAN_GENRES, skipped=skipped,
      description=f"GTZAN at {folder}: {len(tracks)} clips, genre labels, {split_note}")
