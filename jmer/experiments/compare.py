"""The comparisons a suite asks for, computed from its raw results (raw_results).

A research question is one experiment of the suite (its title, question and pairs) and one
multiplicity family. For each pair (A, B) and metric both cells report:
- primary metric (PRIMARY, macro-F1 of each classification task, or the question's own
  `primary` subset of them, the rest then secondary): the corrected resampled
  t-test over repeats, Holm-adjusted within the question; its minimum detectable effect is
  computed at α/m (m primary tests in the question: the level the first step of Holm needs);
- secondary metrics (SECONDARY): the same test, unadjusted and outside the Holm family.
Per test track, once per pair and task: McNemar's exact test on pooled predictions (genre,
quadrant; Holm within the question, its own family), and a paired CCC bootstrap for arousal
and valence (secondary, unadjusted).

When the raw results carry a pre-registered smallest effect of interest (suite 'sesoi',
{metric label: margin}), each primary row with a margin also gets the equivalence test: TOST
at ±SESOI on the same corrected t statistic (significance.tost), its p Holm-adjusted within
the question like the difference test's, so "equivalent" and "different" are decided at the
same level.
"""

import math

from jmer.experiments import raw_results
from jmer.experiments import results
from jmer.experiments import significance
from jmer.experiments import suite as suite_lib

ALPHA = significance.ALPHA
POWER = significance.POWER
PRIMARY = suite_lib.PRIMARY_METRICS
SECONDARY = ("genre accuracy", "quadrant accuracy", "arousal CCC", "valence CCC")


def test_train_ratio(raw: dict, runs: list, task: str) -> float:
  """n_test / n_train of the task's folds (0 for repeats by seed: no data is resampled).

  Args:
    raw: the raw-results dict.
    runs: raw run dicts (with n_train / n_test per task in tracks).
    task: the task whose counts to use.

  Returns:
    The ratio for the corrected resampled t-test (significance.correction_ratio).

  Raises:
    ValueError: with folds, no run has the task's n_train and n_test.
  """
  if raw["suite"]["repeats"]["by"] == "seed":
    return 0.0
  counts = [(r["n_train"][task], r["n_test"][task]) for r in runs
            if task in r.get("n_train", {}) and task in r.get("n_test", {})]
  if not counts:
    raise ValueError(f"raw results: no n_train/n_test for task {task!r} in runs of "
                     f"{sorted({r['cell'] for r in runs})}; the corrected t-test needs them")
  return significance.correction_ratio([c[0] for c in counts], [c[1] for c in counts])


def repeat_rows(raw: dict) -> list:
  """One row per (question, pair, metric): the paired test over shared repeats.

  Args:
    raw: the raw-results dict.

  Returns:
    A list of dicts: experiment, a, b, metric, primary, mean_a, mean_b, differences, test,
    wilcoxon, holm_p (NaN for secondary), family_size and mde, in the metric's units.
  """
  runs = raw_results.runs_by_cell(raw)
  rows = []
  for number, experiment in enumerate(raw["suite"]["experiments"], 1):
    primary_labels = question_primary(experiment)
    for a, b in experiment["pairs"]:
      if a not in runs or b not in runs:
        continue
      for label in PRIMARY + SECONDARY:
        va, vb = raw_results.values(runs[a], label), raw_results.values(runs[b], label)
        shared = [k for k in va if k in vb]
        if len(shared) < 2:
          continue
        metric = results.metrics_by_label()[label]
        diffs = [va[k] - vb[k] for k in shared]
        ratio = test_train_ratio(raw, runs[a] + runs[b], metric.task)
        rows.append(dict(experiment=number, a=a, b=b, metric=metric,
                         primary=label in primary_labels,
                         mean_a=sum(va[k] for k in shared) / len(shared),
                         mean_b=sum(vb[k] for k in shared) / len(shared), differences=diffs,
                         test=significance.resampled_t_test(diffs, test_train_ratio=ratio),
                         wilcoxon=significance.wilcoxon_test(diffs)))
  primary = [r for r in rows if r["primary"]]
  for adjusted, row in zip(significance.holm_by_family([r["test"]["p"] for r in primary],
                                                [r["experiment"] for r in primary]), primary):
    row["holm_p"] = adjusted
  for row in rows:
    family = sum(1 for r in primary if r["experiment"] == row["experiment"]
                 and math.isfinite(r["test"]["p"])) if row["primary"] else 1
    row["family_size"] = family
    row.setdefault("holm_p", math.nan)
    row["mde"] = significance.minimum_detectable_effect(row["test"]["se"], row["test"]["df"],
                                                 ALPHA / max(family, 1), POWER)
  add_equivalence(rows, raw["suite"].get("sesoi") or {})
  return rows


def question_primary(experiment: dict) -> tuple:
  """The primary metrics of one question: its own `primary` entry, else PRIMARY."""
  return tuple(experiment.get("primary") or PRIMARY)


def add_equivalence(rows: list, sesoi: dict):
  """Adds 'sesoi', 'tost' and 'tost_holm_p' to the primary rows whose metric has a SESOI.

  TOST's p (the larger of its two one-sided p's) is Holm-adjusted within the question over the
  rows that have one: equivalence is declared when that adjusted p is below ALPHA, the level
  the difference test of the same rows uses.

  Args:
    rows: comparison rows of repeat_rows (modified in place).
    sesoi: {metric label: smallest effect of interest}, e.g. {'genre macro-F1': 0.03}.
  """
  tested = [r for r in rows if r["primary"] and sesoi.get(r["metric"].label)]
  for row in tested:
    t = row["test"]
    row["sesoi"] = float(sesoi[row["metric"].label])
    row["tost"] = significance.tost(t["mean"], t["se"], t["df"], row["sesoi"])
  for adjusted, row in zip(significance.holm_by_family([r["tost"]["p"] for r in tested],
                                                [r["experiment"] for r in tested]), tested):
    row["tost_holm_p"] = adjusted


def _mcnemar_from_predictions(pooled, a, b, task):
  pa, pb = pooled[a], pooled[b]
  keys = [k for k in sorted(set(pa) & set(pb)) if pa[k][f"true_{task}"]
          and pa[k][f"pred_{task}"] and pb[k][f"pred_{task}"]]
  if not keys:
    return None
  return significance.mcnemar([pa[k][f"pred_{task}"] == pa[k][f"true_{task}"] for k in keys],
                       [pb[k][f"pred_{task}"] == pb[k][f"true_{task}"] for k in keys])


def _ccc_bootstrap(pooled, a, b, dim):
  pa, pb = pooled[a], pooled[b]
  keys = [k for k in sorted(set(pa) & set(pb)) if all(math.isfinite(x) for x in (
      pa[k][f"true_{dim}"], pa[k][f"pred_{dim}"], pb[k][f"pred_{dim}"]))]
  if len(keys) < 3:
    return None
  return significance.paired_bootstrap_ccc([pa[k][f"true_{dim}"] for k in keys],
                                    [pa[k][f"pred_{dim}"] for k in keys],
                                    [pb[k][f"pred_{dim}"] for k in keys])


def track_rows(raw: dict) -> list:
  """One row per (question, pair, task): McNemar once per pair and classification task
  (Holm within the question), the CCC bootstrap once per pair and AV dimension (unadjusted).

  Args:
    raw: the raw-results dict.

  Returns:
    A list of dicts: experiment, a, b, task, kind ('mcnemar' or 'ccc_bootstrap'), test and
    holm_p (NaN for the bootstrap).
  """
  cells = raw_results.runs_by_cell(raw)
  pooled = {c: raw_results.pooled_predictions(raw, c) for c in cells}
  legacy = {(c["a"], c["b"], c["task"]): c for c in raw.get("per_track_counts", [])}
  rows = []
  for number, experiment in enumerate(raw["suite"]["experiments"], 1):
    for a, b in experiment["pairs"]:
      if a not in cells or b not in cells:
        continue
      for task in raw_results.CLASS_TASKS:
        test = _mcnemar_from_predictions(pooled, a, b, task)
        if test is None and (a, b, task) in legacy:
          c = legacy[(a, b, task)]
          test = dict(n=c["n"], only_a=c["only_a"], only_b=c["only_b"],
                      p=significance.mcnemar_counts(c["only_a"], c["only_b"]))
        if test is not None:
          rows.append(dict(experiment=number, a=a, b=b, task=task, kind="mcnemar", test=test))
      for dim in ("arousal", "valence"):
        test = _ccc_bootstrap(pooled, a, b, dim)
        if test is not None:
          rows.append(dict(experiment=number, a=a, b=b, task=dim, kind="ccc_bootstrap",
                           test=test))
  mcnemar = [r for r in rows if r["kind"] == "mcnemar"]
  for adjusted, row in zip(significance.holm_by_family([r["test"]["p"] for r in mcnemar],
                                                [r["experiment"] for r in mcnemar]), mcnemar):
    row["holm_p"] = adjusted
  for row in rows:
    row.setdefault("holm_p", math.nan)
  return rows
