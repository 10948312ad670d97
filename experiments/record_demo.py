r"""Records the web demo in headless Chromium as a short .webm (upload, genre bars, AV plane,
timeline), for the experiment report.

  python experiments/record_demo.py --model=runs/experiments/builtin/joint_l1/seed_0/model.keras \
      --audio=song.wav --out=experiments/results/builtin/demo.webm

Starts `python -m jmer.demo` on a free local port, drives it with Playwright (Chromium from
/usr/bin/chromium; Playwright's own browser download is not needed) and keeps Playwright's video
of the page. The clip is kept under ~30 s by waiting only for the results to appear.
"""

import argparse
import json
import os
import pathlib
import shutil
import tempfile
import time

from jmer.inference import demo_server

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
SIZE = {"width": 960, "height": 800}


def _find_ffmpeg():
  """An ffmpeg with a VP8 encoder: on PATH, else the one the imageio-ffmpeg wheel ships."""
  found = shutil.which("ffmpeg")
  if found:
    return found
  try:
    import imageio_ffmpeg
  except ImportError:
    return None
  return imageio_ffmpeg.get_ffmpeg_exe()


def provide_ffmpeg(workspace: pathlib.Path):
  """Playwright records video with its own ffmpeg build, which it downloads; where that is not
  installed (no download here), point it at a local ffmpeg through PLAYWRIGHT_BROWSERS_PATH."""
  import playwright
  package = pathlib.Path(playwright.__file__).parent / "driver" / "package" / "browsers.json"
  revision = next(b["revision"] for b in json.loads(package.read_text())["browsers"]
                  if b["name"] == "ffmpeg")
  default_root = pathlib.Path(os.environ.get("PLAYWRIGHT_BROWSERS_PATH",
                                             pathlib.Path.home() / ".cache" / "ms-playwright"))
  if (default_root / f"ffmpeg-{revision}" / "ffmpeg-linux").exists():
    return
  ffmpeg = _find_ffmpeg()
  if not ffmpeg:
    raise FileNotFoundError("video recording needs ffmpeg: apt-get install ffmpeg, or "
                            "pip install imageio-ffmpeg")
  target = workspace / "browsers" / f"ffmpeg-{revision}"
  target.mkdir(parents=True, exist_ok=True)
  (target / "ffmpeg-linux").symlink_to(ffmpeg)
  os.environ["PLAYWRIGHT_BROWSERS_PATH"] = str(workspace / "browsers")


def _analyse(page, url, audio):
  """Opens the demo, uploads `audio` and waits for the summary and AV plane; returns the summary."""
  page.goto(url)
  page.locator("#song input[type=file]").set_input_files(str(audio))
  summary = page.locator("#summary")
  summary.get_by_text("Top genre:").wait_for(timeout=180_000)
  page.locator("#av-plane img, #av-plane canvas, #av-plane svg").first.wait_for(timeout=60_000)
  return summary


def record(model, audio, out, chromium: str = CHROMIUM) -> dict:
  """Records one upload-and-analyse session into `out` (.webm); returns what it saw and timed."""
  from playwright import sync_api
  if not shutil.which(chromium):
    raise FileNotFoundError(f"no browser at {chromium} (Debian: apt-get install chromium)")
  video_dir = pathlib.Path(tempfile.mkdtemp(prefix="jmer_demo_video_"))
  try:
    with demo_server.running_demo(model) as url:
      provide_ffmpeg(video_dir)
      with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        # Unrecorded warm-up: the demo's first analysis compiles the model, which on a busy CPU
        # would fill the clip with a spinner.
        warm_up = browser.new_page(viewport=SIZE)
        _analyse(warm_up, url, audio)
        warm_up.close()
        context = browser.new_context(viewport=SIZE, record_video_dir=str(video_dir),
                                      record_video_size=SIZE)
        start = time.monotonic()
        page = context.new_page()
        summary = _analyse(page, url, audio)
        page.wait_for_timeout(1500)  # genre bars and AV plane on screen
        page.locator("#timeline").scroll_into_view_if_needed()
        page.locator("#timeline img, #timeline canvas, #timeline svg").first.wait_for(
            timeout=60_000)
        page.wait_for_timeout(1500)  # the timeline on screen
        shown = summary.inner_text()
        seconds = time.monotonic() - start
        video = page.video
        context.close()  # finishes the video file
        browser.close()
        out = pathlib.Path(out)
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(video.path(), out)
  finally:
    shutil.rmtree(video_dir, ignore_errors=True)
  return dict(path=str(out), seconds=round(seconds, 1), summary=shown)


def main(argv=None):
  parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
  parser.add_argument("--model", required=True, help="a model.keras file")
  parser.add_argument("--audio", required=True, help="the clip to upload")
  parser.add_argument("--out", required=True, help="the .webm to write")
  args = parser.parse_args(argv)
  result = record(args.model, args.audio, args.out)
  print(f"Wrote {result['path']} ({result['seconds']} s recorded)")


if __name__ == "__main__":
  main()
