r"""A local web demo: upload (or pick) a song, see what the model hears.

  pip install -e .[demo]
  python -m jmer.demo [--workdir=runs/mtl | --model=FILE] [--examples=~/Music] [--host=127.0.0.1 --port=7860]

Without --workdir or --model it opens on the shipped real-music model.

Shows the track's genre probabilities as bars, its point on the arousal–valence plane (with
the path its timeline windows trace), and the timeline of genres and emotion over the song. Binds to
127.0.0.1 unless told otherwise: it is a local tool, never shared through a public link.
"""

import os
import pathlib
import sys
import statistics
import threading

from jmer.tasks import labels
from jmer.data import audio
from jmer.inference import cli_args

TITLE = cli_args.DEMO_TITLE
MAX_UPLOAD_MB = cli_args.DEMO_MAX_UPLOAD_MB
AV_LIMIT = 1.12  # the AV plane's axes: the [-1, 1] scale plus room for the track's star
# One analysis at a time whatever the server allows: the model is shared, and two songs decoded
# side by side on a laptop only make both users wait longer.
_analysis_lock = threading.Lock()


def summary_markdown(result: dict) -> str:
  """The one-paragraph verdict shown above the plots (also what the browser test reads).

  Args:
    result: one file's result from jmer.inference.predict.predict_file.

  Returns:
    Markdown naming the file, its duration in seconds and segment count, a clip's too-short
    warning, then whichever of top genre, quadrant (with its probability), arousal/valence,
    the calibration temperatures and musicnn tags the result holds.
  """
  parts = [f"**{pathlib.Path(result['file']).name}**: {result['duration_seconds']:.1f} s, "
           f"{result['segments']} segment(s)."]
  if result.get("warning"):
    parts.append(f"**Note: {result['warning']}.**")
  if result.get("genres"):
    top = result["genres"][0]
    parts.append(f"Top genre: **{top['genre']}** ({100 * top['probability']:.0f}%).")
  if "quadrant" in result:
    share = (f" ({100 * result['quadrant_probability']:.0f}%)"
             if "quadrant_probability" in result else "")
    parts.append(f"Quadrant: **{result['quadrant']}**{share}.")
  if "arousal" in result:
    parts.append(f"Arousal {result['arousal']:+.2f}, valence {result['valence']:+.2f}"
                 + _av_note(result))
  if result.get("calibrated"):
    parts.append("Probabilities calibrated (temperature scaling: " + ", ".join(
        f"{head} T = {t:.2f}" for head, t in result["temperatures"].items()) + ").")
  if result.get("tags"):
    parts.append("Tags (musicnn): " + ", ".join(t["tag"] for t in result["tags"]) + ".")
  return " ".join(parts)


def _av_note(result: dict) -> str:
  """How the summary ends the arousal/valence sentence: where the values come from, and the
  regressor's quadrant when it is not the quadrant head's."""
  source = result.get("av_source")
  if source == "quadrant probabilities":
    return " (estimated from the quadrant probabilities)."
  if not result.get("av_quadrant"):
    return "."
  note = f" (from the {source}"
  if result["av_quadrant"] != result.get("quadrant"):
    note += f"; that point is in {result['av_quadrant']}, not the quadrant head's quadrant"
  return note + ")."


def av_figure(result: dict, threshold: float = 0.0):
  """The arousal–valence plane: quadrants, the timeline windows' path, the track's point.

  Args:
    result: one file's result from predict_file, with a timeline for the windows' path.
    threshold: where the quadrant boundaries are drawn on both axes.

  Returns:
    A closed matplotlib Figure (Agg backend), valence on x and arousal on y, the scale's
    [-1, 1] with a margin (AV_LIMIT).
  """
  import matplotlib
  matplotlib.use("Agg")
  from matplotlib import pyplot as plt
  fig, ax = plt.subplots(figsize=(4.6, 4.6), dpi=100)
  ax.axhline(threshold, color="0.6", lw=0.8)
  ax.axvline(threshold, color="0.6", lw=0.8)
  corners = {"Q1_happy": (0.95, 0.95), "Q2_angry": (-0.95, 0.95), "Q3_sad": (-0.95, -0.95),
             "Q4_calm": (0.95, -0.95)}
  for name in labels.QUADRANTS:
    x, y = corners[name]
    ax.text(x, y, name.split("_")[1], ha="right" if x > 0 else "left",
            va="top" if y > 0 else "bottom", color="0.45", fontsize=10)
  rows = [r for r in result.get("timeline", []) if "arousal" in r]
  if rows:
    valence, arousal = [r["valence"] for r in rows], [r["arousal"] for r in rows]
    ax.plot(valence, arousal, color="0.75", lw=0.8, zorder=1)
    points = ax.scatter(valence, arousal, c=[r["start"] for r in rows], cmap="viridis", s=18,
                        zorder=2)
    fig.colorbar(points, ax=ax, fraction=0.046, pad=0.04, label="window start (s)")
  if "arousal" in result:
    # Drawn unclipped inside a margin: a track at ±1 (a saturated regressor) keeps its star.
    ax.scatter([result["valence"]], [result["arousal"]], marker="*", s=320, c="crimson",
               edgecolors="black", zorder=3, clip_on=False)
  ax.set(xlim=(-AV_LIMIT, AV_LIMIT), ylim=(-AV_LIMIT, AV_LIMIT), xlabel="valence",
         ylabel="arousal", aspect="equal",
         title="Arousal–valence (★ track, dots: timeline windows)")
  fig.tight_layout()
  plt.close(fig)
  return fig


def timeline_figure(result: dict, genre_names):
  """Genre probabilities (stacked) and arousal/valence over the song, one point per timeline
  window (streamed_features.timeline_frames: ~9 s every ~3 s for the shipped model).

  Args:
    result: one file's result from predict_file with a timeline.
    genre_names: the model's genres, in the order stacked.

  Returns:
    A closed matplotlib Figure: one panel per head the result has, time in seconds on x.
  """
  import matplotlib
  matplotlib.use("Agg")
  from matplotlib import pyplot as plt
  rows = result.get("timeline", [])
  has_genre, has_av = "genre_probabilities" in result, "arousal" in result
  fig, axes = plt.subplots(has_genre + has_av, 1, figsize=(8, 2.4 * (has_genre + has_av)),
                           dpi=100, sharex=True, squeeze=False)
  axes = list(axes[:, 0])
  middle = [(r["start"] + r["end"]) / 2 for r in rows]
  if has_genre:
    ax = axes.pop(0)
    probs = [[r["genre_probabilities"][name] for r in rows] for name in genre_names]
    ax.stackplot(middle, probs, labels=genre_names, alpha=0.85,
                 colors=plt.get_cmap("tab20").colors[:len(genre_names)])
    ax.set(ylabel="genre probability", ylim=(0, 1), title="Over the song")
    ax.legend(loc="center left", bbox_to_anchor=(1.0, 0.5), fontsize=8, frameon=False)
  if has_av:
    ax = axes.pop(0)
    ax.plot(middle, [r["arousal"] for r in rows], marker="o", ms=3, label="arousal")
    ax.plot(middle, [r["valence"] for r in rows], marker="o", ms=3, label="valence")
    ax.axhline(0, color="0.6", lw=0.8)
    ax.set(ylabel="value", ylim=(-1, 1))
    ax.legend(loc="center left", bbox_to_anchor=(1.0, 0.5), fontsize=8, frameon=False)
  window = float(statistics.median([r["end"] - r["start"] for r in rows])) if rows else 0.0
  fig.axes[-1].set_xlabel(f"time (s): the centre of each {window:.0f} s window")
  fig.tight_layout()
  plt.close(fig)
  return fig


def analyse(bundle, path, max_upload_mb: float = MAX_UPLOAD_MB):
  """(genre bars, summary, AV plot, timeline plot) for one file; errors become the summary.

  A file over `max_upload_mb` is refused before decoding; any file that is not usable audio
  (text, an image, a damaged song) gets its reason shown, never a traceback.

  Args:
    bundle: the loaded model (jmer.models.model_file.ModelBundle).
    path: the uploaded or picked file, or None/"" when there is none.
    max_upload_mb: the largest file accepted, in MB (10^6 bytes).

  Returns:
    (genre probabilities {genre: probability} or None, summary markdown, AV figure or None,
    timeline figure or None).
  """
  from jmer.inference import predict
  if not path:
    return None, "Upload or pick an audio file.", None, None

  def refused(reason):
    return None, f"**Cannot analyse this file:** {reason}", None, None

  try:
    size_mb = os.path.getsize(path) / 1e6
  except OSError as error:
    return refused(f"cannot read it ({error.strerror})")
  if size_mb > max_upload_mb:
    return refused(f"it is {size_mb:.0f} MB; the limit is {max_upload_mb:g} MB "
                   "(python -m jmer.demo --max-upload-mb=N)")
  try:
    with _analysis_lock:
      result = predict.predict_file(bundle, path, timeline=True)
  except audio.AudioError as error:
    return refused(error.reason)
  except Exception as error:  # a web page shows a reason, not a server error
    return refused(f"unexpected {type(error).__name__}: {error}")
  bars = result.get("genre_probabilities")
  return (bars, summary_markdown(result), av_figure(result, bundle.meta["quadrant_threshold"]),
          timeline_figure(result, bundle.genre_names))


def build_app(bundle, examples=(), max_upload_mb: float = MAX_UPLOAD_MB):
  """The Gradio Blocks app for a loaded model bundle.

  Args:
    bundle: the loaded model (jmer.models.model_file.ModelBundle).
    examples: audio files offered to pick from.
    max_upload_mb: the largest file analysed, in MB.

  Returns:
    The app, queued to analyse one song at a time; not yet launched.
  """
  import gradio as gr
  with gr.Blocks(title=TITLE, analytics_enabled=False) as app:
    gr.Markdown(f"## {TITLE}\nModel `{pathlib.Path(bundle.path).name}`: "
                f"{len(bundle.genre_names)} genres, heads {', '.join(bundle.output_names)}. "
                "Everything runs on this machine.")
    with gr.Row():
      with gr.Column(scale=1):
        song = gr.Audio(sources=["upload"], type="filepath", label="Song", elem_id="song")
        if examples:
          gr.Examples(examples=[[str(p)] for p in examples], inputs=song,
                      label="Or pick a file")
        bars = gr.Label(num_top_classes=len(bundle.genre_names) or None, label="Genre",
                        elem_id="genre")
      with gr.Column(scale=1):
        summary = gr.Markdown("Upload or pick an audio file.", elem_id="summary")
        av_plot = gr.Plot(label="Arousal–valence plane", elem_id="av-plane")
    timeline_plot = gr.Plot(label="Timeline", elem_id="timeline")
    song.change(lambda path: analyse(bundle, path, max_upload_mb), inputs=song,
                outputs=[bars, summary, av_plot, timeline_plot], concurrency_limit=1)
  # Requests beyond the one running wait in a bounded queue instead of piling up threads.
  return app.queue(default_concurrency_limit=1, max_size=16)


def build_parser(prog: str = "python -m jmer.demo"):
  """Returns the demo's argument parser (jmer.inference.cli_args.demo_parser)."""
  return cli_args.demo_parser(prog)


def main(argv=None, prog: str = "python -m jmer.demo") -> int:
  """Loads the model and serves the demo until interrupted.

  Args:
    argv: the command-line arguments (default: sys.argv[1:]).
    prog: the program name shown in usage and error messages.

  Returns:
    The exit status: 0 after serving, 2 when Gradio is missing or the model cannot be used.
  """
  os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # local tool: no telemetry
  args = cli_args.parse(build_parser(prog), argv)
  from jmer.inference import export
  try:
    import gradio as gr
  except ImportError:
    print("error: the demo needs Gradio: pip install -e .[demo]", file=sys.stderr)
    return 2
  from jmer.inference import predict
  bundle = export.bundle_for_command(args)
  if bundle is None:
    return 2
  examples = []
  if args.examples:
    examples, _ = predict.expand_inputs([pathlib.Path(args.examples).expanduser()])
  # Local fonts only: the default theme fetches Google Fonts, which offline machines lack.
  theme = gr.themes.Default(font=["ui-sans-serif", "system-ui", "sans-serif"],
                            font_mono=["ui-monospace", "monospace"])
  app = build_app(bundle, examples, args.max_upload_mb)
  # quiet and no footer: a local tool needs neither Gradio's public-link hint nor its API,
  # settings and "built with" links; the one line printed is where to open it.
  app.launch(
      server_name=args.host, server_port=args.port, share=False, ssr_mode=False, theme=theme,
      max_file_size=f"{args.max_upload_mb:g}mb",  # the server refuses bigger uploads too
      allowed_paths=[str(pathlib.Path(args.examples).expanduser())] if examples else None,
      quiet=True, footer_links=[], prevent_thread_lock=True)
  print(f"jmer demo: open {app.local_url} in a browser (Ctrl+C stops it)", flush=True)
  app.block_thread()
  return 0


if __name__ == "__main__":
  sys.exit(main())
