"""experiments/real_dev: the GTZAN manifest behind the real-music rows and the shipped model."""

import collections
import importlib.util

import pytest

from tests.conftest import REPO
from jmer.data import folds
from jmer.data.datasets import manifest as manifest_dataset


def _manifest_module():
  path = REPO / "experiments" / "real_dev" / "make_gtzan_manifest.py"
  spec = importlib.util.spec_from_file_location("make_gtzan_manifest", path)
  module = importlib.util.module_from_spec(spec)
  spec.loader.exec_module(module)
  return module


def _layout(root, clips, artists):
  for rel in clips:
    (root / rel).parent.mkdir(parents=True, exist_ok=True)
    (root / rel).write_bytes(b"")
  (root / "usable.txt").write_text("\n".join(clips[:1] + [""] + clips[1:]) + "\n")
  (root / "artists.csv").write_text("file,artist,source\n" + "".join(
      f"{c},{a},sturm2012\n" for c, a in zip(clips, artists)))


def test_manifest_rows_take_genre_from_the_folder_and_artist_from_artists_csv(tmp_path):
  clips = ["genres/jazz/jazz.00001.mp3", "genres/rock/rock.00007.mp3"]
  _layout(tmp_path, clips, ["Miles Davis", "Morphine"])
  rows = _manifest_module().manifest_rows(tmp_path)
  assert rows == [(str(tmp_path / clips[0]), "jazz", "Miles Davis"),
                  (str(tmp_path / clips[1]), "rock", "Morphine")]
  assert _manifest_module().manifest_rows(tmp_path, artists=False)[0][2] == ""


def test_a_listed_clip_that_is_missing_is_named(tmp_path):
  (tmp_path / "usable.txt").write_text("genres/pop/pop.00003.mp3\n")
  (tmp_path / "artists.csv").write_text("file,artist\n")
  with pytest.raises(FileNotFoundError, match="pop.00003.mp3"):
    _manifest_module().manifest_rows(tmp_path)


def test_a_clip_without_an_artist_is_named(tmp_path):
  clips = ["genres/pop/pop.00003.mp3", "genres/pop/pop.00004.mp3"]
  _layout(tmp_path, clips, ["Britney Spears", ""])
  with pytest.raises(ValueError, match="no artist for genres/pop/pop.00004.mp3"):
    _manifest_module().manifest_rows(tmp_path)


def test_real_usable_list_leaves_the_faulty_clips_out(shared_data):
  root = shared_data / "gtzan_real"
  rows = _manifest_module().manifest_rows(root)
  faulty = {str((root / line).resolve()) for line in (root / "faulty.txt").read_text().split()}
  assert len(rows) == 296 and not faulty & {path for path, _, _ in rows}
  counts = collections.Counter(genre for _, genre, _ in rows)
  assert counts["blues"] == 100 and counts["reggae"] == 9 and len(counts) == 10
  assert all(artist for _, _, artist in rows)


def test_real_gtzan_folds_keep_each_artist_in_one_fold(shared_data, tiny_config, tmp_path):
  module = _manifest_module()
  path = tmp_path / "gtzan_usable.csv"
  module.write_manifest(module.manifest_rows(shared_data / "gtzan_real"), path)
  tiny_config.data.manifest.path = str(path)
  tracks = manifest_dataset.list_tracks(tiny_config).tracks
  assignment = folds.fold_ids(tracks, 5, seed=1)
  folds_of = collections.defaultdict(set)
  for t in tracks:
    folds_of[t.group].add(assignment[(t.dataset, t.track_id)])
  assert len(folds_of) == 97 and max(len(f) for f in folds_of.values()) == 1
  # GTZAN is stored in artist order: consecutive clips share an artist (e.g. 10 of 14 usable
  # classical clips are Bach), which folds by track would split across train and test.
  assert max(sum(t.group == g for t in tracks) for g in folds_of) >= 10
