"""EmoMusic / "1000 songs" (Soleymani et al. 2013): 744 clips of 45 s with static arousal/valence
AND a genre per song, so one dataset carries both labels.

Expected under `<root>/emomusic/` (any depth):
  clips_45seconds/<song_id>.mp3
  static_annotations.csv   song_id, mean_arousal, std_arousal, mean_valence, std_valence (1-9)
                           (or the normalised copy's valence_mean/arousal_mean columns)
  songs_info.csv           song_id, file_name, Artist, ..., Genre, Mediaeval 2013 set
                           (fields padded with tabs; optional: without it, no genre labels
                           and no artist groups)

Genre mapping onto the GTZAN vocabulary (GENRE_MAP): Blues, Classical, Country, Jazz, Pop and
Rock map to the GTZAN genre of the same name. Electronic and Folk have no sound GTZAN
counterpart (Electronic is neither disco nor hiphop; Folk is not country), so their songs keep
their AV labels but their genre label is masked.

Split: 'standard' tests on the MediaEval 2013 evaluation set (125 songs, the split the
literature and the shared normalised split files use) and draws validation from the development
set; 'random' (or no songs_info.csv) uses a seeded split by AV quadrant. Either way the seeded
parts are by artist (songs_info.csv's Artist column becomes Track.group): no artist has songs in
two of the seeded splits. The MediaEval evaluation set is kept as published for comparability,
though it is not artist-disjoint (in the real songs_info.csv 52 of its artists also have 224
development songs): the listing says so, and metrics.json records it; use data.split='random'
for an artist-disjoint test set.
"""

import dataclasses

from jmer.tasks import labels
from jmer.data import tracks as tracks_lib
from jmer.data.datasets import csvfile
from jmer.data.datasets import layout

NAME = "emomusic"
WHERE_TO_GET = (
    "EmoMusic ('1000 Songs for Emotional Analysis of Music') from "
    "https://cvml.unige.ch/databases/emoMusic/ (clips_45sec.zip and the annotations); unzip "
    "into <data root>/emomusic/.")
ALIASES = (NAME, "emo_music", "1000songs", "1000_songs")
GENRE_MAP = {"blues": "blues", "classical": "classical", "country": "country", "jazz": "jazz",
             "pop": "pop", "rock": "rock", "electronic": None, "folk": None}


def find_dir(config):
  """Returns the EmoMusic folder (data.dirs' 'emomusic:...' or <data root>/emomusic), or None."""
  return layout.dataset_dir(config, NAME, ALIASES)


def genre_index(name: str) -> int:
  """GTZAN index for an EmoMusic genre name, NO_GENRE where no sound mapping exists.

  Args:
    name: the genre as songs_info.csv spells it (case and spaces ignored).

  Returns:
    The index into labels.GTZAN_GENRES, or labels.NO_GENRE.
  """
  target = GENRE_MAP.get(name.strip().lower())
  return labels.GTZAN_GENRES.index(target) if target else labels.NO_GENRE


def read_songs_info(path) -> dict:
  """{song id: (genre index, MediaEval 2013 set, artist)} from songs_info.csv.

  Args:
    path: songs_info.csv.

  Returns:
    A dict from song id to (GTZAN genre index, set name lower-cased, artist lower-cased).

  Raises:
    ValueError: the file has no 'Genre' column.
  """
  out = {}
  for row in csvfile.read_rows(path):
    if "Genre" not in row:
      raise ValueError(f"{path}: no 'Genre' column (header has {sorted(row)})")
    out[str(int(float(row["song_id"])))] = (genre_index(row["Genre"]),
                                             row.get("Mediaeval 2013 set", "").lower(),
                                             row.get("Artist", "").strip().lower())
  return out


def _standard_split(tracks, info, config):
  """Test = MediaEval 2013 evaluation set; validation drawn (seeded) from the development set."""
  test = {t.track_id for t in tracks if info.get(t.track_id, (0, "", ""))[1] == "evaluation"}
  develop = tracks_lib.with_quadrants([t for t in tracks if t.track_id not in test],
                                      config.tasks.quadrant_threshold)
  share = config.data.val_fraction / max(1e-9, 1.0 - config.data.test_fraction)
  by_split = tracks_lib.split_tracks(develop, share, 0.0, config.data.split_seed)
  split_of = {t.track_id: s for s, ts in by_split.items() for t in ts}
  split_of.update({song: "test" for song in test})
  return [dataclasses.replace(t, split=split_of[t.track_id]) for t in tracks]


def list_tracks(config) -> tracks_lib.TrackList:
  """Lists EmoMusic's clips with their arousal–valence ratings and mapped genres.

  Args:
    config: the run config; uses data.root (or $JMER_DATA), data.dirs and data.split
      ('standard': the MediaEval 2013 test set).

  Returns:
    The clips with audio and a rating, their genre mapped onto GTZAN's (masked where it has no
    match) and their artist as the group.

  Raises:
    DatasetLayoutError: no EmoMusic folder, clips or annotations; says where to get them.
  """
  folder = layout.require_dataset_dir(
      config, NAME, ALIASES, "EmoMusic folder not found (expected clips_45seconds/, "
      "static_annotations.csv and songs_info.csv inside).", WHERE_TO_GET)
  audio_dir = layout.find_first(folder, "clips_45seconds", dirs=True)
  if audio_dir is None:
    raise layout.layout_error(folder, "no clips_45seconds/ folder of <song_id>.mp3 files found.",
                              WHERE_TO_GET)
  csv_path = layout.find_first(folder, "static_annotations.csv")
  if csv_path is None:
    raise layout.layout_error(folder, "no static_annotations.csv (song_id, mean_arousal, "
                              "std_arousal, mean_valence, std_valence) found.", WHERE_TO_GET)
  annotated = layout.static_av(csvfile.read_rows(csv_path), csv_path)
  info_path = layout.find_first(folder, "songs_info.csv")
  info = read_songs_info(info_path) if info_path else {}
  audio_files, skipped = layout.audio_files_by_stem(audio_dir)
  pairs, unmatched = layout.pair_with_audio(annotated, audio_files, csv_path.name)
  tracks = [tracks_lib.Track(track_id=song, path=str(path), dataset=NAME,
                             genre=info.get(song, (labels.NO_GENRE, "", ""))[0],
                             arousal=annotated[song][0], valence=annotated[song][1],
                             group=info.get(song, (0, "", ""))[2])
            for song, path in pairs]
  standard = config.data.split == "standard" and info
  if standard:
    tracks = _standard_split(tracks, info, config)
  with_genre = sum(t.genre >= 0 for t in tracks)
  artists = len({t.group for t in tracks if t.group})
  group_note = f"artist (songs_info.csv, {artists} artists)" if artists else ""
  if standard and artists:
    shared = shared_test_artists(tracks)
    if shared:
      group_note += (f"; the MediaEval 2013 test set shares {len(shared)} artists with the "
                     "development songs (published split kept; data.split='random' avoids it)")
  return tracks_lib.TrackList(
      name=NAME, tracks=tracks, genre_names=labels.GTZAN_GENRES, skipped=skipped + unmatched,
      description=(f"EmoMusic at {folder}: {len(tracks)} clips, arousal/valence, genre for "
                   f"{with_genre} (mapped onto GTZAN; Electronic/Folk masked"
                   + ("" if info_path else "; no songs_info.csv, so none") + "), "
                   + ("MediaEval 2013 split" if standard else "seeded split")
                   + (f", grouped by {artists} artists" if artists else "")),
      group_note=group_note)


def shared_test_artists(tracks) -> set:
  """Artists with songs both in the test split and outside it.

  Args:
    tracks: EmoMusic Tracks, their group the artist.

  Returns:
    The set of shared artists (empty when the split is artist-disjoint).
  """
  test = {t.group for t in tracks if t.split == "test" and t.group}
  return test & {t.group for t in tracks if t.split != "test" and t.group}
