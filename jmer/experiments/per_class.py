"""Per-class F1 differences between the two cells of a pair, with confidence intervals.

A macro-F1 difference can hide a class that gains and one that loses. For each class task of a
pair, each class's F1 is taken per fold (the mean over its init seeds) on the folds whose test
set holds that class (a class absent from a fold's test clips has no F1 there, only a 0 that
says nothing), and the paired differences get the same corrected resampled t interval as the
macro-F1 test. Descriptive: these are many intervals, none Holm-adjusted, and no verdict rests
on them; a class in few folds gets a wide interval or none.
"""

import math

from jmer.experiments import compare
from jmer.experiments import raw_results
from jmer.experiments import significance

CLASS_TASKS = ("genre", "quadrant")


def _per_fold_class_f1(runs: list, task: str) -> dict:
  """{(split seed, fold): {class: mean F1 over inits}} for the classes in the fold's test set."""
  groups = {}
  for run in runs:
    confusion = run.get("confusion", {}).get(task)
    f1 = run.get("per_class_f1", {}).get(task)
    if not confusion or not f1:
      continue
    present = {c for c, row in zip(confusion["classes"], confusion["matrix"]) if sum(row) > 0}
    fold = (run["split_seed"], run["repeat"].split("/")[0])
    for cls in present:
      if f1.get(cls) is not None:
        groups.setdefault(fold, {}).setdefault(cls, []).append(f1[cls])
  return {fold: {c: sum(v) / len(v) for c, v in per.items()} for fold, per in groups.items()}


def class_differences(raw: dict, a: str, b: str, task: str) -> list:
  """[(class, test dict)]: cell a − cell b per class, over the folds holding that class.

  Args:
    raw: the raw-results dict.
    a, b: the pair's cells.
    task: 'genre' or 'quadrant'.

  Returns:
    One (class, significance.resampled_t_test result) per class both cells have on ≥ 2
    shared folds, in the confusion matrix's class order; [] if either cell lacks the task.
  """
  runs = raw_results.runs_by_cell(raw)
  if a not in runs or b not in runs:
    return []
  fa, fb = _per_fold_class_f1(runs[a], task), _per_fold_class_f1(runs[b], task)
  if not fa or not fb:
    return []
  ratio = compare.test_train_ratio(raw, runs[a] + runs[b], task)
  classes = next(r["confusion"][task]["classes"] for r in runs[a] if task in r.get("confusion", {}))
  out = []
  for cls in classes:
    diffs = [fa[f][cls] - fb[f][cls] for f in fa if f in fb and cls in fa[f] and cls in fb[f]]
    if len(diffs) >= 2:
      out.append((cls, significance.resampled_t_test(diffs, test_train_ratio=ratio)))
  return out


def section_lines(raw: dict, pairs) -> list:
  """Markdown: one table per class task, a row per pair, a column per class: 'A − B [CI]'.

  Args:
    raw: the raw-results dict.
    pairs: the (a, b) pairs of one experiment.

  Returns:
    Markdown lines (with a blank line after each table), [] when no pair has per-class F1.
  """
  lines = []
  for task in CLASS_TASKS:
    rows = [(a, b, class_differences(raw, a, b, task)) for a, b in pairs]
    rows = [r for r in rows if r[2]]
    if not rows:
      continue
    classes = [c for c, _ in max((r[2] for r in rows), key=len)]
    lines += [f"Per-class {task} F1, A − B per fold (mean over inits) with its corrected 95% "
              "CI, over the folds whose test set holds the class (descriptive, unadjusted):",
              "", "| pair | " + " | ".join(classes) + " |", "|---|" + "---|" * len(classes)]
    for a, b, diffs in rows:
      by_class = dict(diffs)
      lines.append(f"| `{a}` − `{b}` | " + " | ".join(
          _interval(by_class.get(c)) for c in classes) + " |")
    lines.append("")
  return lines


def _interval(test) -> str:
  if test is None or not math.isfinite(test["mean"]):
    return "–"
  if not math.isfinite(test["ci_low"]):
    return f"{test['mean']:+.2f}"
  return f"{test['mean']:+.2f} [{test['ci_low']:+.2f}, {test['ci_high']:+.2f}]"
