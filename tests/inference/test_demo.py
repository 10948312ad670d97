"""The web demo: its analysis, and end to end in headless Chromium (upload, read, screenshot)."""

import pathlib
import shutil

import pytest

from jmer.models import model_file
from jmer.inference import demo
from jmer.inference import demo_server
from jmer.inference import export
from jmer.inference import predict
from jmer.inference import shipped
from tests.support import model_files

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def bundle():
  return model_file.load_model_bundle(model_files.tiny_model_file())


def test_analysis_shows_bars_summary_and_both_plots(bundle, tmp_path):
  song = model_files.write_audio(tmp_path / "song.wav", 10.0, 44100, channels=2)
  bars, summary, av_plot, timeline_plot = demo.analyse(bundle, str(song))
  expected = predict.predict_file(bundle, song)
  assert bars == expected["genre_probabilities"]
  assert f"Top genre: **{expected['genres'][0]['genre']}**" in summary
  assert av_plot.axes[0].get_xlabel() == "valence"
  assert [ax.get_ylabel() for ax in timeline_plot.axes[:2]] == ["genre probability", "value"]


def test_analysis_of_a_clip_too_short_to_judge_says_so(bundle, tmp_path):
  clip = model_files.write_audio(tmp_path / "clip.wav", 1.0, 44100)
  bars, summary, _, _ = demo.analyse(bundle, str(clip))
  assert bars and "**Note: too short to judge: 1.0 s of audio" in summary
  song = model_files.write_audio(tmp_path / "song.wav", 4.0, 44100)
  assert "Note" not in demo.analyse(bundle, str(song))[1]


def test_analysis_of_a_bad_file_says_why(bundle, tmp_path):
  bad = tmp_path / "bad.wav"
  bad.write_bytes(b"")
  bars, summary, _, _ = demo.analyse(bundle, str(bad))
  assert bars is None and summary == "**Cannot analyse this file:** file is empty (0 bytes)"


@pytest.fixture
def browser_tools():
  """Skips (saying what is missing) unless Gradio, Playwright and Chromium are installed."""
  pytest.importorskip("gradio", reason="the demo extra is not installed (pip install -e .[demo])")
  sync_api = pytest.importorskip("playwright.sync_api",
                                 reason="playwright is not installed (pip install -e .[demo])")
  if not shutil.which(CHROMIUM):
    pytest.skip(f"no browser at {CHROMIUM} (Debian: apt-get install chromium)")
  return sync_api


def test_a_saturated_track_keeps_its_star_on_the_av_plane():
  # Issue 32: the star of a track at valence -1 / arousal +1 was clipped in the corner.
  figure = demo.av_figure(dict(arousal=1.0, valence=-1.0))
  ax = figure.axes[0]
  assert ax.get_xlim()[0] < -1.05 and ax.get_ylim()[1] > 1.05
  star = [c for c in ax.collections if c.get_offsets().tolist() == [[-1.0, 1.0]]]
  assert len(star) == 1 and not star[0].get_clip_on()


def test_summary_names_where_arousal_and_valence_come_from():
  base = dict(file="song.mp3", duration_seconds=30.0, segments=1, quadrant="Q1_happy")
  estimate = dict(base, arousal=0.5, valence=0.25, av_source="quadrant probabilities")
  assert demo.summary_markdown(estimate).endswith(
      "Arousal +0.50, valence +0.25 (estimated from the quadrant probabilities).")
  regressed = dict(base, arousal=0.5, valence=-0.25, av_quadrant="Q2_angry",
                   av_source="emomusic regressor (Essentia)")
  assert demo.summary_markdown(regressed).endswith(
      "Arousal +0.50, valence -0.25 (from the emomusic regressor (Essentia); that point is in "
      "Q2_angry, not the quadrant head's quadrant).")
  agreeing = dict(regressed, valence=0.25, av_quadrant="Q1_happy")
  assert demo.summary_markdown(agreeing).endswith(
      "(from the emomusic regressor (Essentia)).")
  assert demo.summary_markdown(dict(base, arousal=0.5, valence=0.25)).endswith("+0.25.")


@pytest.fixture
def running_demo(browser_tools):
  with demo_server.running_demo() as url:  # no model named: the shipped real-music model
    yield url


@pytest.mark.slow
def test_demo_in_headless_chromium(tmp_path, browser_tools, running_demo):
  sync_api = browser_tools
  bundle = model_file.load_model_bundle(shipped.shipped_model_path(shipped.DEFAULT_MODEL))
  song = model_files.write_audio(tmp_path / "upload me.wav", 9.0, 44100, channels=2)
  expected = predict.predict_file(bundle, song)["genres"][0]["genre"]
  with sync_api.sync_playwright() as playwright:
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    try:
      page = browser.new_page(viewport={"width": 1280, "height": 1100})
      page.goto(running_demo)
      page.locator("#song input[type=file]").set_input_files(str(song))
      summary = page.locator("#summary")
      summary.get_by_text("Top genre:").wait_for(timeout=120_000)
      page.locator("#timeline img, #timeline canvas, #timeline svg").first.wait_for(
          timeout=60_000)
      text = summary.inner_text()
      shown = text.split("Top genre:")[1].split("(")[0].strip()
      footer_links = [t for t in ("Use via API", "Built with Gradio", "Settings")
                      if page.get_by_text(t).count()]
      page.screenshot(path=str(tmp_path / "demo.png"), full_page=True)
    finally:
      browser.close()
  assert shown in bundle.genre_names
  assert shown == expected
  assert "Quadrant:" in text and "(from the emomusic regressor (Essentia" in text
  assert "Tags (musicnn):" in text
  assert not footer_links  # no Gradio footer (API, settings, "built with") on a local tool
  assert pathlib.Path(tmp_path / "demo.png").stat().st_size > 10_000
