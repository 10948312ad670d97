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

from jmer import labels


@dataclasses.dataclass(frozen=True)
class Metric:
  """One reported number: its label, its path in metrics.json's 'metrics', its direction."""
  label: str
  path: tuple
  higher_is_better: bool = True

  @property
  def task(self) -> str:
    return self.path[0]


METRICS = (
    Metric("genre accuracy", ("genre", "accuracy")),
    Metric("genre macro-F1", ("genre", "macro_f1")),
    Metric("genre ROC-AUC", ("genre", "roc_auc_ovr")),
    Metric("quadrant accuracy", ("quadrant", "accuracy")),
    Metric("quadrant macro-F1", ("quadrant", "macro_f1")),
    Metric("quadrant ROC-AUC", ("quadrant", "roc_auc_ovr")),
    Metric("arousal CCC", ("emotion_av", "arousal", "ccc")),
    Metric("arousal RMSE", ("emotion_av", "arousal", "rmse"), False),
    Metric("arousal r", ("emotion_av", "arousal", "pearson_r")),
    Metric("arousal R²", ("emotion_av", "arousal", "r2")),
    Metric("valence CCC", ("emotion_av", "valence", "ccc")),
    Metric("valence RMSE", ("emotion_av", "valence", "rmse"), False),
    Metric("valence r", ("emotion_av", "valence", "pearson_r")),
    Metric("valence R²", ("emotion_av", "valence", "r2")),
)
BY_LABEL = {m.label: m for m in METRICS}
# The comparisons' tested metrics: one family for the multiplicity correction.
HEADLINE = ("genre accuracy", "genre macro-F1", "quadrant macro-F1", "arousal CCC",
            "valence CCC")
TASK_TITLES = {"genre": "Genre", "quadrant": "Emotion quadrant (quadrant head)",
               "emotion_av": "Arousal–valence regression"}


@dataclasses.dataclass
class Run:
  cell: str
  repeat: str
  dir: pathlib.Path
  report: dict  # metrics.json

  def value(self, metric: Metric) -> float | None:
    node = self.report.get("metrics", {})
    for key in metric.path:
      if not isinstance(node, dict) or key not in node:
        return None
      node = node[key]
    return float(node)

  def predictions(self) -> list:
    with open(self.dir / "test_predictions.csv", newline="") as fh:
      return list(csv.DictReader(fh))

  def history(self) -> list:
    path = self.dir / "history.csv"
    if not path.exists():
      return []
    with open(path, newline="") as fh:
      # Keras' CSVLogger writes NA for a metric an epoch lacks (val_loss without a val split).
      return [{k: float(v) if v not in ("", None, "NA") else math.nan for k, v in row.items()}
              for row in csv.DictReader(fh)]


def load_suite_record(root) -> dict:
  path = pathlib.Path(root) / "suite.json"
  if not path.is_file():
    raise FileNotFoundError(f"{path}: not a suite root (run python -m jmer.experiments first)")
  return json.loads(path.read_text())


def repeat_names(record) -> list:
  return [f"{record['repeats']['by']}_{i}" for i in range(record["repeats"]["n"])]


def load_runs(root, record) -> dict:
  """{cell: [Run of each finished repeat, in repeat order]}; unfinished repeats are absent."""
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
  """{repeat name: value} of the runs that have this metric."""
  return {r.repeat: r.value(metric) for r in runs if r.value(metric) is not None}


def metrics_of(runs_by_cell) -> list:
  """The METRICS that at least one run reports, in METRICS order."""
  return [m for m in METRICS
          if any(r.value(m) is not None for runs in runs_by_cell.values() for r in runs)]


def _float(text):
  return float(text) if text not in ("", None) else math.nan


def pooled_predictions(runs, by: str) -> dict:
  """{(dataset, track_id): per-track prediction} over a cell's repeats.

  Folds test each track once, so their rows are simply joined. Seeds test the same tracks
  several times: a track's class is the majority vote over seeds (ties: the earliest seed's)
  and its arousal/valence the mean, i.e. the cell's consensus prediction.
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
