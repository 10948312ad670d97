"""experiments/record_demo.py drives the web demo in headless Chromium and writes a short .webm;
the committed recording of the shipped model on real songs is short, linked and re-recordable.

The fast tests read the committed files only; the one that records is marked slow."""

import csv
import json
import re
import shutil
import sys

import pytest

from tests.support import model_files
from tests.conftest import REPO

sys.path.insert(0, str(REPO / "experiments"))
import record_demo  # noqa: E402

VIDEO = REPO / record_demo.DEFAULT_OUT
RECORD = VIDEO.with_suffix(".json")
COMMAND = "JMER_DATA=../shared/data python experiments/record_demo.py"
README_FIRST_SCREEN = 30  # lines: the title, the first paragraph and the "what you get" box


def test_the_committed_real_music_video_is_a_small_webm_under_a_minute():
  data = VIDEO.read_bytes()
  assert data[:4] == b"\x1aE\xdf\xa3"  # the EBML magic every WebM file starts with
  assert 100_000 < len(data) < 5_000_000, f"{len(data) / 1e6:.1f} MB"
  ffmpeg = record_demo._find_ffmpeg()
  if not ffmpeg:
    pytest.skip("no ffmpeg to read the duration (pip install imageio-ffmpeg, the demo extra)")
  seconds = record_demo.video_seconds(VIDEO, ffmpeg)
  assert 20 < seconds <= record_demo.MAX_SECONDS
  assert seconds == pytest.approx(json.loads(RECORD.read_text())["duration_seconds"], abs=0.1)


def test_the_recording_is_the_shipped_model_on_the_four_pmemo_songs():
  record = json.loads(RECORD.read_text())
  assert record["model"].startswith("real-music")
  assert record["duration_seconds"] <= record_demo.MAX_SECONDS
  assert [s["file"] for s in record["songs"]] == [f"{s}.mp3" for s in record_demo.PMEMO_SONGS]
  for song in record["songs"]:
    assert song["summary"].startswith(song["file"])
    for shown in ("Top genre:", "Quadrant:", "Arousal", "Probabilities calibrated", "Tags"):
      assert shown in song["summary"], (song["file"], shown)
  # One song per quadrant by the listeners' ratings, as the recorder's docstring says.
  assert sorted(s["rating"]["quadrant"] for s in record["songs"]) == [
      "Q1_happy", "Q2_angry", "Q3_sad", "Q4_calm"]


def test_the_captions_ratings_are_pmemos_own(shared_data):
  rated = {r["song_id"]: r for r in csv.DictReader(
      (shared_data / "annotations" / "pmemo" / "static_annotations.csv").open())}
  for song in json.loads(RECORD.read_text())["songs"]:
    row = rated[song["rating"]["song_id"]]
    assert song["rating"]["arousal_1_9"] == float(row["arousal_mean"])
    assert song["rating"]["valence_1_9"] == float(row["valence_mean"])
    assert record_demo.pmemo_rating(shared_data / "pmemo_samples" / song["file"],
                                    shared_data) == song["rating"]


def test_a_clip_without_pmemo_ratings_gets_a_plain_caption(tmp_path):
  assert record_demo.pmemo_rating(tmp_path / "108.mp3", tmp_path) is None
  assert record_demo.caption(tmp_path / "song.wav", 1, 2, None) == "Song 1 of 2: song.wav"


def test_readme_links_the_video_on_its_first_screen():
  readme = (REPO / "README.md").read_text()
  first_screen = "\n".join(readme.splitlines()[:README_FIRST_SCREEN])
  assert f"({record_demo.DEFAULT_OUT})" in first_screen.split("\n## ")[0]  # before any section
  poster = VIDEO.with_suffix(".png")
  assert f'<img src="{poster.relative_to(REPO)}"' in first_screen and poster.is_file()


def _demo_part() -> str:
  return (REPO / "docs" / "predict.md").read_text().split("## Web demo")[1].split("\n## ")[0]


def test_the_docs_quote_what_the_recording_showed():
  record = json.loads(RECORD.read_text())
  seconds = f"{round(record['duration_seconds'])} s"
  readme = (REPO / "README.md").read_text()
  assert f"Demo video ({seconds})" in readme and f"({seconds}, " in _demo_part()
  rows = {line.split(",")[0].strip("| "): line for line in _demo_part().splitlines()
          if line.startswith("| ")}
  for song in record["songs"]:
    row = rows[song["rating"]["song_id"]]
    genre = re.search(r"Top genre: (\w+) \((\d+)%\)", song["summary"]).groups()
    quadrant = re.search(r"Quadrant: (\w+) \((\d+)%\)", song["summary"]).groups()
    av = re.search(r"Arousal ([+-][\d.]+), valence ([+-][\d.]+)", song["summary"]).groups()
    for quoted in (f"{genre[0]} {genre[1]}%", f"{quadrant[0]} {quadrant[1]}%",
                   ", ".join(av).replace("-", "−"), song["rating"]["quadrant"]):
      assert quoted in row, (song["file"], quoted)


def test_the_one_command_is_in_the_script_and_the_docs():
  assert COMMAND in (REPO / "experiments" / "record_demo.py").read_text()
  demo_part = _demo_part()
  assert COMMAND in demo_part and "media/demo_real_music.webm" in demo_part
  assert COMMAND in (REPO / "docs" / "experiments.md").read_text()


def test_the_duration_is_read_from_ffmpegs_output(tmp_path, monkeypatch):
  printed = "Input #0, matroska,webm, from 'x.webm':\n  Duration: 00:01:02.48, start: 0.0"
  monkeypatch.setattr(record_demo.subprocess, "run", lambda *a, **k: type(
      "Done", (), dict(stderr=printed))())
  assert record_demo.video_seconds(tmp_path / "x.webm", "ffmpeg") == pytest.approx(62.48)
  with pytest.raises(ValueError, match="over 60 s"):
    monkeypatch.setattr(record_demo.shutil, "move", lambda *a: pytest.fail("wrote it"))
    record_demo.encode(tmp_path / "raw.webm", tmp_path / "out.webm")


@pytest.mark.slow
def test_recording_shows_the_analysis_and_writes_a_short_webm(tmp_path):
  pytest.importorskip("gradio", reason="the demo extra is not installed (pip install -e .[demo])")
  pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
  if not shutil.which(record_demo.CHROMIUM):
    pytest.skip(f"no browser at {record_demo.CHROMIUM} (Debian: apt-get install chromium)")
  songs = [model_files.write_audio(tmp_path / f"song{n}.wav", 12.0, 22050) for n in (1, 2)]
  result = record_demo.record(model_files.tiny_model_file(), songs, tmp_path / "demo.webm",
                              hold=0.5)
  data = (tmp_path / "demo.webm").read_bytes()
  assert data[:4] == b"\x1aE\xdf\xa3"
  assert len(data) > 10_000
  assert re.search(r"Duration: 00:00:\d\d", record_demo.subprocess.run(
      [record_demo._find_ffmpeg(), "-i", str(tmp_path / "demo.webm")],
      capture_output=True, text=True).stderr)
  assert [s["file"] for s in result["songs"]] == ["song1.wav", "song2.wav"]
  for song in result["songs"]:  # each analysis was on screen
    assert "Top genre:" in song["summary"] and song["rating"] is None
  assert json.loads((tmp_path / "demo.json").read_text()) == result
  assert (tmp_path / "demo.png").is_file()
