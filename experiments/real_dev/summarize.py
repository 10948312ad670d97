r"""The "Results on real music" table from the fold runs of run_table.sh, finished or not.

  PYTHONPATH=. nice python experiments/real_dev/summarize.py [--root=runs/real_dev] [--baseline]

For every row it averages the folds that have finished (mean ± population std, and how many
folds), per dataset, so a joint run's genre and quadrant numbers sit beside the single-task
rows. It checks that each dataset's test tracks in a joint fold are the single-task fold's.
--baseline also fits the linear MFCC baseline on all 5 folds of each dataset directly (no network
training: it only needs the cached log-mel), since a fold's metrics.json appears only once its
network has trained.
"""

import argparse
import csv
import json
import pathlib

import ml_collections
import numpy as np

from jmer.data import loading
from jmer.evaluation import baseline as baseline_lib
from jmer.training import crossval

# Headline metrics per dataset of the table: (task key, metric) pairs.
COLUMNS = {"manifest": (("genre", "accuracy"), ("genre", "macro_f1")),
           "folder": (("quadrant", "macro_f1"), ("quadrant", "roc_auc_ovr"))}


def fold_dirs(row: pathlib.Path) -> list:
  """The row's finished folds (a metrics.json written), in fold order."""
  return sorted((d for d in row.glob("fold_*") if (d / "metrics.json").is_file()),
                key=lambda d: int(d.name.split("_")[1]))


def cell(values) -> str:
  """'mean ± std' over folds, the std over folds as in crossval.json (population, ddof=0)."""
  values = np.asarray(values, float)
  values = values[~np.isnan(values)]
  return f"{values.mean():.3f} ± {values.std():.3f}" if values.size else "–"


def row_cells(row: pathlib.Path, key: str = "per_dataset") -> dict:
  """{dataset: (cells, folds)} of one row, over its finished folds: the network's per-dataset
  metrics (key='per_dataset') or the linear baseline's (key='baseline_mfcc_linear'; its genre
  and quadrant tracks come from one dataset each here)."""
  per_fold = [json.loads((d / "metrics.json").read_text()) for d in fold_dirs(row)]
  out = {}
  for dataset, columns in COLUMNS.items():
    runs = [m[key].get(dataset, {}) if key == "per_dataset" else m[key] for m in per_fold]
    runs = [r for r in runs if all(task in r for task, _ in columns)]
    if runs:
      out[dataset] = ([cell([r[task][metric] for r in runs]) for task, metric in columns],
                      len(runs))
  return out


def test_tracks(fold: pathlib.Path, dataset: str) -> set:
  with (fold / "test_predictions.csv").open(newline="") as handle:
    return {r["track_id"] for r in csv.DictReader(handle) if r["dataset"] == dataset}


def same_test_tracks(joint: pathlib.Path, single: dict) -> list:
  """['dataset fold k: same|DIFFERENT'] for every finished fold in both the joint and a
  single-task row."""
  out = []
  for fold in fold_dirs(joint):
    for dataset, row in single.items():
      other = row / fold.name
      if (other / "metrics.json").is_file():
        same = test_tracks(fold, dataset) == test_tracks(other, dataset)
        out.append(f"{dataset} {fold.name}: {'same' if same else 'DIFFERENT'}")
  return out


def baseline_all_folds(row: pathlib.Path) -> dict:
  """The linear MFCC baseline on all folds of a row's config (from its config.json)."""
  config = ml_collections.ConfigDict(json.loads((row / "config.json").read_text()))
  metrics = []
  for k in range(config.eval.folds):
    fold = crossval.fold_config(config, k)
    data = loading.load_run_data(fold, progress=False)
    metrics.append(baseline_lib.mfcc_baseline(data, fold))
  return {dataset: ([cell([m[t][metric] for m in metrics]) for t, metric in columns], len(metrics))
          for dataset, columns in COLUMNS.items() if all(t in metrics[0] for t, _ in columns)}


def main():
  parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
  parser.add_argument("--root", type=pathlib.Path, default=pathlib.Path("runs/real_dev"))
  parser.add_argument("--baseline", action="store_true",
                      help="fit the linear baseline on all 5 folds of gtzan_crnn and 4q_crnn")
  args = parser.parse_args()
  print("| row | gtzan_real acc | gtzan_real macro-F1 | 4q_dev macro-F1 | 4q_dev ROC-AUC |")
  print("|---|---|---|---|---|")
  rows = sorted(d for d in args.root.iterdir() if (d / "config.json").is_file())
  for row in rows:
    for label, cells in ((row.name, row_cells(row)),
                         (f"{row.name}: baseline on its finished folds",
                          row_cells(row, "baseline_mfcc_linear"))):
      g, q = cells.get("manifest"), cells.get("folder")
      if g or q:
        text = lambda c: " | ".join(c[0]) + f" ({c[1]} folds)" if c else "– | –"
        print(f"| {label} | {text(g)} | {text(q)} |")
  if args.baseline:
    for name in ("gtzan_crnn", "4q_crnn"):
      if (args.root / name / "config.json").is_file():
        print(f"baseline, all folds of {name}: {baseline_all_folds(args.root / name)}")
  joint = args.root / "joint_crnn"
  if joint.is_dir():
    single = {"manifest": args.root / "gtzan_crnn", "folder": args.root / "4q_crnn"}
    print("joint vs single-task test tracks:", "; ".join(same_test_tracks(joint, single)))
    print(joint_vs_single(joint, single))


def joint_vs_single(joint: pathlib.Path, single: dict) -> str:
  """Per fold finished by both: each dataset's metrics in the joint run and in its single-task
  run (and the linear baseline of the single-task run), as Markdown rows."""
  lines = ["| dataset | fold | metric | single-task | joint | linear baseline |",
           "|---|---|---|---|---|---|"]
  for fold in fold_dirs(joint):
    joint_m = json.loads((fold / "metrics.json").read_text())
    for dataset, row in single.items():
      if not (row / fold.name / "metrics.json").is_file():
        continue
      single_m = json.loads((row / fold.name / "metrics.json").read_text())
      for task, metric in COLUMNS[dataset]:
        values = (single_m["per_dataset"][dataset][task][metric],
                  joint_m["per_dataset"][dataset][task][metric],
                  single_m["baseline_mfcc_linear"][task][metric])
        lines.append(f"| {dataset} | {fold.name} | {task} {metric} | "
                     + " | ".join(f"{v:.3f}" for v in values) + " |")
  return "\n".join(lines)


if __name__ == "__main__":
  main()
