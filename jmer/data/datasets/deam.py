"""DEAM (Aljanaki, Yang & Soleymani 2017): 1,802 songs with static arousal/valence, no genre.

Expected under `<root>/deam/` (any depth, so the unzipped DEAM_audio.zip and
DEAM_Annotations.zip folders work as they come):
  MEMD_audio/<song_id>.mp3   45 s excerpts (songs 1-2000) and full songs (2001-2058), 44.1 kHz
  static_annotations_averaged_songs_1_2000.csv and ..._2000_2058.csv
      (song_id, valence_mean, valence_std, arousal_mean, arousal_std; a space after each comma)
  or one static_annotations.csv with the same columns (the normalised copy some projects ship).
Ratings on the 1-9 SAM scale are mapped onto [-1, 1].

Split: DEAM has no split that papers share (MediaEval 2015's 58-song test set is too small), so
both 'standard' and 'random' use a seeded track split by AV quadrant (data.val/test_fraction).
"""

from jmer.data import tracks as tracks_lib
from jmer.data.datasets import csvfile
from jmer.data.datasets import layout

NAME = "deam"
WHERE_TO_GET = (
    "DEAM from https://cvml.unige.ch/databases/DEAM/ (DEAM_audio.zip and DEAM_Annotations.zip); "
    "unzip both into <data root>/deam/.")
ORIGINAL_CSVS = "static_annotations_averaged_songs_*.csv"
NORMALISED_CSV = "static_annotations.csv"


def find_dir(config):
  """Returns the DEAM folder (data.dirs' 'deam:...' or <data root>/deam), or None."""
  return layout.dataset_dir(config, NAME, [NAME])


def annotation_files(folder) -> list:
  """Returns the static annotation CSVs under `folder`: DEAM's originals, else the normalised
  one, else []."""
  files = sorted(p for p in folder.rglob(ORIGINAL_CSVS) if not p.name.startswith("."))
  if not files and (single := layout.find_first(folder, NORMALISED_CSV)) is not None:
    files = [single]
  return files


def list_tracks(config) -> tracks_lib.TrackList:
  """Lists DEAM's songs with their static arousal–valence ratings.

  Args:
    config: the run config; uses data.root (or $JMER_DATA) and data.dirs.

  Returns:
    The songs with both audio and a rating (arousal/valence in [-1, 1], no genre); audio
    without a rating and ratings without audio are in `skipped`.

  Raises:
    DatasetLayoutError: no DEAM folder, MEMD_audio/ or annotation CSV; says where to get them.
  """
  folder = layout.require_dataset_dir(
      config, NAME, [NAME], "DEAM folder not found (expected MEMD_audio/ and the static "
      "annotation CSVs inside).", WHERE_TO_GET)
  audio_dir = layout.find_first(folder, "MEMD_audio", dirs=True)
  if audio_dir is None:
    raise layout.layout_error(folder, "no MEMD_audio/ folder of <song_id>.mp3 files found "
                              "(from DEAM_audio.zip).", WHERE_TO_GET)
  csvs = annotation_files(folder)
  if not csvs:
    raise layout.layout_error(
        folder, "no static annotation CSV found: expected "
        "static_annotations_averaged_songs_1_2000.csv and ..._2000_2058.csv (from "
        "DEAM_Annotations.zip, annotations averaged per song/song_level/).", WHERE_TO_GET)
  annotated = {}
  for path in csvs:
    annotated.update(layout.static_av(csvfile.read_rows(path), path))
  audio_files, skipped = layout.audio_files_by_stem(audio_dir)
  desc = " + ".join(p.name for p in csvs)
  pairs, unmatched = layout.pair_with_audio(annotated, audio_files, desc)
  tracks = [tracks_lib.Track(track_id=song, path=str(path), dataset=NAME,
                             arousal=annotated[song][0], valence=annotated[song][1])
            for song, path in pairs]
  return tracks_lib.TrackList(
      name=NAME, tracks=tracks, skipped=skipped + unmatched,
      description=f"DEAM at {folder}: {len(tracks)} songs, arousal/valence, seeded split")
