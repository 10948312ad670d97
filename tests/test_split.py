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
