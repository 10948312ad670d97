"""4Q audio emotion dataset (Panda, Malheiro & Paiva, IEEE TAFFC 2018): ~30 s AllMusic previews,
each in one of Russell's four quadrants (Q1 +A+V, Q2 +A-V, Q3 -A-V, Q4 -A+V).

Expected under `<root>/4q/` (or the folder `data.dirs` names, '4q:<path>'), as the public copy
unpacks:
  Q1/<song>.mp3 ... Q4/<song>.mp3   the clips, each in its quadrant's folder
  metadata.csv (or the public copy's panda_dataset_taffc_metadata.csv)
                                    Song, Artist, Title, Quadrant, GenresStr, ...

Labels: the quadrant (the clip's folder); the artist (Track.group: no artist is in two splits or
folds); the AllMusic genres (`GenresStr`, several per song, '; '-separated), kept as the track's
own label `GenresStr` for the genre_tags task. No single-label genre and no published split:
splits and folds are seeded, by artist. A clip without a metadata row keeps its quadrant and is
its own group.
"""

import logging

from jmer.tasks import labels
from jmer.data import tracks as tracks_lib
from jmer.data.datasets import csvfile
from jmer.data.datasets import layout

NAME = "4q"
WHERE_TO_GET = (
    "The 4Q audio emotion dataset (Panda, Malheiro & Paiva 2018) from the University of "
    "Coimbra's MIR group (mir.dei.uc.pt, downloads); unpack it into <data root>/4q/ so that "
    "Q1/..Q4/ and its metadata CSV sit there, or point data.dirs at its folder ('4q:<path>').")
QUADRANT_FOLDERS = tuple(f"Q{i + 1}" for i in range(len(labels.QUADRANTS)))
METADATA_FILES = ("metadata.csv", "panda_dataset_taffc_metadata.csv")
TAG_COLUMN = "GenresStr"  # jmer.tasks.genre_tags reads it


def find_dir(config):
  """Returns the 4Q folder (data.dirs' '4q:...' or <data root>/4q), or None."""
  return layout.dataset_dir(config, NAME, [NAME])


def read_metadata(folder) -> tuple:
  """({song: artist, case-folded}, {song: its AllMusic genres as written}, the file's name).

  Args:
    folder: the 4Q folder.

  Returns:
    The two dicts and the metadata file's name; ({}, {}, '') when there is none.

  Raises:
    ValueError: the file has no 'Song' or no 'Artist' column.
  """
  path = next((folder / n for n in METADATA_FILES if (folder / n).is_file()), None)
  if path is None:
    return {}, {}, ""
  rows = csvfile.read_rows(path)
  if rows and not {"Song", "Artist"} <= set(rows[0]):
    raise ValueError(f"{path}: needs 'Song' and 'Artist' columns, has {sorted(rows[0])}.")
  artists = {r["Song"]: r["Artist"].lower() for r in rows if r["Song"] and r["Artist"]}
  genres = {r["Song"]: r[TAG_COLUMN] for r in rows if r["Song"] and r.get(TAG_COLUMN)}
  return artists, genres, path.name


def _quadrant_files(folder) -> tuple:
  """({song: (quadrant index, path)}, [(path, reason)] skipped) over the Q1..Q4 folders."""
  songs, skipped = {}, []
  for quadrant, name in enumerate(QUADRANT_FOLDERS):
    if not (folder / name).is_dir():
      continue
    files, odd = layout.audio_files_by_stem(folder / name)
    skipped += odd
    for song, path in files.items():
      if song in songs:
        skipped.append((str(path), f"the same song is in {songs[song][1].parent.name}/ too; "
                                   "using that one"))
      else:
        songs[song] = (quadrant, path)
  return songs, skipped


def list_tracks(config) -> tracks_lib.TrackList:
  """Lists 4Q's clips with their quadrant, artist and AllMusic genres.

  Args:
    config: the run config; uses data.root (or $JMER_DATA) and data.dirs ('4q:<path>').

  Returns:
    One track per song, in song order: its quadrant from its folder, its artist (the group)
    and AllMusic genres from the metadata where it has a row; no single-label genre.

  Raises:
    DatasetLayoutError: no 4Q folder, or no clips in its Q1..Q4 folders.
  """
  folder = layout.require_dataset_dir(
      config, NAME, [NAME], "4Q folder not found (expected Q1/ .. Q4/ of <song>.mp3 and "
      "metadata.csv inside).", WHERE_TO_GET)
  missing = [q for q in QUADRANT_FOLDERS if not (folder / q).is_dir()]
  if missing:
    logging.warning("%s: quadrant folder(s) missing: %s", folder, ", ".join(missing))
  songs, skipped = _quadrant_files(folder)
  artists, genres, metadata = read_metadata(folder)
  tracks = [tracks_lib.Track(track_id=song, path=str(path), dataset=NAME, quadrant=quadrant,
                             group=artists.get(song, ""),
                             extra=((TAG_COLUMN, genres[song]),) if song in genres else ())
            for song, (quadrant, path) in sorted(songs.items())]
  if not tracks:
    raise layout.layout_error(folder, "no audio files in quadrant folders (expected Q1/ .. Q4/ "
                              "of <song>.mp3).", WHERE_TO_GET)
  counts = ", ".join(f"{q}={sum(t.quadrant == i for t in tracks)}"
                     for i, q in enumerate(QUADRANT_FOLDERS))
  grouped = [t.group for t in tracks if t.group]
  group_note = (f"artist ({metadata}, {len(set(grouped))} artists, {len(grouped)} of "
                f"{len(tracks)} clips)" if grouped else "")
  return tracks_lib.TrackList(
      name=NAME, tracks=tracks, genre_names=(), skipped=skipped,
      description=(f"4Q at {folder}: {len(tracks)} clips, quadrant labels ({counts}), AllMusic "
                   f"genres for {sum(bool(t.extra) for t in tracks)}, seeded split"
                   + (f", grouped by {group_note}" if group_note else "")),
      group_note=group_note)
