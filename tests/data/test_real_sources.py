"""The real development sets as data sources: GTZAN's usable.txt and artists.csv, the 4q dataset,
data.dirs (where a dataset's folder is) and data.group_folds_by, on fake layouts and on the real
folders where they exist."""

import collections

import pytest

from jmer import config as config_lib
from jmer.tasks import labels
from jmer.data import fold_pool
from jmer.data import folds
from jmer.data import loading
from jmer.data.datasets import DATASETS
from jmer.data.datasets import four_quadrants
from jmer.data.datasets import gtzan
from jmer.data.datasets import layout
from jmer.tasks import genre_tags
from tests.support import real_layouts

DEV_DIRS = ("gtzan:gtzan_real", "4q:4q_dev")


def _config(tiny_config, root, source="gtzan+4q"):
  tiny_config.data.root = str(root)
  tiny_config.data.dirs = DEV_DIRS
  tiny_config.data.source = source
  tiny_config.data.split = "random"
  return tiny_config


def _gtzan_layout(root):
  """Three artists over four blues clips and two jazz clips; blues.00003 is not usable."""
  artists = {"blues.00000": "John Lee Hooker", "blues.00001": "john lee hooker",
             "blues.00002": "Robert Johnson", "blues.00003": "Robert Johnson",
             "jazz.00000": "Miles Davis", "jazz.00001": ""}
  return real_layouts.gtzan_real(root, artists, usable=[s for s in artists if s != "blues.00003"])


def test_gtzan_lists_the_usable_clips_with_their_artists(tiny_config, tmp_path):
  _gtzan_layout(tmp_path)
  listing = gtzan.list_tracks(_config(tiny_config, tmp_path, "gtzan"))
  got = {t.track_id: (labels.GTZAN_GENRES[t.genre], t.group) for t in listing.tracks}
  # Artists are case-folded (one artist however it is spelt); an empty cell is no artist.
  assert got == {"blues.00000": ("blues", "john lee hooker"),
                 "blues.00001": ("blues", "john lee hooker"),
                 "blues.00002": ("blues", "robert johnson"), "jazz.00000": ("jazz", "miles davis"),
                 "jazz.00001": ("jazz", "")}
  assert "1 track(s) outside usable.txt left out" in listing.description
  assert listing.group_note == "artist (artists.csv, 3 artists, 4 of 5 clips)"


def test_gtzan_without_the_optional_files_lists_every_clip_ungrouped(tiny_config, tmp_path):
  folder = _gtzan_layout(tmp_path)
  (folder / "usable.txt").unlink()
  (folder / "artists.csv").unlink()
  listing = gtzan.list_tracks(_config(tiny_config, tmp_path, "gtzan"))
  assert len(listing.tracks) == 6 and not any(t.group for t in listing.tracks)
  assert listing.group_note == ""


def test_gtzan_artists_file_without_an_artist_column_is_named(tiny_config, tmp_path):
  folder = _gtzan_layout(tmp_path)
  (folder / "artists.csv").write_text("file,who\ngenres/jazz/jazz.00000.mp3,Miles Davis\n")
  with pytest.raises(ValueError, match="artists.csv: needs 'file' and 'artist' columns"):
    gtzan.list_tracks(_config(tiny_config, tmp_path, "gtzan"))


def _four_q_layout(root):
  songs = [(f"MT{i:03d}", f"Q{i % 4 + 1}", f"Artist {i // 2}", "Pop/Rock; Jazz")
           for i in range(8)]
  songs.append(("MT100", "Q2", None, ""))  # no metadata row: its own group, no genres
  return real_layouts.four_quadrants(root, songs)


def test_4q_lists_quadrant_artist_and_allmusic_genres(tiny_config, tmp_path):
  _four_q_layout(tmp_path)
  listing = four_quadrants.list_tracks(_config(tiny_config, tmp_path, "4q"))
  tracks = {t.track_id: t for t in listing.tracks}
  assert len(tracks) == 9 and listing.genre_names == ()
  assert collections.Counter(t.quadrant for t in tracks.values()) == {0: 2, 1: 3, 2: 2, 3: 2}
  assert tracks["MT003"].quadrant == 3 and tracks["MT003"].group == "artist 1"
  assert tracks["MT100"].group == "" and tracks["MT100"].extra == ()
  # The AllMusic genres reach the genre_tags task as the clip's own label.
  assert genre_tags.track_tags(tracks["MT003"]) == ("Pop/Rock", "Jazz")
  assert listing.group_note == "artist (metadata.csv, 4 artists, 8 of 9 clips)"
  assert "Q1=2, Q2=3, Q3=2, Q4=2" in listing.description


def test_4q_song_in_two_quadrant_folders_is_listed_once_and_reported(tiny_config, tmp_path):
  folder = _four_q_layout(tmp_path)
  (folder / "Q4" / "MT000.mp3").touch()
  listing = four_quadrants.list_tracks(_config(tiny_config, tmp_path, "4q"))
  assert [t.quadrant for t in listing.tracks if t.track_id == "MT000"] == [0]
  assert [reason for path, reason in listing.skipped
          if path.endswith("Q4/MT000.mp3")] == ["the same song is in Q1/ too; using that one"]


def test_4q_metadata_without_artists_and_no_quadrant_folders_are_named(tiny_config, tmp_path):
  folder = _four_q_layout(tmp_path)
  config = _config(tiny_config, tmp_path, "4q")
  (folder / "metadata.csv").write_text("Song,Title\nMT000,x\n")
  with pytest.raises(ValueError, match="needs 'Song' and 'Artist' columns"):
    four_quadrants.list_tracks(config)
  (folder / "metadata.csv").unlink()
  for quadrant in ("Q1", "Q2", "Q3", "Q4"):
    for path in (folder / quadrant).iterdir():
      path.unlink()
    (folder / quadrant).rmdir()
  with pytest.raises(layout.DatasetLayoutError, match="no audio files in quadrant folders"):
    four_quadrants.list_tracks(config)


def test_data_dirs_point_a_dataset_at_its_folder_and_unknown_names_are_refused(tiny_config,
                                                                              tmp_path):
  real_layouts.four_quadrants(tmp_path, [("MT1", "Q1", "A", ""), ("MT2", "Q3", "B", "")],
                              name="4q")
  config = _config(tiny_config, tmp_path, "4q")
  config.data.dirs = ()  # <root>/4q by default
  assert four_quadrants.find_dir(config) == tmp_path / "4q"
  config.data.dirs = ("4q:elsewhere",)
  with pytest.raises(layout.DatasetLayoutError, match=str(tmp_path / "elsewhere")):
    four_quadrants.list_tracks(config)
  config.data.dirs = ("4q:4q",)
  assert [t.track_id for t in four_quadrants.list_tracks(config).tracks] == ["MT1", "MT2"]
  for bad, message in ((("gtzn:gtzan_real",), "dataset names from .*'4q'.* \\(not 'gtzn'\\)"),
                       (("gtzan_real",), "'name:path' pairs"),
                       (("4q:a", "4q:b"), "'name:path' pairs, one per dataset")):
    config.data.dirs = bad
    with pytest.raises(config_lib.ConfigError, match=f"config.data.dirs = .*{message}"):
      config_lib.validate(config)


def _fold_of(tracks, by_group=True):
  return folds.fold_ids(tracks, 2, seed=0, by_group=by_group)


def test_folds_keep_artists_together_unless_grouped_by_track(tiny_config, tmp_path):
  artists = {f"{g}.{n:05d}": f"{g} artist {n // 5}" for g in ("blues", "jazz")
             for n in range(20)}
  real_layouts.gtzan_real(tmp_path, artists)
  tracks = gtzan.list_tracks(_config(tiny_config, tmp_path, "gtzan")).tracks
  by_artist = collections.defaultdict(set)
  for t in tracks:
    by_artist[t.group].add(_fold_of(tracks)[(t.dataset, t.track_id)])
  assert max(len(f) for f in by_artist.values()) == 1
  by_track = _fold_of(tracks, by_group=False)
  assert any(len({by_track[(t.dataset, t.track_id)] for t in tracks if t.group == a}) > 1
             for a in by_artist)


def test_group_folds_by_track_reaches_the_run_and_its_record(tiny_config, tmp_path):
  artists = {f"{g}.{n:05d}": f"{g} artist {n // 5}" for g in ("blues", "jazz")
             for n in range(20)}
  real_layouts.gtzan_real(tmp_path, artists)
  config = _config(tiny_config, tmp_path, "gtzan")
  config.tasks.emotion = "none"
  config.eval.folds, config.eval.fold, config.data.test_fraction = 2, 0, 0.0
  names, _, listings = loading.list_datasets(config)
  tracks = listings["gtzan"].tracks
  by_split = loading.split_each_dataset(tracks, names, config)
  record = loading.split_record(config, listings, by_split)
  assert record["per_dataset"]["gtzan"]["grouped"] and not record["groups_in_two_splits"]
  config.data.group_folds_by = "track"
  by_split = loading.split_each_dataset(tracks, names, config)
  record = loading.split_record(config, listings, by_split)
  assert not record["per_dataset"]["gtzan"]["grouped"]
  assert record["per_dataset"]["gtzan"]["by"].startswith("track: data.group_folds_by='track'")
  assert record["groups_in_two_splits"]  # the leak it is there to measure


def test_every_arm_draws_the_folds_over_the_pool(tiny_config, tmp_path):
  _gtzan_layout(tmp_path)
  _four_q_layout(tmp_path)
  drawn = {}
  for source in ("gtzan+4q", "gtzan", "4q"):
    config = _config(tiny_config, tmp_path, source)
    config.eval.update(folds=2, fold=0, fold_pool="gtzan+4q")
    names, _, listings = loading.list_datasets(config)
    drawn[source] = fold_pool.assign(config, names, listings)
  assert drawn["gtzan"].ids == drawn["4q"].ids == drawn["gtzan+4q"].ids
  assert drawn["gtzan"].record["pool"] == ["gtzan", "4q"]
  # The genre arm's split holds GTZAN's tracks only: 4Q was listed to fold, not to train.
  config = _config(tiny_config, tmp_path, "gtzan")
  config.eval.update(folds=2, fold=0, fold_pool="gtzan+4q")
  names, _, listings = loading.list_datasets(config)
  by_split = loading.split_each_dataset(listings["gtzan"].tracks, names, config,
                                        drawn["gtzan"].ids)
  assert {t.dataset for ts in by_split.values() for t in ts} == {"gtzan"}
  config.eval.fold_pool = ""  # the run's own datasets
  assert fold_pool.pool_names(config, names) == ("gtzan",)
  config.eval.fold_pool = "4q"
  with pytest.raises(config_lib.ConfigError, match="leaves out the run's dataset"):
    fold_pool.pool_names(config, names)
  with pytest.raises(config_lib.ConfigError, match="config.eval.fold_pool = '4q'"):
    config_lib.validate(config)


def test_real_development_sets(shared_data, tiny_config):
  config = _config(tiny_config, shared_data)
  genre = DATASETS["gtzan"](config)
  faulty = {line.rsplit("/", 1)[-1].rsplit(".", 1)[0]
            for line in (shared_data / "gtzan_real" / "faulty.txt").read_text().split()}
  assert len(genre.tracks) == 296 and not faulty & {t.track_id for t in genre.tracks}
  counts = collections.Counter(labels.GTZAN_GENRES[t.genre] for t in genre.tracks)
  assert counts["blues"] == 100 and counts["reggae"] == 9 and len(counts) == 10
  assert all(t.group for t in genre.tracks) and len({t.group for t in genre.tracks}) == 97
  # GTZAN is stored in artist order: consecutive clips share an artist (10 of 14 usable
  # classical clips are Bach), which folds by track would split across train and test.
  assert max(collections.Counter(t.group for t in genre.tracks).values()) >= 10
  emotion = DATASETS["4q"](config)
  per_quadrant = collections.Counter(t.quadrant for t in emotion.tracks)
  assert len(emotion.tracks) == 450 and sorted(per_quadrant.values()) == [112, 112, 113, 113]
  assert all(t.group for t in emotion.tracks) and emotion.skipped == []
  assert all(genre_tags.track_tags(t) for t in emotion.tracks)
  assignment = folds.fold_ids(genre.tracks, 5, seed=1)
  folds_of = collections.defaultdict(set)
  for t in genre.tracks:
    folds_of[t.group].add(assignment[(t.dataset, t.track_id)])
  assert max(len(f) for f in folds_of.values()) == 1
