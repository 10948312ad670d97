r"""Essentia's five fine-tuned mood networks beside the shipped model: what they cost per clip,
and whether their outputs mean on 4q_dev what Essentia's metadata says.

  nice -n 10 python -m jmer.experiments experiments/mood_networks.py   # after its runs

An analysis (jmer.experiments.analyses) of experiments/mood_networks.py, collected after the
suite's runs in the same invocation (its source, the suite root, is not read: it measures), with
the data under $JMER_DATA and the feature cache the runs filled:

* cost: on `clips` real 4q_dev clips (the first of each quadrant folder, then the second, ...),
  their musicnn log-mel patches as the features cut them (3 s, hop 187 frames, one flush with
  the end), embedded through jmer.data.musicnn_features.embed_patches by the shipped model's
  two networks (MSD- and MTT-musicnn: its own musicnn pass) and by the five mood networks
  (feature `musicnn_moods`), after a warm-up, in `rounds` interleaved rounds in this one
  process. Seconds per clip (median over rounds) and their ratio; log-mel and decoding, which
  both share, are not timed.
* meaning: each clip's mean over frames of its cached `musicnn_moods` feature (frame t holds
  its nearest patch's outputs), by quadrant, and the AUC of the contrasts the class names
  predict (e.g. mood_happy's 'happy' output higher on Q1 than on Q3 clips).
"""

import os
import time

import numpy as np

from jmer.experiments.analyses import definition
from jmer.experiments.formatting import fmt

NAME = "mood_networks"
FEATURE = "musicnn_moods"
SHIPPED_FEATURES = ("musicnn", "musicnn_mtt")
QUADRANTS = ("Q1", "Q2", "Q3", "Q4")
# (output column, quadrant expected higher, quadrant expected lower): Q1 +A+V, Q2 +A-V,
# Q3 -A-V, Q4 -A+V (Russell's quadrants as 4Q labels them).
CONTRASTS = (
    ("mood_happy.happy", "Q1", "Q3"), ("mood_happy.happy", "Q4", "Q3"),
    ("mood_sad.sad", "Q3", "Q1"), ("mood_sad.sad", "Q3", "Q4"),
    ("mood_relaxed.relaxed", "Q4", "Q2"), ("mood_relaxed.relaxed", "Q3", "Q1"),
    ("mood_aggressive.aggressive", "Q2", "Q4"), ("mood_aggressive.aggressive", "Q2", "Q1"),
    ("danceability.danceable", "Q1", "Q3"),
)


def _config():
  from jmer.config import files as config_files
  return config_files.load("configs/real_music.py:moods")


def _quadrant_tracks(config) -> list:
  from jmer.data.datasets import four_quadrants
  return list(four_quadrants.list_tracks(config).tracks)


def cost(config, tracks, clips: int, rounds: int) -> dict:
  """Seconds per clip of the shipped model's two networks and of the five mood networks."""
  from jmer.data import features as features_lib
  from jmer.data import musicnn_features
  from jmer.data import musicnn_input
  params = features_lib.feature_params(config)
  by_quadrant = {q: [t for t in tracks if QUADRANTS[t.quadrant] == q] for q in QUADRANTS}
  chosen = [by_quadrant[q][i] for i in range(clips) for q in QUADRANTS][:clips]
  hop = int(config.features.musicnn_hop_frames)
  patches, seconds_audio = [], []
  for track in chosen:
    log_mel = musicnn_input.load_log_mel(track.path)
    patches.append(musicnn_input.patches(log_mel, hop_frames=hop, flush_end=True))
    seconds_audio.append(len(log_mel) * musicnn_input.HOP_LENGTH / musicnn_input.SAMPLE_RATE)
  arms = {"shipped": [params[f]["network"] for f in SHIPPED_FEATURES],
          "moods": [params[FEATURE]["network"]]}

  def run(arm):
    start = time.perf_counter()
    for p in patches:
      for network in arms[arm]:
        musicnn_features.embed_patches(p, network)
    return time.perf_counter() - start

  for arm in arms:  # warm-up: build, load and compile
    run(arm)
  times = {arm: [] for arm in arms}
  for _ in range(rounds):
    for arm in arms:
      times[arm].append(run(arm) / len(patches))
  median = {arm: float(np.median(t)) for arm, t in times.items()}
  return dict(clips=[t.track_id for t in chosen], patches_per_clip=[len(p) for p in patches],
              audio_seconds_per_clip=float(np.mean(seconds_audio)), rounds=rounds,
              seconds_per_clip=times, median_seconds_per_clip=median,
              ratio_moods_over_shipped=median["moods"] / median["shipped"],
              load_average=list(os.getloadavg()))


def _auc(high: np.ndarray, low: np.ndarray) -> float:
  """P(a clip of `high` scores above one of `low`), ties half (the Mann-Whitney AUC)."""
  diff = high[:, None] - low[None, :]
  return float(((diff > 0).sum() + 0.5 * (diff == 0).sum()) / diff.size)


def meaning(config, tracks) -> dict:
  """Per-quadrant means of each output column over 4q_dev's clips, and the contrasts' AUCs."""
  from jmer.data import features as features_lib
  from jmer.pretrained import mood_networks
  params = {FEATURE: features_lib.feature_params(config)[FEATURE]}
  cache = features_lib.default_cache_root(config)
  columns = list(mood_networks.COLUMNS)
  clip_means = {q: [] for q in QUADRANTS}
  for track in tracks:
    frames = features_lib.load_track_features(track, params, cache)[FEATURE]
    clip_means[QUADRANTS[track.quadrant]].append(frames.astype(np.float64).mean(axis=0))
  arrays = {q: np.array(v) for q, v in clip_means.items()}
  return dict(
      columns=columns, clips={q: len(v) for q, v in arrays.items()},
      means={q: a.mean(axis=0).tolist() for q, a in arrays.items()},
      contrasts=[dict(column=c, high=h, low=lo,
                      auc=_auc(arrays[h][:, columns.index(c)], arrays[lo][:, columns.index(c)]))
                 for c, h, lo in CONTRASTS])


def collect(root=None, clips: int = 8, rounds: int = 3) -> dict:
  """The raw results: the cost measured now, and the outputs' meaning on 4q_dev.

  Args:
    root: the suite root (unused: the analysis measures; it runs after the suite's runs).
    clips: 4q_dev clips timed.
    rounds: interleaved timing rounds.

  Returns:
    {format, generator, cost, meaning}.
  """
  del root
  config = _config()
  tracks = _quadrant_tracks(config)
  return dict(format=1, generator=f"jmer.experiments.analyses.{NAME}",
              cost=cost(config, tracks, clips, rounds), meaning=meaning(config, tracks))


def render(raw: dict) -> str:
  """MOOD_NETWORKS.md from the raw results alone."""
  c, m = raw["cost"], raw["meaning"]
  med = c["median_seconds_per_clip"]
  lines = [
      "# Essentia's fine-tuned mood networks: cost and meaning", "",
      f"Generated by `{raw['generator']}` from `mood_networks.json`.", "",
      "## Cost per clip", "",
      f"{len(c['clips'])} real 4q_dev clips (mean {c['audio_seconds_per_clip']:.1f} s of audio, "
      f"{min(c['patches_per_clip'])}–{max(c['patches_per_clip'])} patches of 3 s each), "
      "embedded in one process after a warm-up, in "
      f"{c['rounds']} interleaved rounds; median seconds per clip over the rounds (decoding "
      "and the log-mel, which both share, not timed). Load average during the measurement "
      f"(1, 5, 15 min): {', '.join(f'{x:.1f}' for x in c['load_average'])} on 2 cores, so the "
      "ratio, not the seconds, is the figure to carry elsewhere.", "",
      "| networks | seconds per clip |", "|---|---|",
      f"| the shipped model's own musicnn pass (MSD- + MTT-musicnn) | {fmt(med['shipped'])} |",
      f"| the five mood networks | {fmt(med['moods'])} |", "",
      f"The five mood networks take **{c['ratio_moods_over_shipped']:.2f}×** the shipped "
      f"model's musicnn pass: {fmt(med['moods'])} s more per clip, making the embedding "
      f"{1 + c['ratio_moods_over_shipped']:.2f}× as long.", "",
      "## What the outputs mean on 4q_dev", "",
      "Each clip's mean over its frames of the cached `musicnn_moods` feature; "
      + ", ".join(f"{q} {n} clips" for q, n in m["clips"].items()) + ". Columns named as "
      "Essentia's metadata lists each network's classes.", "",
      "| output | " + " | ".join(QUADRANTS) + " |", "|---|" + "---|" * len(QUADRANTS)]
  for i, column in enumerate(m["columns"]):
    lines.append(f"| {column} | " + " | ".join(fmt(m["means"][q][i]) for q in QUADRANTS) + " |")
  lines += ["", "AUC of each contrast the class names predict (P(a clip of the first quadrant "
            "scores above one of the second); 0.5 is chance, below it the column means the "
            "opposite):", "", "| output | higher on | than on | AUC |", "|---|---|---|---|"]
  lines += [f"| {x['column']} | {x['high']} | {x['low']} | {fmt(x['auc'])} |"
            for x in m["contrasts"]]
  return "\n".join(lines) + "\n"


ANALYSIS = definition.Analysis(name=NAME, raw_file="mood_networks.json",
                               report_file="MOOD_NETWORKS.md", collect=collect, render=render)
