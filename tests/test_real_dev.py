"""experiments/real_dev: the GTZAN manifest behind the "Results on real music" rows."""

import collections
import importlib.util

import pytest

from conftest import REPO


def _manifest_module():
  path = REPO / "experiments" / "real_dev" / "make_gtzan_manifest.py"
  spec = importlib.util.spec_from_file_location("make_gtzan_manifest", path)
  module = importlib.util.module_from_spec(spec)
  spec.loader.exec_module(module)
  return module


def test_manifest_rows_take_the_genre_from_the_folder(tmp_path):
  for rel in ("genres/jazz/jazz.00001.mp3", "genres/rock/rock.00007.mp3"):
    (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / rel).write_bytes(b"")
  (tmp_path / "balanced_140.txt").write_text(
      "genres/jazz/jazz.00001.mp3\n\ngenres/rock/rock.00007.mp3\n")
  rows = _manifest_module().manifest_rows(tmp_path)
  assert rows == [(str(tmp_path / "genres/jazz/jazz.00001.mp3"), "jazz"),
                  (str(tmp_path / "genres/rock/rock.00007.mp3"), "rock")]


def test_a_listed_clip_that_is_missing_is_named(tmp_path):
  (tmp_path / "balanced_140.txt").write_text("genres/pop/pop.00003.mp3\n")
  with pytest.raises(FileNotFoundError, match="pop.00003.mp3"):
    _manifest_module().manifest_rows(tmp_path)


def test_real_balanced_list_has_14_clips_of_each_genre(shared_data):
  rows = _manifest_module().manifest_rows(shared_data / "gtzan_real")
  assert collections.Counter(genre for _, genre in rows) == {
      g: 14 for g in ("blues", "classical", "country", "disco", "hiphop", "jazz", "metal",
                      "pop", "reggae", "rock")}
