"""Track-level splitting: no track in two splits, stratified, seeded, predefined splits kept."""

import collections
import dataclasses

from jmer.data import tracks as tracks_lib


def _tracks(per_genre=20, genres=10):
  return [tracks_lib.Track(track_id=f"g{g}_{i}", path=f"/x/g{g}_{i}.wav", dataset="d", genre=g)
          for g in range(genres) for i in range(per_genre)]


def test_no_track_in_two_splits_and_none_lost():
  tracks = _tracks()
  splits = tracks_lib.split_tracks(tracks, 0.15, 0.15, seed=0)
  ids = [t.track_id for s in splits.values() for t in s]
  assert len(ids) == len(set(ids)) == len(tracks)
  for name, members in splits.items():
    assert all(t.split == name for t in members)


def test_split_is_stratified_by_genre():
  splits = tracks_lib.split_tracks(_tracks(per_genre=20), 0.15, 0.15, seed=3)
  for name in ("val", "test"):
    counts = collections.Counter(t.genre for t in splits[name])
    assert set(counts) == set(range(10)), name  # every genre present: 3 per genre
    assert max(counts.values()) - min(counts.values()) <= 1


def test_split_depends_on_seed_only():
  a = tracks_lib.split_tracks(_tracks(), 0.15, 0.15, seed=1)
  b = tracks_lib.split_tracks(list(reversed(_tracks())), 0.15, 0.15, seed=1)
  c = tracks_lib.split_tracks(_tracks(), 0.15, 0.15, seed=2)
  ids = lambda s: sorted(t.track_id for t in s["test"])
  assert ids(a) == ids(b)  # input order does not matter
  assert ids(a) != ids(c)


def test_predefined_splits_are_kept():
  tracks = _tracks(per_genre=5)
  tracks[0] = dataclasses.replace(tracks[0], split="test")
  splits = tracks_lib.split_tracks(tracks, 0.2, 0.2, seed=0)
  assert tracks[0].track_id in {t.track_id for t in splits["test"]}


def test_a_training_track_limit_keeps_label_shares_and_the_test_fold():
  from jmer.data import loading
  from jmer.data import tracks as tracks_lib
  train = [tracks_lib.Track(f"t{i}", f"/x/{i}.mp3", "folder", quadrant=i % 4)
           for i in range(40)] + [tracks_lib.Track(f"g{i}", f"/y/{i}.mp3", "gtzan", genre=1)
                                  for i in range(20)]
  assert loading.limit_training_tracks(train, 0, 1) == train  # 0: all
  kept = loading.limit_training_tracks(train, 30, seed=1)
  assert len(kept) == 30 and len(set(t.track_id for t in kept)) == 30
  by_label = {}
  for t in kept:
    by_label[(t.dataset, t.quadrant)] = by_label.get((t.dataset, t.quadrant), 0) + 1
  # 60 tracks → 30: every stratum keeps half (5 of each quadrant's 10, 10 of the 20 genre).
  assert by_label == {("folder", 0): 5, ("folder", 1): 5, ("folder", 2): 5, ("folder", 3): 5,
                      ("gtzan", -1): 10}
  assert loading.limit_training_tracks(train, 30, seed=1) == kept  # seeded
  assert loading.limit_training_tracks(train, 30, seed=2) != kept
  smaller = loading.limit_training_tracks(train, 12, seed=1)
  assert set(t.track_id for t in smaller) <= set(t.track_id for t in kept)  # nested draws
