"""Honest numbers: no artist on two sides of a split, no test song seen by a transfer source,
no resume on other data, and a split seed separate from the initialisation seed."""

import collections
import dataclasses
import json
import math
import re

import numpy as np
import pytest
from sklearn.model_selection import train_test_split

from jmer import config as config_lib
from jmer.data import loading
from jmer.data import folds
from jmer.data import tracks as tracks_lib
from jmer.data.datasets import builtin
from jmer.data.datasets import emomusic
from jmer.data.datasets import folder
from jmer.data.datasets import manifest
from jmer.training import callbacks
from jmer.training import checkpoints
from jmer.training import transfer
from jmer.training import workdir as workdir_lib

from tests.support import real_layouts  # tests/support/real_layouts.py


def _grouped_tracks(genres=4, artists_per_genre=8, songs_per_artist=3, ungrouped=0):
  """Tracks whose artists each sing one genre, plus `ungrouped` tracks per genre without one."""
  out = []
  for g in range(genres):
    for a in range(artists_per_genre):
      out += [tracks_lib.Track(track_id=f"g{g}a{a}s{s}", path="/x", dataset="d", genre=g,
                               group=f"artist {g}-{a}") for s in range(songs_per_artist)]
    out += [tracks_lib.Track(track_id=f"g{g}u{u}", path="/x", dataset="d", genre=g)
            for u in range(ungrouped)]
  return out


def _groups_by_split(by_split):
  return {s: {t.group for t in ts if t.group} for s, ts in by_split.items()}


@pytest.mark.parametrize("seed", [0, 1, 7])
def test_random_split_keeps_every_artist_on_one_side(seed):
  tracks = _grouped_tracks(ungrouped=2)
  by_split = tracks_lib.split_tracks(tracks, 0.15, 0.15, seed)
  assert sorted(t.track_id for ts in by_split.values() for t in ts) == sorted(
      t.track_id for t in tracks)
  assert tracks_lib.shared_groups(by_split) == {}
  groups = _groups_by_split(by_split)
  assert not groups["train"] & groups["test"] and not groups["val"] & groups["test"]
  assert not groups["train"] & groups["val"]
  assert all(by_split[s] for s in tracks_lib.SPLITS)
  for split in ("val", "test"):  # still stratified: every genre held out
    assert {t.genre for t in by_split[split]} == set(range(4)), split


def test_groups_of_one_keep_the_ungrouped_split_unchanged():
  """Without any group the split is today's track split, so existing runs keep their numbers."""
  plain = [dataclasses.replace(t, group="") for t in _grouped_tracks()]
  by_split = tracks_lib.split_tracks(plain, 0.15, 0.15, 3)
  # What main computed, by hand:
  ordered = sorted(plain, key=lambda t: (t.dataset, t.track_id))
  strata = np.array([f"g{t.genre}" for t in ordered])
  rest, test = train_test_split(np.arange(len(ordered)), test_size=round(0.15 * len(ordered)),
                                random_state=3, stratify=strata)
  assert {t.track_id for t in by_split["test"]} == {ordered[i].track_id for i in test}


@pytest.mark.parametrize("k", [3, 5])
def test_k_fold_puts_every_artist_in_one_fold(k):
  tracks = _grouped_tracks(ungrouped=1)
  assignment = folds.fold_ids(tracks, k, seed=0)
  fold_of_group = collections.defaultdict(set)
  for t in tracks:
    fold_of_group[t.group or t.track_id].add(assignment[(t.dataset, t.track_id)])
  assert all(len(f) == 1 for f in fold_of_group.values())
  assert set(assignment.values()) == set(range(k))
  # A fold run's val split (carved from the other folds) keeps artists apart too.
  held = folds.hold_out_fold(tracks, k, 0, seed=0)
  assert tracks_lib.shared_groups(tracks_lib.split_tracks(held, 0.2, 0.0, 0)) == {}


def test_an_arm_folding_the_joint_pool_tests_the_joint_arms_tracks():
  """A single-dataset arm whose folds are drawn over the joint arm's pool (eval.fold_pool)
  tests exactly the joint arm's test tracks of its dataset, so joint and single-task rows
  compare track for track; its own tracks alone would fold otherwise."""
  genre = [tracks_lib.Track(track_id=f"g{g}t{i}", path="/x", dataset="manifest", genre=g)
           for g in range(4) for i in range(10)]
  quadrant = [dataclasses.replace(t, dataset="folder", genre=-1, quadrant=t.genre)
              for t in _grouped_tracks(songs_per_artist=2)]
  pool = genre + quadrant
  for k in range(5):
    joint = folds.hold_out_fold(pool, 5, k, seed=0)
    for alone in (genre, quadrant):
      own = {t.track_id for t in folds.hold_out_fold(alone, 5, k, seed=0, pool=pool)
             if t.split == "test"}
      name = alone[0].dataset
      assert {t.track_id for t in joint if t.dataset == name and t.split == "test"} == own
  with pytest.raises(ValueError, match="not in the fold pool"):
    folds.hold_out_fold(genre, 5, 0, seed=0, pool=quadrant)


def test_too_few_artists_for_the_folds_is_a_clear_error():
  tracks = _grouped_tracks(genres=2, artists_per_genre=1)
  with pytest.raises(ValueError, match="more folds than the 2 groups"):
    folds.fold_ids(tracks, 3, seed=0)


def test_manifest_artist_and_group_columns_become_the_group(tiny_config, tmp_path):
  (tmp_path / "a.wav").write_bytes(b"")
  rows = ["path,genre,artist,group,mood"]
  for i in range(24):
    (tmp_path / f"{i}.wav").write_bytes(b"")
    group = f"album{i // 4}" if i < 12 else ""
    rows.append(f"{i}.wav,{'ab'[i % 2]},Singer {i // 3},{group},m{i % 3}")
  (tmp_path / "m.csv").write_text("\n".join(rows) + "\n")
  tiny_config.data.source, tiny_config.data.manifest.path = "manifest", str(tmp_path / "m.csv")
  listing = manifest.list_tracks(tiny_config)
  by_id = {t.track_id.rsplit("/", 1)[1]: t for t in listing.tracks}
  assert by_id["0.wav"].group == "album0" and by_id["20.wav"].group == "singer 6"
  assert dict(by_id["0.wav"].extra) == {"mood": "m0"}  # artist/group are not own labels
  by_split = loading.split_each_dataset(listing.tracks, ("manifest",), tiny_config)
  assert tracks_lib.shared_groups(by_split) == {}
  assert "group column" in listing.group_note


def _label_files(root, names):
  for name in names:
    (root / name).parent.mkdir(parents=True, exist_ok=True)
    (root / name).write_bytes(b"")


def test_folder_groups_from_a_group_file_or_sub_folders(tiny_config, tmp_path):
  tiny_config.data.folder.path = str(tmp_path / "byfile")
  _label_files(tmp_path / "byfile", [f"{g}/song{g}{i}.wav" for g in "xy" for i in range(6)])
  (tmp_path / "byfile" / "metadata.csv").write_text(
      "Song,Artist\n" + "".join(f"song{g}{i},Band {i % 3}\n" for g in "xy" for i in range(6)))
  listing = folder.list_tracks(tiny_config)
  assert collections.Counter(t.group for t in listing.tracks) == {
      "band 0": 4, "band 1": 4, "band 2": 4}  # one band across both label folders
  assert not listing.skipped  # the group file is not reported as a stray non-audio file
  tiny_config.data.folder.path = str(tmp_path / "bysub")
  _label_files(tmp_path / "bysub", ["x/alpha/1.wav", "x/alpha/2.wav", "y/beta/3.wav", "y/4.wav"])
  groups = {t.track_id.split("/", 1)[1]: t.group for t in folder.list_tracks(tiny_config).tracks}
  assert groups == {"x/alpha/1.wav": "alpha", "x/alpha/2.wav": "alpha", "y/beta/3.wav": "beta",
                    "y/4.wav": ""}


def test_folder_group_file_without_a_group_column_names_the_file(tiny_config, tmp_path):
  _label_files(tmp_path, ["x/1.wav"])
  (tmp_path / "groups.csv").write_text("file,album_name\n1,a\n")
  tiny_config.data.folder.path = str(tmp_path)
  with pytest.raises(ValueError, match="groups.csv: a group file needs"):
    folder.list_tracks(tiny_config)


def test_real_4q_dev_splits_by_artist(tiny_config, shared_data):
  tiny_config.data.folder.update(path=str(shared_data / "4q_dev"), task="quadrant")
  listing = folder.list_tracks(tiny_config)
  # 450 clips since the set grew (300 first, 150 by new artists), 112-113 per quadrant.
  assert len(listing.tracks) == 450 and all(t.group for t in listing.tracks)
  assignment = folds.fold_ids(listing.tracks, 5, seed=0)
  folds_of = collections.defaultdict(set)
  for t in listing.tracks:
    folds_of[t.group].add(assignment[(t.dataset, t.track_id)])
  assert max(len(f) for f in folds_of.values()) == 1
  assert sum(len([t for t in listing.tracks if t.group == g]) > 1 for g in folds_of) > 10


def test_emomusic_artists_stay_on_one_side(tiny_config, tmp_path):
  songs = list(range(2, 42))
  real_layouts.emomusic(tmp_path, songs, ["Rock", "Pop"] * 20, evaluation=(2, 3, 4),
                        artists=[f"Band {s // 3}" for s in songs], seconds=0.5)
  tiny_config.data.root = str(tmp_path)
  for split in ("random", "standard"):
    tiny_config.data.split = split
    listing = emomusic.list_tracks(tiny_config)
    assert {t.group for t in listing.tracks} == {f"band {s // 3}" for s in songs}
    by_split = tracks_lib.split_tracks(tracks_lib.with_quadrants(listing.tracks, 0.0),
                                       0.2, 0.2, 0)
    # 'standard' keeps MediaEval's test set (band 1 also has song 5 in development) and says so.
    shared = tracks_lib.shared_groups(by_split)
    assert list(shared) == ([] if split == "random" else ["emomusic/band 1"])
    assert ("shares 1 artists" in listing.group_note) == (split == "standard")


def test_metrics_record_says_whether_the_split_is_grouped(tiny_config):
  grouped = tracks_lib.TrackList("manifest", _grouped_tracks(), group_note="artist column")
  plain = tracks_lib.TrackList("gtzan", [tracks_lib.Track("a", "/x", "gtzan", genre=0)])
  tiny_config.data.split_seed, tiny_config.seed = 4, 9
  record = loading.split_record(tiny_config, dict(manifest=grouped), {})
  assert record["grouped"] and record["seed"] == 9 and record["split_seed"] == 4
  tiny_config.eval.folds, tiny_config.eval.fold = 5, 0
  record = loading.split_record(tiny_config, dict(manifest=grouped, gtzan=plain), {})
  assert not record["grouped"] and "not by artist" in record["per_dataset"]["gtzan"]["by"]


def _run_dir(tmp_path, trained_tracks):
  run = tmp_path / "source"
  run.mkdir()
  (run / "model.keras").write_bytes(b"")
  workdir_lib.write_train_tracks(run, trained_tracks)
  return run


def test_transfer_from_deam_refuses_emomusic_test_songs(tmp_path, caplog):
  deam = [tracks_lib.Track(str(i), "/x", "deam") for i in range(1, 30)]
  run = _run_dir(tmp_path, deam)
  test = [tracks_lib.Track(str(i), "/y", "emomusic") for i in (3, 5, 800)]
  with pytest.raises(ValueError, match="trained on 2 of this run's 3 test tracks"):
    transfer.check_test_overlap(run, test, allow=False)
  report = transfer.check_test_overlap(run / "model.keras", test, allow=True)
  assert report["test_tracks_seen_in_source_training"] == 2 and "Running anyway" in caplog.text
  gtzan = [tracks_lib.Track("3", "/z", "gtzan")]  # another dataset's '3' is another song
  assert transfer.check_test_overlap(run, gtzan, allow=False)[
      "test_tracks_seen_in_source_training"] == 0


def test_transfer_refuses_a_source_that_trained_on_the_same_audio_files_listed_elsewhere(
    tiny_config, tmp_path):
  # The same clips in two manifests at different paths: each listing puts its own prefix (the
  # listing's stem and path digest) on its track ids, so only the audio files show they are
  # one song. A source trained on the first listing must be refused for a run tested on the
  # second (a genre model's GTZAN training folds leaked into a transfer run's test folds so).
  audio = tmp_path / "audio"
  audio.mkdir()
  rows = ["path,genre"] + [f"{audio / f'{i}.wav'},{'ab'[i % 2]}" for i in range(6)]
  for i in range(6):
    (audio / f"{i}.wav").write_bytes(b"")
  listings = []
  for name in ("first", "second"):
    (tmp_path / name).mkdir()
    (tmp_path / name / "gtzan.csv").write_text("\n".join(rows) + "\n")
    tiny_config.data.source = "manifest"
    tiny_config.data.manifest.path = str(tmp_path / name / "gtzan.csv")
    listings.append(manifest.list_tracks(tiny_config).tracks)
  assert listings[0][0].track_id != listings[1][0].track_id
  run = _run_dir(tmp_path, listings[0][:4])
  with pytest.raises(ValueError, match="trained on 4 of this run's 6 test tracks"):
    transfer.check_test_overlap(run, listings[1], allow=False)
  others = [tracks_lib.Track("9", str(tmp_path / "other.wav"), listings[1][0].dataset)]
  assert transfer.check_test_overlap(run, others, allow=False)[
      "test_tracks_seen_in_source_training"] == 0


def _fingerprint(tracks, sources=("synthetic",)):
  return tracks_lib.data_fingerprint(sources, tracks_lib.split_tracks(tracks, 0.2, 0.2, 0))


def test_resume_on_different_data_names_what_changed(tmp_path):
  tracks = _grouped_tracks()
  state = dict(epoch=1, data=_fingerprint(tracks))
  checkpoints.check_same_data(state, _fingerprint(tracks), tmp_path)  # same data: fine
  cases = {
      "data sources synthetic -> gtzan+deam": _fingerprint(tracks, ("gtzan", "deam")),
      "the track list": _fingerprint(tracks[1:]),
      "the tracks' labels": _fingerprint([dataclasses.replace(tracks[0], genre=3)] + tracks[1:]),
  }
  for expected, fingerprint in cases.items():
    with pytest.raises(ValueError, match=re.escape(f"other data: {expected}")):
      checkpoints.check_same_data(state, fingerprint, tmp_path)
  moved = tracks_lib.data_fingerprint(("synthetic",), tracks_lib.split_tracks(tracks, 0.2, 0.2, 1))
  with pytest.raises(ValueError, match="which tracks are in train/val/test"):
    checkpoints.check_same_data(state, moved, tmp_path)


def test_split_seed_follows_seed_unless_set(tiny_config, tmp_path):
  config = config_lib.base_config()
  config.seed = 5
  assert config.data.split_seed == 5  # default: data and init vary together, as before
  tiny_config.data.split_seed = 0
  splits, corpora = [], set()
  for seed in (1, 2):
    tiny_config.seed = seed
    tracks = _grouped_tracks()
    corpora.add(builtin.corpus_dir(tiny_config))
    by_split = loading.split_each_dataset(
        [dataclasses.replace(t, group="") for t in tracks], ("d",), tiny_config)
    splits.append({s: sorted(t.track_id for t in ts) for s, ts in by_split.items()})
  assert splits[0] == splits[1] and len(corpora) == 1  # same split, same corpus
  tiny_config.data.split_seed = 1
  by_split = loading.split_each_dataset(_grouped_tracks(), ("d",), tiny_config)
  assert sorted(t.track_id for t in by_split["test"]) != splits[0]["test"]


@pytest.mark.slow
def test_split_seed_holds_the_split_while_seed_changes_init(tiny_config, tmp_path):
  from jmer.training import train
  tiny_config.train.epochs = 1
  tiny_config.data.split_seed = 0
  reports = []
  for seed in (1, 2):
    tiny_config.seed = seed
    reports.append(train.train_and_evaluate(tiny_config, tmp_path / f"seed{seed}"))
  fingerprints = [r["data"]["fingerprint"] for r in reports]
  assert fingerprints[0] == fingerprints[1]
  assert [r["data"]["split"]["seed"] for r in reports] == [1, 2]
  assert {r["data"]["split"]["split_seed"] for r in reports} == {0}
  weights = [(tmp_path / f"seed{s}" / "checkpoints" / "last.weights.h5").read_bytes()
             for s in (1, 2)]
  assert weights[0] != weights[1]  # a different initialisation trained


@pytest.mark.slow
def test_resume_with_another_data_root_is_refused(tiny_config, tmp_path):
  from jmer.training import train
  tiny_config.data.source = "auto"
  tiny_config.tasks.emotion = "none"  # GTZAN has genre labels only
  tiny_config.data.root = str(tmp_path / "empty")
  tiny_config.train.epochs = 1
  train.train_and_evaluate(tiny_config, tmp_path / "run")
  real_layouts.gtzan(tmp_path / "data", real_layouts.stems_per_genre([0, 1, 2]), seconds=3.5)
  tiny_config.data.root = str(tmp_path / "data")  # a resumable key: the user moved the data
  tiny_config.train.epochs = 2
  with pytest.raises(ValueError, match="data sources synthetic -> gtzan"):
    train.train_and_evaluate(tiny_config, tmp_path / "run")
  state = json.loads((tmp_path / "run" / "checkpoints" / "state.json").read_text())
  assert state["data"]["sources"] == ["synthetic"] and not math.isnan(state["epoch"])
