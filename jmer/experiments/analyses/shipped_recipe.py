"""The shipped real-music recipe's cross-validation: its report (REPORT.md) and the model card's
numbers (docs/model_card.md, between its CARD markers), from one raw file.

Collects a suite whose cells are the recipe's heads: joint (shipped), genre and quadrant (the
single-task heads at equal epochs), genre_matched and quadrant_matched (the single-task heads
at the joint model's optimizer steps) and genre_by_track (GTZAN folds by track), 5 folds per
split seed.

Protocol: split seed 0 is the *selection* split (joint vs single-task heads were compared
there to choose what ships); the reported numbers are split seeds 1–3 (3 × 5 artist-grouped
folds), which played no part in the choice. Comparisons use the corrected resampled t-test
(Nadeau & Bengio 2003; jmer.experiments.significance), macro-F1 primary, "mean ± SD" with the
sample SD over folds, and say "not detected (MDE x)" where the test cannot tell.
"""

import numpy as np

from jmer.experiments import formatting
from jmer.experiments import significance
from jmer.experiments import verdicts
from jmer.experiments.analyses import definition
from jmer.experiments.analyses import suite_runs
from jmer.tasks import labels

NAME = "shipped_recipe"
SELECTION_SEEDS, REPORTED_SEEDS = (0,), (1, 2, 3)
# task -> (label of the data set, class names)
TASKS = {"genre": ("gtzan_real (296 usable clips, 97 artists)", labels.GTZAN_GENRES),
         "quadrant": ("4q_dev (450 clips, 343 artists)", labels.QUADRANTS)}
HEADS = {"joint": "joint (both heads, masked loss): shipped",
         "genre": "genre head alone", "quadrant": "quadrant head alone",
         "genre_matched": "genre head alone, the joint model's optimizer steps",
         "quadrant_matched": "quadrant head alone, the joint model's optimizer steps"}
# The single-task arms at equal epochs (40) and at the joint model's optimizer steps: the joint
# model takes ~37 steps an epoch (GTZAN's ~237 + 4Q's 360 training clips, batch 16), the genre
# head alone ~14 and the quadrant head alone 22, so the matched arms train 105 and 67 epochs.
MATCHED_EPOCHS = {"genre": 105, "quadrant": 67}
BY_TRACK = "genre_by_track"  # the genre head alone, GTZAN folds by track (artists leak)
METRICS = ("macro_f1", "accuracy", "roc_auc_ovr")
CARD_START = "<!-- CARD:start (jmer.experiments.analyses.shipped_recipe) -->"
CARD_END = "<!-- CARD:end -->"
HISTORICAL = "experiments/real_music/summarize.py"


def collect(root) -> dict:
  """The raw results of a suite root whose cells are the recipe's heads.

  Args:
    root: the suite root (cells joint, genre, quadrant, ...; folds; split seeds).

  Returns:
    {format, generator, source, runs: [{heads, seed, fold, tasks: {task: metrics, n_test,
    n_train, confusion}}], predictions: {columns, runs: {"heads/seed/fold": rows}}}.
  """
  out, predictions = [], {}
  for run in suite_runs.fold_runs(root):
    entry = dict(heads=run.cell, seed=run.split_seed, fold=run.fold, tasks={})
    for task in TASKS:
      dataset = run.dataset_of(task)
      if dataset is None:
        continue
      m = run.report["per_dataset"][dataset][task]
      entry["tasks"][task] = dict(
          {k: suite_runs.clean(m.get(k)) for k in METRICS}, n_test=m["n"],
          n_train=run.train_tracks(dataset), confusion=m["confusion_matrix"])
    out.append(entry)
    predictions[f"{run.cell}/{run.split_seed}/{run.fold}"] = [
        [r["dataset"], r["track_id"].split("/")[-1], r["true_genre"] or r["true_quadrant"],
         r["pred_genre"] if r["true_genre"] else r["pred_quadrant"]]
        for r in run.predictions()]
  return dict(format=1, generator=f"jmer.experiments.analyses.{NAME}",
              source=f"the suite runs under {root}", runs=out,
              predictions=dict(columns=["dataset", "clip", "true", "pred"], runs=predictions))


def _values(raw, heads, task, metric, seeds) -> dict:
  """{(seed, fold): value} of one metric."""
  return {(r["seed"], r["fold"]): r["tasks"][task][metric] for r in raw["runs"]
          if r["heads"] == heads and r["seed"] in seeds and task in r["tasks"]
          and r["tasks"][task][metric] is not None}


def _pooled_totals(raw, heads, task, seeds) -> list:
  """Per seed with all 5 folds: their confusion matrices summed."""
  out = []
  for seed in seeds:
    mats = [np.array(r["tasks"][task]["confusion"]) for r in raw["runs"]
            if r["heads"] == heads and r["seed"] == seed and task in r["tasks"]]
    if len(mats) >= 5:
      out.append(sum(mats))
  return out


def pooled_f1(raw, heads, task, seeds) -> list:
  """Macro-F1 of each seed's 5 folds pooled into one confusion matrix (every class present)."""
  out = []
  for total in _pooled_totals(raw, heads, task, seeds):
    tp, rows, cols = np.diag(total), total.sum(1), total.sum(0)
    present = rows > 0
    f1 = 2 * tp[present] / np.maximum(rows[present] + cols[present], 1)
    out.append(float(f1.mean()))
  return out


def _pooled_accuracy(raw, heads, task, seeds) -> list:
  return [float(np.trace(total) / total.sum())
          for total in _pooled_totals(raw, heads, task, seeds)]


def cell(values) -> str:
  """A table cell: mean ± SD over folds, with their number."""
  return formatting.mean_sd_text(values, "(n={n})")


def card_block(raw: dict) -> str:
  """The model card's numbers (docs/model_card.md, between its CARD markers), from raw."""
  rows = ["| task (data, artist-grouped folds) | macro-F1 | accuracy | ROC-AUC | "
          "pooled macro-F1 |", "|---|---|---|---|---|"]
  for task, (data, _) in TASKS.items():
    pooled = pooled_f1(raw, "joint", task, REPORTED_SEEDS)
    rows.append(f"| {task} ({data}) | "
                + " | ".join(cell(_values(raw, "joint", task, m, REPORTED_SEEDS).values())
                             for m in METRICS) + f" | {cell(pooled)} |")
  folds = len({(r["seed"], r["fold"]) for r in raw["runs"]
               if r["heads"] == "joint" and r["seed"] in REPORTED_SEEDS})
  expect = []
  for task, what in (("quadrant", "4Q-like 30 s previews"), ("genre", "the 10 GTZAN genres")):
    mean, sd, _ = significance.mean_sd(list(_values(raw, "joint", task, "macro_f1",
                                                    REPORTED_SEEDS).values()))
    pooled, _, _ = significance.mean_sd(pooled_f1(raw, "joint", task, REPORTED_SEEDS))
    low, high = f"{min(mean, pooled):.2f}", f"{max(mean, pooled):.2f}"
    expect.append(f"- **{task}** ({what}): macro-F1 about "
                  + (low if low == high else f"{low}–{high} (pooled to per-fold mean)")
                  + f", a fold's score varying by about ±{sd:.2f}.")
  return "\n".join([f"Split seeds {', '.join(map(str, REPORTED_SEEDS))} ({folds} folds, none "
                    "used to choose anything), mean ± SD over folds:", ""] + rows
                   + ["", "Expected on songs by artists it has not heard (the claim a larger "
                      "set by other artists can test):", ""] + expect)


def card_text(raw: dict, card: str) -> str:
  """`card` with the block between its markers replaced by card_block(raw).

  Raises:
    ValueError: the card lacks the markers.
  """
  if CARD_START not in card or CARD_END not in card.split(CARD_START, 1)[1]:
    raise ValueError(f"the model card has no block between {CARD_START!r} and {CARD_END!r}")
  head, rest = card.split(CARD_START, 1)
  _, tail = rest.split(CARD_END, 1)
  return f"{head}{CARD_START}\n{card_block(raw)}\n{CARD_END}{tail}"


def _comparison(raw, task, seeds, alone_heads) -> dict | None:
  """The corrected resampled t-test of joint − `alone_heads` on `task`'s macro-F1."""
  runs = [r["tasks"][task] for r in raw["runs"] if r["heads"] == "joint" and r["seed"] in seeds
          and task in r["tasks"]]
  if not runs:
    return None
  t = significance.paired_fold_test(_values(raw, "joint", task, "macro_f1", seeds),
                                    _values(raw, alone_heads, task, "macro_f1", seeds),
                                    n_train=[r["n_train"] for r in runs],
                                    n_test=[r["n_test"] for r in runs])
  return t if t["n"] >= 2 else None


def _comparison_rows(raw, seeds) -> list:
  """Joint − single-task rows at both budgets, Holm over the rows (one question)."""
  tests = [(task, budget, _comparison(raw, task, seeds, heads))
           for task in TASKS for budget, heads in (("equal epochs", task),
                                                   ("equal steps", f"{task}_matched"))]
  tests = [(task, budget, t) for task, budget, t in tests if t is not None]
  rows = []
  for (task, budget, t), p_holm in zip(tests, significance.holm([t["p"] for _, _, t in tests])):
    verdict = verdicts.difference_verdict(t, p_holm, "joint better", "single-task better",
                                          family_size=len(tests))  # MDE at α / m
    rows.append(f"| {task} | {budget} | {formatting.interval_text(t, signed=True)} | "
                f"{formatting.fmt(t['p'])} | {formatting.fmt(p_holm)} | {t['n']} | {verdict} |")
  return rows


def _results_table(raw, seeds) -> list:
  lines = ["| heads | task (data) | macro-F1 | accuracy | ROC-AUC | pooled macro-F1 |",
           "|---|---|---|---|---|---|"]
  for heads, label in HEADS.items():
    for task, (data, _) in TASKS.items():
      if heads not in ("joint", task, f"{task}_matched"):
        continue
      if not _values(raw, heads, task, "macro_f1", seeds):
        continue
      lines.append(f"| {label} | {task} ({data}) | "
                   + " | ".join(cell(_values(raw, heads, task, m, seeds).values())
                                for m in METRICS)
                   + f" | {cell(pooled_f1(raw, heads, task, seeds))} |")
  return lines


def render(raw: dict) -> str:
  """REPORT.md from the raw results alone."""
  lines = ["# The shipped real-music model: cross-validation", "",
           f"Generated by `{definition.generator(raw, HISTORICAL)}` from "
           "`crossval_results.json` (do not edit). Recipe: `configs/real_music.py` (frozen MSD- "
           "and MTT-musicnn embeddings, one pooled branch each, late fusion, genre + quadrant "
           "heads, 40 epochs evaluated at the last, class-balanced genre loss). Folds: 5 per "
           "split seed, grouped by artist on both sets; each dataset keeps its own folds, so "
           "joint and single-task rows of one seed score exactly the same test clips.", "",
           "**Protocol.** Split seed 0 is the selection split: the choices of the recipe "
           "(joint or single-task heads; one pretrained network or two, LEVERS.md) were made "
           "there. The headline is split seeds 1–3 "
           "(15 folds), which played no part in any choice. Cells are mean ± SD (sample SD, "
           "ddof = 1) over folds; macro-F1 averages the classes present in a fold's test "
           "clips. *Pooled* macro-F1 pools a seed's 5 test folds into one confusion matrix "
           "(every class present), then averages over seeds.", ""]
  for title, seeds in (("Reported: split seeds 1–3", REPORTED_SEEDS),
                       ("Selection: split seed 0", SELECTION_SEEDS)):
    lines += [f"## {title}", ""] + _results_table(raw, seeds)
    lines += ["", "Joint − single-task, macro-F1, corrected resampled t-test (95% CI), Holm "
              "over the rows; the single-task head trained for the same 40 epochs, or for the "
              f"joint model's optimizer steps ({MATCHED_EPOCHS['genre']} epochs genre, "
              f"{MATCHED_EPOCHS['quadrant']} quadrant):", "",
              "| task | single-task budget | difference [95% CI] | p | p (Holm) | folds | "
              "verdict |", "|---|---|---|---|---|---|---|"]
    lines += _comparison_rows(raw, seeds) + [""]
  lines += _track_vs_artist(raw, REPORTED_SEEDS)
  lines += _confusions(raw, REPORTED_SEEDS)
  return "\n".join(lines) + "\n"


def _track_vs_artist(raw, seeds) -> list:
  """How much GTZAN folds by track overstate the genre head (the older protocol)."""
  done = [s for s in seeds if len(pooled_f1(raw, BY_TRACK, "genre", (s,))) == 1
          and len(pooled_f1(raw, "genre", "genre", (s,))) == 1]
  if not done:
    return []
  lines = ["## GTZAN folds by track vs by artist (genre head alone)", "",
           "The same 296 usable clips and recipe; only the folds differ: by track (artists can "
           "sit on both sides, the older protocol) or grouped by artist. Each seed's 5 test "
           "folds cover every clip once, so the pooled scores of one seed compare the same "
           f"clips; difference = by track − by artist, per seed (split seeds {done}).", "",
           "| metric | folds by track | folds by artist | difference per seed | mean difference |",
           "|---|---|---|---|---|"]
  for label, fn in (("pooled macro-F1", pooled_f1), ("pooled accuracy", _pooled_accuracy)):
    by_track, by_artist = fn(raw, BY_TRACK, "genre", done), fn(raw, "genre", "genre", done)
    diffs = [a - b for a, b in zip(by_track, by_artist)]
    lines.append(f"| {label} | {cell(by_track)} | {cell(by_artist)} | "
                 + ", ".join(formatting.fmt(d, signed=True) for d in diffs)
                 + f" | {formatting.fmt(np.mean(diffs), signed=True)} |")
  per_fold = _values(raw, BY_TRACK, "genre", "macro_f1", done)
  lines += ["", f"Per-fold macro-F1 with folds by track: {cell(per_fold.values())}. With "
            f"{len(done)} seed(s) this is a measured size, not a test.", ""]
  return lines


def _confusions(raw, seeds) -> list:
  lines = ["## Confusions of the shipped (joint) recipe, split seeds 1–3 pooled", ""]
  for task, (data, names) in TASKS.items():
    mats = [np.array(r["tasks"][task]["confusion"]) for r in raw["runs"]
            if r["heads"] == "joint" and r["seed"] in seeds and task in r["tasks"]]
    if not mats:
      continue
    total = sum(mats)
    lines += [f"**{task}** ({data}; rows true, columns predicted; counts over "
              f"{len(mats)} folds):", "",
              "| | " + " | ".join(names) + " | recall |", "|---" * (len(names) + 2) + "|"]
    for i, name in enumerate(names):
      recall = total[i, i] / total[i].sum() if total[i].sum() else float("nan")
      lines.append(f"| {name} | " + " | ".join(str(int(v)) for v in total[i])
                   + f" | {recall:.2f} |")
    off = [(int(total[i, j] + total[j, i]), names[i], names[j]) for i in range(len(names))
           for j in range(i + 1, len(names))]
    worst = ", ".join(f"{a} ↔ {b} ({n})" for n, a, b in sorted(off, reverse=True)[:3])
    lines += ["", f"Most confused pairs: {worst}.", ""]
  return lines


ANALYSIS = definition.Analysis(
    name=NAME, raw_file="crossval_results.json", report_file="REPORT.md", collect=collect,
    render=render, update_document=card_text, raw_indent=0)
