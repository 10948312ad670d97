r"""Records the web demo in headless Chromium as a short .webm: by default the shipped real-music
model on real songs, for the README.

The committed recording, docs/media/demo_real_music.webm, is re-recorded by one command from the
repository root (JMER_DATA: the folder holding pmemo_samples/ and annotations/pmemo/):

  JMER_DATA=../shared/data python experiments/record_demo.py

That starts `python -m jmer.demo` on the shipped model (`real-music`, the default of `jmer demo`)
on a free local port, drives it with Playwright (Chromium from /usr/bin/chromium; Playwright's
own browser download is not needed) and keeps Playwright's video of the page while it uploads
the four PMEmo choruses in $JMER_DATA/pmemo_samples one after the other (108, 372, 634, 683:
one per quadrant by their listeners' ratings). For each song it holds the summary (genre,
quadrant and its calibrated probability, arousal/valence, tags), the genre bars and the AV plane
on screen, then scrolls to the timeline. A caption bar, added by this script and not part of the
demo, names the song and its PMEmo arousal/valence ratings (annotations/pmemo/, 1–9, also shown
on the demo's [-1, 1] scale), so the model's answer can be compared with the listeners'. Beside
the .webm it writes a poster still (.png, the first song's results) and what the demo showed
for each song (.json). The video is re-encoded (VP8) with ffmpeg and refused if over 60 s.

Any other model and clips (`--audio` repeats; --model takes a file or a shipped model's name):

  python experiments/record_demo.py --model=runs/experiments/builtin/joint_l1/seed_0/model.keras \
      --audio=song.wav --out=experiments/results/builtin/demo.webm

Playwright records with its own ffmpeg build, a download; where it is missing the script uses
`ffmpeg` from PATH or the one the imageio-ffmpeg wheel ships (the demo extra).
"""

import argparse
import csv
import json
import os
import pathlib
import re
import shutil
import subprocess
import tempfile
import time

from jmer.inference import demo_server
from jmer.tasks import labels

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
SIZE = {"width": 1280, "height": 800}
MAX_SECONDS = 60.0  # the longest video written; a longer recording is refused, not cut
DEFAULT_OUT = "docs/media/demo_real_music.webm"
PMEMO_SONGS = ("108", "372", "634", "683")  # PMEmo's four sample choruses, Q1..Q4 by rating
# A drawn matplotlib plot in Gradio's Plot (an empty one shows an svg placeholder icon instead).
PLOT_IMAGE = "[data-testid=matplotlib] img"
OUTPUTS = ("#summary", "#genre", "#av-plane", "#timeline")
SETTLED_JS = """() => %s.every(selector => {
  const output = document.querySelector(selector);
  if (!output || output.querySelector('.pending')) return false;
  for (let e = output; e; e = e.parentElement)
    if (parseFloat(getComputedStyle(e).opacity) < 1) return false;
  return [...output.querySelectorAll('img')].every(i => i.complete && i.naturalWidth > 0);
})""" % json.dumps(list(OUTPUTS))
CAPTION_ID = "jmer-recording-caption"
# The caption bar: fixed to the bottom of the window, with room left under the page so that
# scrolling to the end never hides the timeline behind it.
CAPTION_JS = """text => {
  let bar = document.getElementById('%s');
  if (!bar) {
    bar = document.createElement('div');
    bar.id = '%s';
    bar.style.cssText = 'position:fixed;left:0;right:0;bottom:0;z-index:10000;padding:8px 16px;'
      + 'background:rgba(20,20,30,0.88);color:#fff;font:16px/1.4 sans-serif;white-space:pre-line';
    document.body.appendChild(bar);
    document.body.style.paddingBottom = '90px';
  }
  bar.textContent = text;
}""" % (CAPTION_ID, CAPTION_ID)


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


def video_seconds(path, ffmpeg=None) -> float:
  """The duration `ffmpeg -i path` prints (its `Duration: HH:MM:SS.ss` line), in seconds.

  Raises:
    ValueError when ffmpeg prints no duration (a file still being written, or not a video).
  """
  probe = subprocess.run([ffmpeg or _find_ffmpeg(), "-hide_banner", "-i", str(path)],
                         capture_output=True, text=True)
  found = re.search(r"Duration: (\d+):(\d\d):(\d\d(?:\.\d+)?)", probe.stderr)
  if not found:
    raise ValueError(f"ffmpeg gives no duration for {path}:\n{probe.stderr[-500:]}")
  hours, minutes, seconds = found.groups()
  return 3600 * int(hours) + 60 * int(minutes) + float(seconds)


def encode(raw, out, max_seconds: float = MAX_SECONDS) -> float:
  """Re-encodes Playwright's video `raw` into `out` (VP8 at a modest bitrate: the page is mostly
  still, so a few MB at most, with the duration in the header); returns its duration.

  Raises:
    ValueError, writing nothing, when the recording is longer than `max_seconds`.
  """
  ffmpeg = _find_ffmpeg()
  with tempfile.TemporaryDirectory(prefix="jmer_demo_encode_") as work:
    encoded = pathlib.Path(work) / "encoded.webm"
    subprocess.run([ffmpeg, "-hide_banner", "-loglevel", "error", "-y", "-i", str(raw),
                    "-c:v", "libvpx", "-b:v", "600k", "-crf", "12", "-deadline", "good",
                    "-cpu-used", "4", "-threads", "1", "-an", str(encoded)], check=True)
    seconds = video_seconds(encoded, ffmpeg)
    if seconds > max_seconds:
      raise ValueError(f"the recording lasts {seconds:.1f} s, over {max_seconds:g} s: record "
                       "fewer songs or shorter holds (--hold)")
    pathlib.Path(out).parent.mkdir(parents=True, exist_ok=True)
    shutil.move(encoded, out)
  return seconds


def pmemo_rating(audio, data_root) -> dict | None:
  """The PMEmo listeners' static arousal/valence of `audio` (a PMEmo clip named <song id>.mp3),
  from <data_root>/annotations/pmemo/, with its title and artist; None when it has none.

  Returns:
    {song_id, title, artist, arousal_1_9, valence_1_9, arousal, valence (the demo's [-1, 1]
    scale, (x - 5) / 4), quadrant (of the ratings, split at the scale's middle, 5)}.
  """
  folder = pathlib.Path(data_root or "") / "annotations" / "pmemo"
  song = pathlib.Path(audio).stem
  if not data_root or not (folder / "static_annotations.csv").is_file():
    return None
  with open(folder / "static_annotations.csv", encoding="utf-8") as table:
    rated = {r["song_id"]: r for r in csv.DictReader(table)}
  if song not in rated:
    return None
  with open(folder / "metadata.csv", encoding="utf-8") as table:
    meta = next((r for r in csv.DictReader(table) if r["musicId"] == song), {})
  arousal, valence = float(rated[song]["arousal_mean"]), float(rated[song]["valence_mean"])
  unit = labels.rescale_to_unit([arousal, valence], 1, 9)
  return dict(song_id=song, title=meta.get("title", ""), artist=meta.get("artist", ""),
              arousal_1_9=arousal, valence_1_9=valence, arousal=round(float(unit[0]), 3),
              valence=round(float(unit[1]), 3),
              quadrant=labels.QUADRANTS[int(labels.av_quadrant(arousal, valence, 5.0))])


def caption(audio, number: int, count: int, rating) -> str:
  """The caption bar's text for song `number` of `count`: the file, and its ratings if any."""
  name = pathlib.Path(audio).name
  if not rating:
    return f"Song {number} of {count}: {name}"
  return (f"Song {number} of {count}: PMEmo {rating['song_id']}, {rating['artist']}, "
          f"“{rating['title']}” (chorus, {name})\n"
          f"PMEmo listeners rated it arousal {rating['arousal_1_9']:.1f}, valence "
          f"{rating['valence_1_9']:.1f} on 1–9, i.e. {rating['arousal']:+.2f}, "
          f"{rating['valence']:+.2f} on the demo's −1…1 scale ({rating['quadrant']}). "
          "Caption added by the recording, not part of the demo.")


def _analyse(page, url, audio, text: str = ""):
  """Opens the demo, captions it with `text`, uploads `audio` and waits for the summary and AV
  plane; returns the summary."""
  page.goto(url)
  if text:
    page.evaluate(CAPTION_JS, text)
  page.locator("#song input[type=file]").set_input_files(str(audio))
  summary = page.locator("#summary")
  summary.get_by_text("Top genre:").wait_for(timeout=180_000)
  page.locator(f"#av-plane {PLOT_IMAGE}").wait_for(timeout=60_000)
  return summary


def _scroll_to_end(page):
  """Scrolls smoothly to the bottom of the page, where the timeline ends above the caption, and
  returns once it is there."""
  page.evaluate("() => window.scrollTo({top: document.documentElement.scrollHeight, "
                "behavior: 'smooth'})")
  page.wait_for_function("() => window.scrollY + window.innerHeight >= "
                         "document.documentElement.scrollHeight - 2", timeout=30_000)


def _settled(page):
  """Returns once the results are painted: every output shown at full opacity (Gradio fades an
  output while it is pending), no pending marker inside it, its plots decoded. The check runs in
  animation frames, so it passes only in a frame the page renders: on a starved CPU the page can
  hold the faded state, or the last composited frame, for seconds after the DOM is complete,
  and a hold timed from the DOM alone then records little or none of the results."""
  page.wait_for_function(SETTLED_JS, timeout=60_000)
  # A screenshot returns only once a frame holding all that has been composited, which on a
  # starved CPU can be seconds after the DOM has it; the hold that follows then starts with the
  # results on screen, in the video too.
  page.screenshot(type="jpeg", quality=10)


def show_song(page, url, audio, text: str, hold: float, poster=None) -> dict:
  """Uploads `audio`, holds the results (summary, genre bars, AV plane) on screen for `hold`
  seconds, then scrolls to the timeline and holds it; screenshots the results into `poster`.

  Returns:
    {summary: the demo's summary text, seconds_to_result: from opening the page to the
    results on screen}.
  """
  start = time.monotonic()
  summary = _analyse(page, url, audio, text)
  _settled(page)
  waited = time.monotonic() - start
  if poster:
    page.screenshot(path=str(poster))
  page.wait_for_timeout(int(1000 * hold))
  page.locator(f"#timeline {PLOT_IMAGE}").wait_for(timeout=60_000)
  _scroll_to_end(page)
  _settled(page)
  page.wait_for_timeout(int(1000 * hold))
  return dict(summary=summary.inner_text(), seconds_to_result=round(waited, 1))


def _session(browser, url, songs, video_dir, hold, data_root, poster):
  """The recorded page: each song in turn; returns ([per-song results], the video's path)."""
  context = browser.new_context(viewport=SIZE, record_video_dir=str(video_dir),
                                record_video_size=SIZE)
  page = context.new_page()
  shown = []
  for number, audio in enumerate(songs, 1):
    rating = pmemo_rating(audio, data_root)
    text = caption(audio, number, len(songs), rating)
    result = show_song(page, url, audio, text, hold, poster if number == 1 else None)
    shown.append(dict(file=pathlib.Path(audio).name, rating=rating, **result))
  video = page.video
  context.close()  # finishes the video file
  return shown, pathlib.Path(video.path())


def record(model, songs, out, hold: float = 2.5, data_root=None, chromium: str = CHROMIUM,
           max_seconds: float = MAX_SECONDS) -> dict:
  """Records the demo on `model` analysing each of `songs` in turn into `out` (.webm).

  Args:
    model: a model file or a shipped model's name; None: the shipped default.
    songs: the audio files uploaded, in order.
    out: the .webm written; a poster still (.png) and the record of what was shown (.json)
      are written beside it.
    hold: seconds the results, then the timeline, stay on screen for each song.
    data_root: the folder holding annotations/pmemo/ (songs' ratings for the caption), or None.
    chromium: the browser.
    max_seconds: the longest video accepted.

  Returns:
    The record written to the .json: the model, the video's duration and each song's summary.
  """
  from playwright import sync_api
  if not shutil.which(chromium):
    raise FileNotFoundError(f"no browser at {chromium} (Debian: apt-get install chromium)")
  out = pathlib.Path(out)
  out.parent.mkdir(parents=True, exist_ok=True)
  video_dir = pathlib.Path(tempfile.mkdtemp(prefix="jmer_demo_video_"))
  try:
    with demo_server.running_demo(model) as url:
      provide_ffmpeg(video_dir)
      with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        # Unrecorded warm-up: the demo's first analysis compiles the model, which on a busy CPU
        # would fill the clip with a spinner.
        warm_up = browser.new_page(viewport=SIZE)
        _analyse(warm_up, url, songs[0])
        warm_up.close()
        shown, video = _session(browser, url, songs, video_dir, hold, data_root,
                                out.with_suffix(".png"))
        browser.close()
      seconds = encode(video, out, max_seconds)
  finally:
    shutil.rmtree(video_dir, ignore_errors=True)
  name = pathlib.Path(model).name if model else "real-music (the shipped default)"
  result = dict(model=name, video=out.name,
                duration_seconds=round(seconds, 2), window=SIZE, hold_seconds=hold, songs=shown)
  out.with_suffix(".json").write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n")
  return result


def default_songs(data_root) -> list:
  """The four PMEmo choruses under <data_root>/pmemo_samples/, one per quadrant by rating."""
  if not data_root:
    raise SystemExit("set JMER_DATA (the folder holding pmemo_samples/), or give --audio")
  return [pathlib.Path(data_root) / "pmemo_samples" / f"{song}.mp3" for song in PMEMO_SONGS]


def main(argv=None):
  parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
  parser.add_argument("--model", default=None,
                      help="a model.keras file or a shipped model's name (default: the shipped "
                           "real-music model, as `jmer demo` opens)")
  parser.add_argument("--audio", action="append", default=None,
                      help="a song to upload; repeat for several, analysed in order (default: "
                           "the four PMEmo choruses in $JMER_DATA/pmemo_samples)")
  parser.add_argument("--data", default=os.environ.get("JMER_DATA", ""),
                      help="the folder holding pmemo_samples/ and annotations/pmemo/ "
                           "(default: $JMER_DATA)")
  parser.add_argument("--out", default=DEFAULT_OUT, help=f"the .webm to write ({DEFAULT_OUT})")
  parser.add_argument("--hold", type=float, default=2.5,
                      help="seconds each song's results, then its timeline, stay on screen")
  args = parser.parse_args(argv)
  songs = args.audio or default_songs(args.data)
  result = record(args.model, songs, args.out, hold=args.hold, data_root=args.data or None)
  for song in result["songs"]:
    print(f"{song['file']} ({song['seconds_to_result']} s to the results): {song['summary']}")
  print(f"Wrote {args.out} ({result['duration_seconds']} s, "
        f"{pathlib.Path(args.out).stat().st_size / 1e6:.1f} MB) and its .png and .json")


if __name__ == "__main__":
  main()
