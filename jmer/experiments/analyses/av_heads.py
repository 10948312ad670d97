r"""How well Essentia's arousal/valence regressors (DEAM, EmoMusic; jmer/resources/essentia/)
place real clips, beside the AV estimate from the shipped model's quadrant head.

  nice -n 10 python -m jmer.experiments.analyses av_heads ../shared/data \
      --out=experiments/results/av_heads [--option=cache=DIR]

An analysis (jmer.experiments.analyses) whose collect reads the data folder, in two stages:

* embed: for each clip of pmemo_samples/ (4 PMEmo choruses) and 4q_dev/Q1..Q4 (450 4Q clips),
  the per-patch MSD-musicnn pre-ReLU embeddings on the patches `jmer predict` cuts (3 s, every
  187 frames plus one flush with the end: the shipped model's own musicnn feature) and the
  shipped model's quadrant probabilities, one .npz per clip in the cache folder (default: <JMER_CACHE or ~/.cache/jmer>/av_heads) (skipped when there: an interrupted run resumes). Progress goes to stdout;
  the 454 clips took 35 minutes on 2 CPU cores shared with other work.
* collect, then: applies both heads to the cached embeddings (per patch, then the clip mean, as
  `jmer predict` does) and returns the raw results (written as av_heads.json) that render turns into AV_HEADS.md:
  (a) PMEmo's rated arousal/valence (1-9) beside each head's prediction; (b) on 4Q, how often
  the sign of predicted arousal and valence matches the clip's quadrant (Q1 +A+V, Q2 +A-V,
  Q3 -A-V, Q4 -A+V) for DEAM, EmoMusic, their mean and the quadrant-head estimate (optimistic:
  that head was trained on these very clips), and which column of each head is which; (c)
  `jmer predict`'s own arousal/valence on the PMEmo clips against this computation.
"""

import csv
import json
import os
import pathlib
import time

import numpy as np

from jmer import tasks as tasks_lib
from jmer.data import musicnn_features
from jmer.experiments.analyses import definition
from jmer.experiments.formatting import fmt
from jmer.inference import predict as predict_lib
from jmer.pretrained import essentia_heads
from jmer.tasks import labels

PMEMO_IDS = ("108", "372", "634", "683")
QUADRANT_FOLDERS = ("Q1", "Q2", "Q3", "Q4")
# The side of each quadrant on the (arousal, valence) axes: Q1 +A+V, Q2 +A-V, Q3 -A-V, Q4 -A+V.
SIDES = {"Q1": (1, 1), "Q2": (1, -1), "Q3": (-1, -1), "Q4": (-1, 1)}
PRERELU = "penultimate_prerelu"
# The AV sources compared: each Essentia head alone, their mean, and the shipped model's
# quadrant-head estimate (tasks.av_from_quadrant_probabilities).
SOURCES = ("deam", "emomusic", "mean", "quadrant_estimate")
BOOTSTRAP = 2000


def clips(data: pathlib.Path) -> list:
  """(set, clip id, audio path, label) of every clip measured: PMEmo's 4, then 4Q's 450.

  The label is the PMEmo song id or the 4Q quadrant folder ('Q1'..'Q4').
  """
  found = [("pmemo", i, data / "pmemo_samples" / f"{i}.mp3", i) for i in PMEMO_IDS]
  for quadrant in QUADRANT_FOLDERS:
    found += [("4q", p.stem, p, quadrant)
              for p in sorted((data / "4q_dev" / quadrant).glob("*.mp3"))]
  return found


def _embed_one(bundle, path: pathlib.Path) -> dict:
  """The cached entry of one clip: per-patch pre-ReLU embeddings and the shipped prediction."""
  wave = np.concatenate(list(predict_lib.decoded_blocks(path, bundle.meta["sample_rate"],
                                                        source={})))
  result = predict_lib.predict_waves(bundle, [wave], path=path)
  patch_outputs = {PRERELU: None}
  musicnn_features.compute(wave, bundle.params["musicnn"], patch_outputs)
  quadrants = bundle.class_names("quadrant")
  return dict(prerelu=patch_outputs[PRERELU], patch_starts=patch_outputs["patch_starts"],
              quadrant_probabilities=np.array([result["quadrant_probabilities"][q]
                                               for q in quadrants]),
              duration=result["duration_seconds"])


def embed(data: pathlib.Path, cache: pathlib.Path) -> None:
  """The embed stage: one .npz per clip in `cache`, written atomically, existing ones kept."""
  import jmer
  bundle = jmer.load_model().bundle
  cache.mkdir(parents=True, exist_ok=True)
  todo = [c for c in clips(data) if not (cache / f"{c[0]}_{c[1]}.npz").exists()]
  start = time.time()
  print(f"{len(todo)} clips to embed into {cache}", flush=True)
  for n, (subset, clip, path, _) in enumerate(todo, 1):
    entry = _embed_one(bundle, path)
    partial = cache / f"{subset}_{clip}.partial.npz"
    np.savez(partial, **entry)
    partial.rename(cache / f"{subset}_{clip}.npz")
    elapsed = time.time() - start
    print(f"{n}/{len(todo)} {subset} {clip} {elapsed:.0f} s elapsed, "
          f"~{elapsed / n * (len(todo) - n):.0f} s left", flush=True)


def clip_av(entry) -> dict:
  """{source: (arousal, valence) in [-1, 1]} of one cached clip: the heads on every patch, then
  the mean over patches (as jmer predict does), and the quadrant-head estimate."""
  per_head = {h: essentia_heads.load(h).unit_av(entry["prerelu"]).mean(axis=0)
              for h in essentia_heads.HEADS}
  return dict(per_head, mean=np.mean(list(per_head.values()), axis=0),
              quadrant_estimate=np.array(tasks_lib.av_from_quadrant_probabilities(
                  entry["quadrant_probabilities"])))


def _ratings(entry) -> dict:
  """{head: (arousal, valence) on the heads' own rating scale}, means over patches."""
  return {h: essentia_heads.load(h).ratings(entry["prerelu"]).mean(axis=0)
          for h in essentia_heads.HEADS}


def pmemo_rows(data: pathlib.Path, cache: pathlib.Path) -> list:
  """One row per PMEmo clip: its rated arousal/valence (1-9) and each source's prediction."""
  rated = {r["song_id"]: r for r in csv.DictReader(
      (data / "annotations" / "pmemo" / "static_annotations.csv").open())}
  rows = []
  for clip in PMEMO_IDS:
    entry = np.load(cache / f"pmemo_{clip}.npz")
    rating = [float(rated[clip]["arousal_mean"]), float(rated[clip]["valence_mean"])]
    rows.append(dict(
        clip=clip, rated_1_9=rating,
        rated_unit=[round(float(x), 4) for x in labels.rescale_to_unit(rating, 1, 9)],
        rated_quadrant=labels.QUADRANTS[int(labels.av_quadrant(*rating, 5.0))],
        predicted_1_9={h: [round(float(x), 4) for x in v] for h, v in _ratings(entry).items()},
        predicted_unit={k: [round(float(x), 4) for x in v] for k, v in clip_av(entry).items()}))
  return rows


def _bootstrap_ci(hits: np.ndarray) -> list:
  """95% percentile bootstrap interval of the mean of `hits` (one value per clip), resampling
  clips; the same resamples for every call, so intervals of paired differences are paired."""
  rng = np.random.default_rng(0)
  means = hits[rng.integers(0, len(hits), (BOOTSTRAP, len(hits)))].mean(axis=1)
  return [round(float(q), 3) for q in np.percentile(means, [2.5, 97.5])]


def _four_q_predictions(data: pathlib.Path, cache: pathlib.Path) -> tuple:
  """(sides (clips, 2) of +-1, {source: (clips, 2) predicted arousal/valence}) on 4q_dev."""
  sides, predicted = [], {source: [] for source in SOURCES}
  for _, clip, _, quadrant in (c for c in clips(data) if c[0] == "4q"):
    sides.append(SIDES[quadrant])
    for source, av in clip_av(np.load(cache / f"4q_{clip}.npz")).items():
      predicted[source].append(av)
  return np.array(sides), {k: np.array(v) for k, v in predicted.items()}


def four_q_agreement(data: pathlib.Path, cache: pathlib.Path) -> dict:
  """Per source: how often the signs of predicted arousal and valence match the clip's
  quadrant sides on 4q_dev (with bootstrap CIs, the paired difference from DEAM and the
  threshold-free AUC), and which converted column tracks which side."""
  sides, predicted = _four_q_predictions(data, cache)
  hits = {source: np.sign(values) == sides for source, values in predicted.items()}
  out = dict(clips=len(sides), sources={}, columns=_column_check(predicted, sides),
             per_quadrant={q: int((sides == s).all(axis=1).sum()) for q, s in SIDES.items()})
  for source, hit in hits.items():
    row = {}
    for axis, name in enumerate(("arousal", "valence")):
      row[name] = round(float(hit[:, axis].mean()), 3)
      row[f"{name}_ci"] = _bootstrap_ci(hit[:, axis].astype(float))
      row[f"{name}_minus_deam_ci"] = (None if source == "deam" else _bootstrap_ci(
          hit[:, axis].astype(float) - hits["deam"][:, axis]))
      row[f"{name}_auc"] = round(_auc(predicted[source][:, axis], sides[:, axis] > 0), 3)
      row[f"{name}_mean_prediction"] = round(float(predicted[source][:, axis].mean()), 3)
    row["quadrant"] = round(float(hit.all(axis=1).mean()), 3)
    out["sources"][source] = row
  return out


def _auc(scores: np.ndarray, positive: np.ndarray) -> float:
  """ROC AUC of `scores` for the positive side: threshold-free, so a head's bias does not
  count (Mann-Whitney U over all pairs, ties half)."""
  pos, neg = scores[positive], scores[~positive]
  greater = (pos[:, None] > neg[None, :]).sum() + 0.5 * (pos[:, None] == neg[None, :]).sum()
  return float(greater / (len(pos) * len(neg)))


def _column_check(predicted: dict, sides: np.ndarray) -> dict:
  """Which output tracks what: each head's two converted columns against the arousal side and
  the valence side (AUC), and against the valence side among clips of one arousal side (Q1 vs
  Q2, Q4 vs Q3), where arousal cannot stand in for valence. A swapped column order would show
  its 'valence' column matching the arousal side and its 'arousal' column the valence side."""
  high, low = sides[:, 0] > 0, sides[:, 0] < 0
  checks = {"arousal_side": (slice(None), 0), "valence_side": (slice(None), 1),
            "valence_side_high_arousal": (high, 1), "valence_side_low_arousal": (low, 1)}
  return {head: {column: {name: round(_auc(np.array(predicted[head])[rows, c],
                                           sides[rows, side] > 0), 3)
                          for name, (rows, side) in checks.items()}
                 for c, column in enumerate(essentia_heads.COLUMNS)}
          for head in essentia_heads.HEADS}


def predict_check(data: pathlib.Path, cache: pathlib.Path) -> dict:
  """`jmer predict`'s own arousal/valence on the PMEmo clips against the cached computation of
  the regressor it uses (av_regressor.HEADS): the largest difference, and its av_source."""
  import jmer
  from jmer.inference import av_regressor
  bundle = jmer.load_model().bundle
  largest, source = 0.0, None
  for clip in PMEMO_IDS:
    result = predict_lib.predict_file(bundle, data / "pmemo_samples" / f"{clip}.mp3")
    entry = np.load(cache / f"pmemo_{clip}.npz")
    expected = essentia_heads.unit_av(entry["prerelu"], av_regressor.HEADS).mean(axis=0)
    largest = max(largest, float(np.abs(np.array([result["arousal"], result["valence"]])
                                        - expected).max()))
    source = result["av_source"]
  return dict(heads=list(av_regressor.HEADS), av_source=source,
              largest_difference=round(largest, 6))


def collect(data, cache=None) -> dict:
  """The raw results: embeds what is not cached yet, then measures both heads.

  Args:
    data: the folder holding pmemo_samples/, annotations/pmemo/ and 4q_dev/.
    cache: where the per-clip embeddings go (default: <JMER_CACHE or ~/.cache/jmer>/av_heads);
      an interrupted collect resumes from it.

  Returns:
    The raw dict (PMEmo rows, 4Q sign agreement, predict's own check).
  """
  data = pathlib.Path(data).expanduser()
  cache = pathlib.Path(cache or pathlib.Path(
      os.environ.get("JMER_CACHE", "~/.cache/jmer")) / "av_heads").expanduser()
  embed(data, cache)
  return dict(
      generator="jmer.experiments.analyses.av_heads", scale="[-1, 1]: (rating - 5) / 4, "
      "clipped (jmer.pretrained.essentia_heads.to_unit); sign agreement thresholds at 0",
      patches="3 s MSD-musicnn patches every 187 frames plus one flush with the end (the "
      "shipped model's own musicnn feature); a clip's value is the mean over its patches",
      pmemo=pmemo_rows(data, cache), four_q=four_q_agreement(data, cache),
      predict_check=predict_check(data, cache))


def _pair(values) -> str:
  return f"{fmt(values[0], 2, signed=True)}, {fmt(values[1], 2, signed=True)}"


def _pmemo_table(rows: list) -> list:
  lines = ["| clip | rated A, V (1-9) | rated A, V (unit) | DEAM A, V (unit) | EmoMusic A, V "
           "(unit) | mean of both | quadrant-head estimate |", "|---|---|---|---|---|---|---|"]
  for r in rows:
    unit = r["predicted_unit"]
    lines.append(f"| {r['clip']} ({r['rated_quadrant']}) | {r['rated_1_9'][0]:.1f}, "
                 f"{r['rated_1_9'][1]:.1f} | {_pair(r['rated_unit'])} | {_pair(unit['deam'])} | "
                 f"{_pair(unit['emomusic'])} | {_pair(unit['mean'])} | "
                 f"{_pair(unit['quadrant_estimate'])} |")
  return lines


def _four_q_table(four_q: dict) -> list:
  lines = ["| source | arousal side [95% CI] | valence side [95% CI] | both (quadrant) | "
           "AUC arousal | AUC valence | mean predicted A, V |", "|---|---|---|---|---|---|---|"]
  for source, r in four_q["sources"].items():
    ci = lambda name: f"{fmt(r[name])} [{fmt(r[name + '_ci'][0])}, {fmt(r[name + '_ci'][1])}]"
    lines.append(f"| {source} | {ci('arousal')} | {ci('valence')} | {fmt(r['quadrant'])} | "
                 f"{fmt(r['arousal_auc'])} | {fmt(r['valence_auc'])} | "
                 f"{_pair([r['arousal_mean_prediction'], r['valence_mean_prediction']])} |")
  return lines


def render(results: dict) -> str:
  """AV_HEADS.md: the tables of av_heads.json, generated.

  Args:
    results: the raw results (collect).

  Returns:
    The report's Markdown.
  """
  four_q, check = results["four_q"], results["predict_check"]
  diffs = [f"- {source} minus DEAM: arousal {r['arousal_minus_deam_ci']}, valence "
           f"{r['valence_minus_deam_ci']} (95% paired bootstrap CIs)"
           for source, r in four_q["sources"].items() if source != "deam"]
  columns = ["| head | column | arousal side | valence side | valence side, high-arousal "
             "clips (Q1 vs Q2) | valence side, low-arousal clips (Q4 vs Q3) |",
             "|---|---|---|---|---|---|"] + [
      f"| {head} | {c} | {v['arousal_side']:.3f} | {v['valence_side']:.3f} | "
      f"{v['valence_side_high_arousal']:.3f} | {v['valence_side_low_arousal']:.3f} |"
      for head, cols in four_q["columns"].items() for c, v in cols.items()]
  return "\n".join([
      "# Essentia's arousal/valence regressors on real clips",
      "", f"Generated by `{definition.generator(results, results.get('script', ''))}` (raw "
      "numbers: `av_heads.json`); do not edit.",
      f"Scale: {results['scale']}. Patches: {results['patches']}.",
      "", "## (a) PMEmo: 4 rated choruses (one per quadrant)", "", *_pmemo_table(results["pmemo"]),
      "", f"## (b) 4q_dev: sign agreement with the quadrant's sides ({four_q['clips']} clips: "
      + ", ".join(f"{q} {n}" for q, n in four_q["per_quadrant"].items()) + ")", "",
      "The quadrant-head estimate comes from the shipped model's quadrant head, which was "
      "trained on these very clips: its agreement is optimistic (training data), not a held-out "
      "score. The Essentia heads never saw 4Q.", "", *_four_q_table(four_q), "", *diffs,
      "", "## Which column is arousal", "",
      "AUC of each converted output column against each side of the quadrant (1 = perfect, "
      "0.5 = none, below 0.5 = the opposite). The column order written by "
      "`tools/convert_essentia_heads.py` is right when each head's 'arousal' column tracks the "
      "arousal side best and its 'valence' column the valence side, above all among clips of "
      "one arousal side.", "", *columns,
      "", "## What jmer predict reports", "",
      f"`jmer predict` uses {' + '.join(check['heads'])} (av_source '{check['av_source']}'); on "
      f"the 4 PMEmo clips its arousal/valence differ from this script's computation by at most "
      f"{check['largest_difference']:g}.", ""])


ANALYSIS = definition.Analysis(name="av_heads", raw_file="av_heads.json",
                               report_file="AV_HEADS.md", collect=collect, render=render)
