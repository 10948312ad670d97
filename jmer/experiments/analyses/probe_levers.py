"""Which pretrained networks and clip statistics carry the most: a linear-probe scan of the
recipe's levers on cached embeddings (PROBE_LEVERS.md). Not a training suite: its collect reads
the feature caches (python -m jmer.experiments.analyses probe_levers --source=<data folder>).

A cheap first look, on the *selection* split only (split seed 0; the 5 artist-grouped folds
the jmer runs use, from jmer.data.folds): a standardised logistic regression (class-balanced, L2
strength C) on per-clip statistics of the frozen embeddings of each network the wheel ships
(MSD/MTT musicnn penultimate, MSD/MTT VGG pool5), alone and concatenated. Statistics over a
clip's 3 s patches: mean; mean and max; mean and std; mean and the tag layer's mean (musicnn
only). Scored by macro-F1 per fold. The jmer head candidates the scan points to are then
cross-validated (the levers analysis), and only their split seeds 1-3 are reported as results.
"""

import itertools
import pathlib

import numpy as np

from jmer.experiments import formatting
from jmer.experiments.analyses import definition

NAME = "probe_levers"
NETWORKS = ("musicnn", "musicnn_mtt", "musicnn_vgg", "musicnn_vgg_mtt")
COMBINATIONS = [(n,) for n in NETWORKS] + [
    ("musicnn", "musicnn_mtt"), ("musicnn", "musicnn_vgg"),
    ("musicnn", "musicnn_mtt", "musicnn_vgg"), NETWORKS]
STATISTICS = (("mean",), ("mean", "max"), ("mean", "std"), ("mean", "tags"))
C_VALUES = (0.003, 0.01, 0.03)
SELECTION_SEED, FOLDS = 0, 5
TASKS = ("quadrant", "genre")
HISTORICAL = "experiments/real_music/probe_levers.py"
RECIPE = "configs/real_music.py"


def patch_rows(per_frame: np.ndarray) -> np.ndarray:
  """One row per patch of a cached per-frame embedding (runs of equal rows collapsed)."""
  keep = np.ones(len(per_frame), bool)
  keep[1:] = np.any(per_frame[1:] != per_frame[:-1], axis=1)
  return per_frame[keep].astype(np.float32)


def clip_vector(patches: dict, combination, stats) -> np.ndarray | None:
  """A clip's statistics of its networks' patches, concatenated (None: no such candidate)."""
  from jmer.data import musicnn_features
  parts = []
  for name in combination:
    p = patches[name]
    for s in stats:
      if s == "tags":
        if "vgg" in name:
          return None  # the VGGs' tag layers are not ported: no such candidate
        parts.append(musicnn_features.tag_probabilities(p, musicnn_features.NETWORKS[name])
                     .mean(0))
      else:
        parts.append(getattr(p, s)(0))
  return np.concatenate(parts)


def load(data: pathlib.Path) -> dict:
  """{task: (tracks, labels, fold ids, {track_id: {network: patches}})} of the selection split,
  the tracks of the recipe's data (data.source 'gtzan+4q' under `data`) labelled for the task."""
  from jmer import tasks as tasks_lib
  from jmer.data import features as features_lib
  from jmer.data import folds as folds_lib
  from jmer.data import loading
  from jmer.config import files as config_files
  config = config_files.load(RECIPE, {"data.source": "gtzan+4q", "data.root": str(data),
                                          "features.names": NETWORKS})
  _, _, listings = loading.list_datasets(config)
  params = features_lib.feature_params(config)
  cache = features_lib.default_cache_root(config)
  out = {}
  for task in TASKS:
    tracks = [t for listing in listings.values() for t in listing.tracks
              if tasks_lib.TASKS[task].labelled(t)]
    fold_of = folds_lib.fold_ids(tracks, FOLDS, SELECTION_SEED)
    patches = {t.track_id: {n: patch_rows(a) for n, a in
                            features_lib.load_track_features(t, params, cache).items()}
               for t in tracks}
    labels = [t.quadrant if task == "quadrant" else t.genre for t in tracks]
    out[task] = (tracks, np.array(labels), np.array([fold_of[(t.dataset, t.track_id)]
                                                     for t in tracks]), patches)
  return out


def _fold_scores(x, labels, fold, c) -> list:
  """Macro-F1 of the probe on each fold, trained on the others."""
  from sklearn.linear_model import LogisticRegression
  from sklearn.metrics import f1_score
  from sklearn.pipeline import make_pipeline
  from sklearn.preprocessing import StandardScaler
  scores = []
  for k in range(FOLDS):
    model = make_pipeline(StandardScaler(), LogisticRegression(
        C=c, max_iter=3000, class_weight="balanced"))
    model.fit(x[fold != k], labels[fold != k])
    scores.append(float(f1_score(labels[fold == k], model.predict(x[fold == k]),
                                 average="macro")))
  return scores


def collect(data) -> dict:
  """The scan: every task × network combination × statistics × C, scored per fold.

  Args:
    data: the folder holding gtzan_real/ and 4q_dev/; the four networks' features at patch
      hop 187 must be cached (any run of the recipe with features.names=<network> caches them).

  Returns:
    {generator, protocol, rows: [{task, networks, statistics, C, fold_macro_f1}]}.
  """
  rows = []
  for task, (tracks, labels, fold, patches) in load(pathlib.Path(data).expanduser()).items():
    for combination, stats, c in itertools.product(COMBINATIONS, STATISTICS, C_VALUES):
      vectors = [clip_vector(patches[t.track_id], combination, stats) for t in tracks]
      if vectors[0] is None:
        continue
      scores = _fold_scores(np.stack(vectors), labels, fold, c)
      rows.append(dict(task=task, networks=list(combination), statistics=list(stats), C=c,
                       fold_macro_f1=scores))
      print(f"{task:8s} {'+'.join(combination):48s} {'/'.join(stats):9s} C={c:<5} "
            f"{np.mean(scores):.3f}", flush=True)
  return dict(generator=f"jmer.experiments.analyses.{NAME}",
              protocol=dict(split_seed=SELECTION_SEED, folds=FOLDS, model="StandardScaler + "
                            "LogisticRegression(class_weight='balanced', max_iter=3000)",
                            metric="macro-F1 per fold"), rows=rows)


def render(raw: dict) -> str:
  """PROBE_LEVERS.md from the raw results alone: each cell the best C's folds."""
  lines = ["# Linear-probe scan of the pretrained networks and clip statistics",
           "", f"Generated by `{definition.generator(raw, HISTORICAL)}` from "
           "`probe_levers.json`; selection split (split seed 0, 5 artist-grouped folds) only. "
           "Mean ± SD (ddof 1) of macro-F1 over folds; each cell the best C of "
           f"{', '.join(str(c) for c in C_VALUES)} (so slightly optimistic: C is chosen on these "
           "folds).", ""]
  for task in TASKS:
    stats_names = ["/".join(s) for s in STATISTICS]
    lines += [f"## {task}", "", "| networks | " + " | ".join(stats_names) + " |",
              "|---|" + "---|" * len(stats_names)]
    for combination in COMBINATIONS:
      cells = []
      for stats in STATISTICS:
        found = [r["fold_macro_f1"] for r in raw["rows"] if r["task"] == task and
                 tuple(r["networks"]) == combination and tuple(r["statistics"]) == stats]
        cells.append(formatting.mean_sd_text(max(found, key=np.mean) if found else ()))
      lines.append(f"| {' + '.join(combination)} | " + " | ".join(cells) + " |")
    lines.append("")
  return "\n".join(lines)


ANALYSIS = definition.Analysis(name=NAME, raw_file="probe_levers.json",
                               report_file="PROBE_LEVERS.md", collect=collect, render=render)
