"""k-fold cross-validation by track: one ordinary run per fold, then mean ± std over the folds.

Small collections are usually evaluated this way. Fold k's run lives in `workdir/fold_<k>` and is
a normal run (resumable, with its own metrics.json and figures) whose config says `eval.fold = k`:
load_run_data then makes fold k the test set and carves the validation set from the other
folds (data.val_fraction of them). The folds are seeded and stratified (jmer.data.folds).
Writes `workdir/crossval.json`: per-fold metrics, their mean and std, and pooled confusion
matrices (the sum over folds: every track is tested exactly once).
"""

import math
import pathlib

import numpy as np

from jmer.config import provenance
from jmer import config as config_lib
from jmer.evaluation import metrics as metrics_lib
from jmer.training import workdir as workdir_lib
from jmer.training import train


def fold_config(config, fold: int):
  """The config of fold `fold`'s run: that fold is the test set, no extra test fraction.

  Args:
    config: the cross-validation run's config (not modified).
    fold: the held-out fold, 0 .. config.eval.folds - 1.
  Returns:
    A resolved copy of `config` with eval.fold = fold and data.test_fraction = 0.
  """
  config = config.copy_and_resolve_references()
  config.eval.fold = fold
  config.data.test_fraction = 0.0  # the held-out fold is the whole test set
  return config


def headline_metrics(metrics: dict) -> dict:
  """The numbers worth averaging over folds, recognised by the shape of each task's metrics.

  Args:
    metrics: a run's test metrics, {task: metrics dict} (metrics.json's 'metrics').
  Returns:
    {'task/metric': value} as floats (see jmer.evaluation.metrics.headline_values).
  """
  return {f"{task}/{key}": float(value) for task, m in metrics.items()
          for key, value in metrics_lib.headline_values(m).items()}


def summarize(fold_metrics: list) -> dict:
  """Mean and spread of each headline metric over folds; NaN folds (undefined metric) are left out.

  std is the population standard deviation over folds (numpy's default, ddof=0).

  Args:
    fold_metrics: each fold's test metrics, {task: metrics dict}, in fold order.
  Returns:
    {'task/metric': {'mean', 'std', 'folds'}}, 'folds' counting the folds with a value; mean and
    std are NaN when no fold has one.
  """
  keys = sorted({k for m in fold_metrics for k in headline_metrics(m)})
  out = {}
  for key in keys:
    values = np.array([headline_metrics(m).get(key, math.nan) for m in fold_metrics])
    values = values[~np.isnan(values)]
    out[key] = dict(mean=float(values.mean()) if values.size else math.nan,
                    std=float(values.std()) if values.size else math.nan, folds=int(values.size))
  return out


def pooled_confusion(fold_metrics: list) -> dict:
  """Confusion matrices summed over folds, for every classification task.

  Args:
    fold_metrics: each fold's test metrics, {task: metrics dict}.
  Returns:
    {task: confusion matrix as nested lists of counts (rows true, columns predicted)}.
  """
  out = {}
  for m in fold_metrics:
    for task, r in m.items():
      if isinstance(r, dict) and "confusion_matrix" in r:
        matrix = np.asarray(r["confusion_matrix"], np.int64)
        out[task] = out.get(task, 0) + matrix
  return {task: matrix.tolist() for task, matrix in out.items()}


def format_summary(summary: dict) -> str:
  """A text table of `summarize`'s result, one 'task/metric  mean ± std  (n folds)' line per key.

  Args:
    summary: summarize's result.
  Returns:
    The lines joined by newlines ('' for an empty summary).
  """
  width = max((len(k) for k in summary), default=0)
  return "\n".join(f"{k:<{width}}  {v['mean']:.3f} ± {v['std']:.3f}  ({v['folds']} folds)"
                   for k, v in summary.items())


def cross_validate(config, workdir, augment=None) -> dict:
  """Runs `config.eval.folds` fold runs in `workdir/fold_<k>` and summarises them.

  Args:
    config: the run's config; validated first. eval.folds must be at least 2.
    workdir: the cross-validation's folder; each fold trains in its fold_<k> subfolder.
    augment: a batch augmenter for every fold instead of config.augment's (see
      jmer.training.train.train_and_evaluate).
  Returns:
    crossval.json's content: per-metric mean/std over folds, pooled confusion matrices,
    per-fold headline metrics, the config and package versions.
  Raises:
    ConfigError for fewer than 2 folds or an unusable config.
  """
  config_lib.validate(config)
  folds = config.eval.folds
  if folds < 2:
    raise config_lib.ConfigError(f"config.eval.folds = {folds}: cross-validation needs >= 2.")
  with workdir_lib.claim_workdir(workdir, config) as workdir:  # one run per work dir
    return _cross_validate_in(config, workdir, augment)


def _cross_validate_in(config, workdir, augment) -> dict:
  folds = config.eval.folds
  reports = []
  for k in range(folds):
    print(f"\n=== jmer cross-validation: fold {k + 1}/{folds} (test = fold {k}) ===", flush=True)
    reports.append(train.train_and_evaluate(fold_config(config, k), workdir / f"fold_{k}",
                                            augment=augment))
  fold_metrics = [r["metrics"] for r in reports]
  summary = summarize(fold_metrics)
  result = dict(
      folds=folds, seed=config.seed, split_seed=config.data.split_seed,
      grouped=reports[0]["data"]["split"]["grouped"], summary=summary,
      pooled_confusion_matrices=pooled_confusion(fold_metrics),
      class_names=dict(genre=list(reports[0]["data"]["genre_names"])),
      per_fold=[dict(fold=k, workdir=str(workdir / f"fold_{k}"),
                     test_tracks=r["data"]["tracks"]["test"], metrics=headline_metrics(m))
                for k, (r, m) in enumerate(zip(reports, fold_metrics))],
      config=config.to_dict(), versions=provenance.package_versions())
  provenance.write_json(pathlib.Path(workdir) / "crossval.json", result)
  print(f"\n{folds}-fold cross-validation (mean ± std over folds):\n{format_summary(summary)}\n"
        f"Wrote {pathlib.Path(workdir) / 'crossval.json'}", flush=True)
  return result
