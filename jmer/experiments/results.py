"""Reads a suite root back: the suite record, each run's metrics, predictions and history.

Everything the report says comes from these files; nothing is retrained or recomputed from
audio. Metrics are addressed by a path into metrics.json's "metrics" section.
"""

import collections
import csv
import dataclasses
import json
import math
import pathlib

from jmer.tasks import labels
from jmer import tasks as tasks_lib
from jmer.experiments import task_rows


@dataclasses.dataclass(frozen=True)
class Metric:
  """One reported number: its label, its path in metrics.json's 'metrics', its direction."""
  label: str
  path: tuple
  higher_is_better: bool = True

  @property
  def task(self) -> str:
    """The task the metric belongs to: the first key of its path."""
    return self.path[0]


def _report_order() -> list:
  """The tasks in the order a report lists them: classification tasks, then the others, each
  in task order."""
  return sorted(tasks_lib.TASKS.values(), key=lambda t: t.kind != tasks_lib.CLASSIFICATION)


def report_metrics() -> tuple:
  """Every number a report can show (Metric), for each task (jmer.experiments.task_rows).

  Returns:
    A tuple of Metric, classification tasks first, each task's in its own order.
  """
  return tuple(Metric(label, path, higher) for task in _report_order()
               for label, path, higher, _ in task_rows.rows(task))


def headline() -> tuple:
  """The labels of the metrics suite comparisons test: one family for the multiplicity
  correction.

  Returns:
    A tuple of metric labels, in report order.
  """
  return tuple(label for task in _report_order()
               for label, _, _, is_headline in task_rows.rows(task) if is_headline)


def task_titles() -> dict:
  """{metrics key: title} of the report's per-task tables (jmer.experiments.task_rows).

  Returns:
    A dict from a task's key in metrics.json to the title of its table, in report order.
  """
  return {key: title for task in _report_order()
          for key, title in task_rows.tables(task).items()}


def metrics_by_label() -> dict:
  """{label: Metric} of report_metrics(): computed when called, like the functions above, so
  they always list the registered tasks (tests may register one for their duration).

  Returns:
    A dict from a metric's label to its Metric, in report order.
  """
  return {m.label: m for m in report_metrics()}


@dataclasses.dataclass
class Run:
  """One finished run of a suite: its cell, repeat name, folder and metrics.json."""
  cell: str
  repeat: str
  dir: pathlib.Path
  report: dict  # metrics.json

  def value(self, metric: Metric) -> float | None:
    """The run's value of one metric.

    Args:
      metric: the Metric, addressed by its path in metrics.json's 'metrics'.

    Returns:
      The value as a float, or None when the run does not report it.
    """
    node = self.report.get("metrics", {})
    for key in metric.path:
      if not isinstance(node, dict) or key not in node:
        return None
      node = node[key]
    return float(node)

  def predictions(self) -> list:
    """Returns the rows of the run's test_predictions.csv, as dicts of strings."""
    with open(self.dir / "test_predictions.csv", newline="") as fh:
      return list(csv.DictReader(fh))

  def history(self) -> list:
    """The run's training history.

    Returns:
      One dict per epoch of history.csv, {column: float}, NaN where a value is missing;
      [] when the run has no history.csv.
    """
    path = self.dir / "history.csv"
    if not path.exists():
      return []
    with open(path, newline="") as fh:
      # Keras' CSVLogger writes NA for a metric an epoch lacks (val_loss without a val split).
      return [{k: float(v) if v not in ("", None, "NA") else math.nan for k, v in row.items()}
              for row in csv.DictReader(fh)]


WALL_TIME_FILE = "wall_time.json"  # a run's wall seconds, beside its metrics.json (runner)


def wall_seconds(run_dir) -> float | None:
  """A finished run's wall time as the runner recorded it.

  Args:
    run_dir: the run's folder.

  Returns:
    Its seconds, or None for a run from before the runner recorded them.
  """
  path = pathlib.Path(run_dir) / WALL_TIME_FILE
  return json.loads(path.read_text())["seconds"] if path.exists() else None


def load_suite_record(root) -> dict:
  """The suite record of a suite root.

  Args:
    root: the suite root folder.

  Returns:
    The parsed suite.json.

  Raises:
    FileNotFoundError: root has no suite.json.
  """
  path = pathlib.Path(root) / "suite.json"
  if not path.is_file():
    raise FileNotFoundError(f"{path}: not a suite root (run python -m jmer.experiments first)")
  return json.loads(path.read_text())


def repeat_names(record) -> list:
  """The repeat folder names of a suite.

  Args:
    record: the suite record (suite.json).

  Returns:
    ['<by>_0', '<by>_1', ...], one per repeat, e.g. 'fold_0'; with init seeds (record
    'inits'), 'fold_k/init_i' for each fold and init.
  """
  names = [f"{record['repeats']['by']}_{i}" for i in range(record["repeats"]["n"])]
  inits = record.get("inits") or ()
  return [f"{name}/init_{i}" for name in names for i in inits] if inits else names


def load_runs(root, record) -> dict:
  """{cell: [Run of each finished repeat, in repeat order]}; unfinished repeats are absent.

  Args:
    root: the suite root folder.
    record: its suite record (suite.json).

  Returns:
    A dict from each cell of the record to the Runs that have a metrics.json.
  """
  root = pathlib.Path(root)
  out = {}
  for cell in record["cells"]:
    runs = []
    for name in repeat_names(record):
      path = root / cell / name / "metrics.json"
      if path.is_file():
        runs.append(Run(cell, name, path.parent, json.loads(path.read_text())))
    out[cell] = runs
  return out


def values(runs, metric: Metric) -> dict:
  """{repeat name: value} of the runs that have this metric.

  Args:
    runs: the Runs of one cell.
    metric: the Metric to read.

  Returns:
    A dict from repeat name to the metric's value, without runs lacking it.
  """
  return {r.repeat: r.value(metric) for r in runs if r.value(metric) is not None}


def _float(text):
  return float(text) if text not in ("", None) else math.nan


def pooled_predictions(runs, by: str) -> dict:
  """{(dataset, track_id): per-track prediction} over a cell's repeats.

  Folds test each track once, so their rows are simply joined. Seeds test the same tracks
  several times: a track's class is the majority vote over seeds (ties: the earliest seed's)
  and its arousal/valence the mean, i.e. the cell's consensus prediction.

  Args:
    runs: the Runs of one cell.
    by: how the repeats differ: 'fold' or 'seed'.

  Returns:
    A dict from (dataset, track_id) to {true_/pred_ genre, quadrant, arousal, valence, and
    any other class task's true_/pred_ columns}.

  Raises:
    ValueError: with folds, a track is tested in more than one fold.
  """
  rows = collections.defaultdict(list)
  for run in runs:
    for row in run.predictions():
      rows[(row["dataset"], row["track_id"])].append(row)
  out = {}
  for key, group in rows.items():
    if by == "fold" and len(group) > 1:
      raise ValueError(f"track {key} is tested in {len(group)} folds of {runs[0].cell}")
    first = group[0]
    out[key] = dict(
        true_genre=first["true_genre"], true_quadrant=_true_quadrant(first),
        pred_genre=_vote([g["pred_genre"] for g in group]),
        pred_quadrant=_vote([g.get("pred_quadrant", "") for g in group]),
        true_arousal=_float(first["true_arousal"]), true_valence=_float(first["true_valence"]),
        pred_arousal=_mean([_float(g["pred_arousal"]) for g in group]),
        pred_valence=_mean([_float(g["pred_valence"]) for g in group]))
    for task in tasks_lib.TASKS.values():  # any other class task's true/pred columns
      true, pred = f"true_{task.name}", f"pred_{task.name}"
      if task.kind == tasks_lib.CLASSIFICATION and true not in out[key] and true in first:
        out[key].update({true: first[true], pred: _vote([g.get(pred, "") for g in group])})
  return out


def _true_quadrant(row) -> str:
  if row.get("true_quadrant"):
    return row["true_quadrant"]
  a, v = _float(row["true_arousal"]), _float(row["true_valence"])
  if math.isnan(a) or math.isnan(v):
    return ""
  return labels.QUADRANTS[int(labels.av_quadrant(a, v, 0.0))]


def _vote(items):
  items = [i for i in items if i]
  return collections.Counter(items).most_common(1)[0][0] if items else ""


def _mean(items):
  finite = [x for x in items if not math.isnan(x)]
  return sum(finite) / len(finite) if finite else math.nan
