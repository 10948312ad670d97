"""The built-in corpus: generated once into the cache folder, then read like any dataset."""

import hashlib
import json
import math
import pathlib

from jmer.tasks import labels
from jmer.data import features
from jmer.data.synthetic import render as generator
from jmer.data import tracks as tracks_lib
from jmer.data.datasets import csvfile


def corpus_dir(config) -> pathlib.Path:
  """The corpus folder. The corpus is data, so data.split_seed (not the init seed) picks it.

  Args:
    config: the run config (data.synthetic, data.sample_rate, data.split_seed).

  Returns:
    <feature cache root>/synthetic/<digest of the corpus parameters>.
  """
  s = config.data.synthetic
  # The generator version is part of the key: a newer generator writes a new corpus beside the
  # old one instead of refusing to run or mixing the two.
  params = dict(clips_per_genre=s.clips_per_genre, clip_seconds=s.clip_seconds,
                sample_rate=config.data.sample_rate, seed=config.data.split_seed,
                generator_version=generator.GENERATOR_VERSION)
  digest = hashlib.sha1(json.dumps(params, sort_keys=True).encode()).hexdigest()[:10]
  return features.default_cache_root(config) / "synthetic" / digest


def read_metadata(csv_path) -> list:
  """Tracks from a generated corpus's metadata.csv (track_id,path,genre,arousal,valence).

  Args:
    csv_path: the corpus's metadata.csv.

  Returns:
    A list of Tracks, ids prefixed with the corpus folder's name.
  """
  root = pathlib.Path(csv_path).parent
  out = []
  for row in csvfile.read_rows(csv_path):
    out.append(tracks_lib.Track(
        # The corpus folder's digest (seed, size, generator version) prefixes the id: the feature
        # cache is keyed by track id, and every corpus reuses the same clip names.
        track_id=f"{root.name}-{row['track_id']}", path=str(root / row["path"]),
        dataset="synthetic",
        genre=labels.GTZAN_GENRES.index(row["genre"]),
        arousal=float(row["arousal"]), valence=float(row["valence"])))
  return out


def list_tracks(config, progress: bool = True) -> tracks_lib.TrackList:
  """Generates the synthetic corpus if needed (config.data.synthetic) and lists its tracks.

  Args:
    config: the run config; uses data.synthetic, data.sample_rate and data.split_seed.
    progress: whether generating the corpus prints progress.

  Returns:
    The corpus's tracks, each with genre and arousal–valence labels.
  """
  s = config.data.synthetic
  csv_path = generator.generate_corpus(
      corpus_dir(config), clips_per_genre=s.clips_per_genre, clip_seconds=s.clip_seconds,
      sample_rate=config.data.sample_rate, seed=config.data.split_seed,
      progress=progress)
  tracks = read_metadata(csv_path)
  assert all(not math.isnan(t.arousal) for t in tracks)
  return tracks_lib.TrackList(
      name="synthetic", tracks=tracks, genre_names=labels.GTZAN_GENRES,
      description=(f"built-in synthetic corpus: {len(tracks)} clips of {s.clip_seconds:g} s "
                   f"({s.clips_per_genre} per genre), genre + arousal/valence, at {csv_path.parent}"))
