"""experiments/record_demo.py drives the web demo in headless Chromium and writes a short .webm."""

import shutil
import sys

import pytest

from tests.support import model_files
from tests.conftest import REPO


@pytest.mark.slow
def test_recording_shows_the_analysis_and_writes_a_short_webm(tmp_path):
  pytest.importorskip("gradio", reason="the demo extra is not installed (pip install -e .[demo])")
  pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
  sys.path.insert(0, str(REPO / "experiments"))
  import record_demo
  if not shutil.which(record_demo.CHROMIUM):
    pytest.skip(f"no browser at {record_demo.CHROMIUM} (Debian: apt-get install chromium)")
  song = model_files.write_audio(tmp_path / "song.wav", 12.0, 22050)
  result = record_demo.record(model_files.tiny_model_file(), song, tmp_path / "demo.webm")
  data = (tmp_path / "demo.webm").read_bytes()
  assert data[:4] == b"\x1aE\xdf\xa3"  # the EBML magic every WebM file starts with
  assert len(data) > 10_000
  assert "Top genre:" in result["summary"]  # the analysis was on screen when it stopped
