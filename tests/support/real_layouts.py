"""Small fixture folders in the real GTZAN / DEAM / EmoMusic layouts, with generated audio.

Real file names and real CSV headers (DEAM's space after each comma, EmoMusic's tab-padded
quoted fields), a few seconds of tone + noise per file. Used by the tests and the prepare
benchmark; nothing here is downloaded.
"""

import pathlib

import numpy as np
import soundfile as sf

from jmer.tasks import labels

DEAM_HEADER = "song_id, valence_mean, valence_std, arousal_mean, arousal_std"
EMOMUSIC_HEADER = "song_id, mean_arousal, std_arousal, mean_valence, std_valence"
SONGS_INFO_HEADER = ('"song_id","file_name","Artist","Song title","start of the segment '
                     '(min.sec)","end of the segment (min.sec)","Genre","Mediaeval 2013 set"')


def write_clip(path, seconds: float, sample_rate: int, seed: int):
  """A tone (pitch set by `seed`) plus a little noise; the format follows the file extension."""
  path = pathlib.Path(path)
  path.parent.mkdir(parents=True, exist_ok=True)
  rng = np.random.default_rng(seed)
  t = np.arange(int(seconds * sample_rate)) / sample_rate
  wave = 0.3 * np.sin(2 * np.pi * (110 + 20 * (seed % 40)) * t) + 0.05 * rng.standard_normal(t.size)
  fmt = {".au": "AU", ".mp3": "MP3", ".wav": "WAV"}[path.suffix]
  sf.write(str(path), wave.astype(np.float32), sample_rate, format=fmt)


def gtzan(root, stems, layout="genres_original", seconds=2.0, sample_rate=22050) -> pathlib.Path:
  """<root>/gtzan/<layout>/<genre>/<stem>.<wav|au> for each stem 'blues.00029' in `stems`."""
  ext = ".au" if layout == "genres" else ".wav"
  folder = pathlib.Path(root) / "gtzan" / layout
  for k, stem in enumerate(stems):
    write_clip(folder / stem.split(".")[0] / f"{stem}{ext}", seconds, sample_rate, seed=k)
  return folder


def av_rating(song: int):
  """A deterministic 1-9 (arousal, valence) rating spread over all four quadrants."""
  return 1.0 + (song * 37 % 81) / 10.0, 1.0 + (song * 53 % 81) / 10.0


def deam(root, songs, annotated=None, seconds=2.0, sample_rate=44100) -> pathlib.Path:
  """<root>/deam/ as the DEAM zips unpack: MEMD_audio/<id>.mp3 and the two original CSVs.

  `annotated` (default: `songs`) lists the song ids with an annotation row; ids up to 2000 go
  in the 1_2000 file, later ones in 2000_2058, each with DEAM's leading-space header.
  """
  folder = pathlib.Path(root) / "deam"
  for song in songs:
    write_clip(folder / "DEAM_audio" / "MEMD_audio" / f"{song}.mp3", seconds, sample_rate, song)
  csv_dir = (folder / "DEAM_Annotations" / "annotations" / "annotations averaged per song"
             / "song_level")
  csv_dir.mkdir(parents=True, exist_ok=True)
  for name, keep in (("1_2000", lambda s: s <= 2000), ("2000_2058", lambda s: s > 2000)):
    rows = [DEAM_HEADER]
    for song in sorted(s for s in (songs if annotated is None else annotated) if keep(s)):
      arousal, valence = av_rating(song)
      rows.append(f"{song},{valence},1.0,{arousal},1.0")
    (csv_dir / f"static_annotations_averaged_songs_{name}.csv").write_text("\n".join(rows) + "\n")
  return folder


def emomusic(root, songs, genres, evaluation=(), seconds=2.0, sample_rate=44100, artists=None):
  """<root>/emomusic/ with clips_45seconds/<id>.mp3, static_annotations.csv, songs_info.csv.

  `genres` gives each song's EmoMusic genre (e.g. 'Blues', 'Electronic'); songs in
  `evaluation` are in the MediaEval 2013 evaluation set, the rest in development. `artists`
  gives each song's artist (default: one artist per song).
  """
  artists = artists or [f"Artist {song}" for song in songs]
  folder = pathlib.Path(root) / "emomusic"
  rows, info = [EMOMUSIC_HEADER], [SONGS_INFO_HEADER]
  for song, genre, artist in zip(songs, genres, artists):
    write_clip(folder / "clips_45seconds" / f"{song}.mp3", seconds, sample_rate, song)
    arousal, valence = av_rating(song)
    rows.append(f"{song},{arousal},1.0,{valence},1.0")
    part = "evaluation" if song in evaluation else "development"
    info.append(f'{song},"\t{song}.mp3","{artist}\t","\tTitle\t","\t0.48\t","\t1.33\t",'
                f'"\t{genre}\t","{part}"')
  (folder / "static_annotations.csv").write_text("\n".join(rows) + "\n")
  (folder / "songs_info.csv").write_text("\n".join(info) + "\n")
  return folder


def stems_per_genre(numbers) -> list:
  """['blues.00000', ..., 'rock.000NN'] for each number in `numbers` and every GTZAN genre."""
  return [f"{g}.{n:05d}" for g in labels.GTZAN_GENRES for n in numbers]


def _touch(path) -> None:
  """An empty file: listing a dataset never decodes its audio, so names are enough."""
  path = pathlib.Path(path)
  path.parent.mkdir(parents=True, exist_ok=True)
  path.touch()


def gtzan_real(root, artists: dict, usable=None, name="gtzan_real") -> pathlib.Path:
  """<root>/<name>/ in the development set's layout, with empty clips: genres/<genre>/<stem>.mp3,
  usable.txt (the stems in `usable`, default all) and artists.csv (`file, artist, source`).

  `artists` maps each stem ('blues.00000') to its artist ('' writes an empty cell).
  """
  folder = pathlib.Path(root) / name
  files = {stem: f"genres/{stem.split('.')[0]}/{stem}.mp3" for stem in artists}
  for rel in files.values():
    _touch(folder / rel)
  listed = artists if usable is None else usable
  (folder / "usable.txt").write_text("".join(f"{files[s]}\n" for s in listed))
  (folder / "artists.csv").write_text("file,artist,source\n" + "".join(
      f'{files[s]},"{a}",sturm2012\n' for s, a in artists.items()))
  return folder


def four_quadrants(root, songs, name="4q_dev") -> pathlib.Path:
  """<root>/<name>/ in 4Q's layout, with empty clips: Q<n>/<song>.mp3 and metadata.csv.

  `songs` holds (song, quadrant 'Q1'..'Q4', artist, AllMusic genres) tuples; an artist of None
  leaves the song out of metadata.csv.
  """
  folder = pathlib.Path(root) / name
  rows = ["Song,Artist,Title,Quadrant,GenresStr"]
  for song, quadrant, artist, genres in songs:
    _touch(folder / quadrant / f"{song}.mp3")
    if artist is not None:
      rows.append(f'{song},"{artist}",Title of {song},{quadrant},"{genres}"')
  (folder / "metadata.csv").write_text("\n".join(rows) + "\n")
  return folder
