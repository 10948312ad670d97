"""Macro-F1 over every class, from a cell's test predictions pooled over the folds.

Artist-grouped folds of a few hundred clips leave some genres out of some folds' test sets, so
a per-fold macro-F1 averages over whichever classes a fold holds. Joining the k folds of one
split seed and init (every clip is tested exactly once) gives one macro-F1 over all classes:
the number a user of a model trained this way would see. Reports of suites with init seeds show
it beside the per-fold metric as a secondary number (the pre-registrations say why it is not
the primary one: one value per split seed and init pairs too few units for a test).
"""

import math

from sklearn.metrics import f1_score

from jmer.experiments import significance


def task_classes(raw: dict, task: str) -> list:
  """Every true label of `task` over all of the raw file's prediction rows, sorted: the data's
  whole vocabulary ([] when the predictions have no such column)."""
  predictions = raw.get("predictions", {})
  columns = predictions.get("columns", ())
  if f"true_{task}" not in columns:
    return []
  at = columns.index(f"true_{task}")
  return sorted({r[at] for rows in predictions.get("runs", {}).values() for r in rows
                 if r[at] not in (None, "")})


def pooled_macro_f1(raw: dict, cell: str, task: str) -> dict:
  """{(split seed, init): macro-F1 over all classes} of one cell's pooled test predictions.

  Args:
    raw: the raw-results dict (jmer.experiments.raw_results).
    cell: the cell's name.
    task: 'genre' or 'quadrant' (the true_<task> / pred_<task> prediction columns).

  Returns:
    One value per split seed and init that has predictions for the task; the classes are every
    true label of the task over all of the raw file's runs (the data's whole vocabulary).
  """
  labels = task_classes(raw, task)
  if not labels:
    return {}
  predictions = raw["predictions"]
  columns = predictions["columns"]
  true_at, pred_at = columns.index(f"true_{task}"), columns.index(f"pred_{task}")
  groups = {}
  for key, rows in predictions.get("runs", {}).items():
    parts = key.split("/")
    labelled = [(r[true_at], r[pred_at]) for r in rows if r[true_at] not in (None, "")]
    if parts[0] != cell or not labelled:
      continue
    init = next((p for p in parts[2:] if p.startswith("init_")), "")
    groups.setdefault((int(parts[1]), init), []).extend(labelled)
  return {unit: float(f1_score([t for t, _ in rows], [p for _, p in rows], labels=labels,
                               average="macro", zero_division=0))
          for unit, rows in sorted(groups.items())}


def _mean_sd(values, sign: bool = False) -> str:
  """'mean ± SD' to 3 decimals; the mean alone for one value."""
  mean, sd, _ = significance.mean_sd(values)
  text = f"{mean:+.3f}" if sign else f"{mean:.3f}"
  return text if math.isnan(sd) else f"{text} ± {sd:.3f}"


def section_lines(raw: dict, task: str, cells, pairs) -> list:
  """Markdown: each cell's pooled all-class macro-F1 (mean ± SD over split seeds × inits) and
  each pair's mean difference over the same units; [] when no cell has predictions.

  Args:
    raw: the raw-results dict.
    task: the class task.
    cells: the cells to list, in order.
    pairs: (a, b) cell pairs whose differences to list (those of the suite's experiments).

  Returns:
    Markdown lines ending in a blank line.
  """
  scores = {c: pooled_macro_f1(raw, c, task) for c in cells}
  scores = {c: s for c, s in scores.items() if s}
  if not scores:
    return []
  lines = [f"Secondary: {task} macro-F1 over all {len(task_classes(raw, task))} classes, the test predictions of "
           "each split seed's folds pooled (every clip once), per init; mean ± SD over split "
           "seeds × inits (no test: too few units).", "",
           "| cell | pooled macro-F1 | units |", "|---|---|---|"]
  for cell, values in scores.items():
    lines.append(f"| `{cell}` | {_mean_sd(list(values.values()))} | {len(values)} |")
  diffs = []
  for a, b in pairs:
    shared = sorted(set(scores.get(a, {})) & set(scores.get(b, {})))
    if shared:
      d = [scores[a][u] - scores[b][u] for u in shared]
      diffs.append(f"| `{a}` − `{b}` | {_mean_sd(d, sign=True)} | {len(d)} |")
  if diffs:
    lines += ["", "| pair | pooled difference | units |", "|---|---|---|"] + diffs
  return lines + [""]


def init_means_lines(raw: dict, task: str, cells) -> list:
  """Markdown: each cell's macro-F1 of `task` averaged over the folds, one column per init seed:
  how far initialisation alone moves a cross-validated mean.

  Args:
    raw: the raw-results dict.
    task: the class task.
    cells: the cells to list, in order.

  Returns:
    Markdown lines ending in a blank line; [] when no cell has two init seeds.
  """
  label = f"{task} macro-F1"
  means = {}
  for run in raw["runs"]:
    value = run.get("metrics", {}).get(label)
    if run["cell"] in cells and run.get("init") is not None and value is not None \
        and math.isfinite(value):
      means.setdefault(run["cell"], {}).setdefault(run["init"], []).append(value)
  means = {c: means[c] for c in cells if len(means.get(c, {})) > 1}
  if not means:
    return []
  inits = sorted({i for per in means.values() for i in per})
  lines = [f"{task} macro-F1 per init seed, the mean over the folds (how far the initialisation "
           "alone moves a cross-validated mean):", "",
           "| cell | " + " | ".join(f"init {i}" for i in inits) + " |",
           "|---|" + "---|" * len(inits)]
  for cell, per in means.items():
    lines.append(f"| `{cell}` | " + " | ".join(
        f"{sum(per[i]) / len(per[i]):.3f}" if i in per else "–" for i in inits) + " |")
  return lines + [""]
