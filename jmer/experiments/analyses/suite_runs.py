"""What an analysis reads of a suite root: its finished runs, by cell, split seed and fold.

A suite root is the runner's layout (jmer.experiments.runner): <root>/<cell>/<fold_k>/ holds a
run's metrics.json and test_predictions.csv; a suite with several split seeds keeps each
seed's runs under <root>/split_seed_<s>/. suite.json records the cells and their settings.
"""

import csv
import dataclasses
import math
import pathlib

from jmer.experiments import results
from jmer.experiments import suite as suite_lib


@dataclasses.dataclass(frozen=True)
class FoldRun:
  """One finished run of a suite: its cell, split seed, repeat index, folder and metrics.json,
  and its init seed in a suite with inits (None without)."""
  cell: str
  split_seed: int
  fold: int
  dir: pathlib.Path
  report: dict
  init: int | None = None

  def dataset_of(self, task: str) -> str | None:
    """The dataset whose test tracks carry `task`'s metrics (metrics.json per_dataset).

    Args:
      task: a task name, e.g. 'genre'.

    Returns:
      The first dataset name with metrics for the task, or None when no dataset has them.
    """
    return next((name for name, own in self.report.get("per_dataset", {}).items()
                 if task in own), None)

  def train_tracks(self, dataset: str) -> int:
    """How many training tracks of `dataset` the run had.

    Args:
      dataset: a dataset name of metrics.json's data.per_dataset.

    Returns:
      The count.
    """
    return self.report["data"]["per_dataset"][dataset]["train"]["tracks"]

  def predictions(self) -> list:
    """The run's test_predictions.csv as dicts ([] without the file)."""
    path = self.dir / "test_predictions.csv"
    if not path.is_file():
      return []
    with path.open(newline="") as fh:
      return list(csv.DictReader(fh))


def record(root) -> dict:
  """The suite record (suite.json) of a suite root.

  Args:
    root: the suite root.

  Returns:
    The parsed record.
  """
  return results.load_suite_record(root)


def fold_runs(root) -> list:
  """Every finished run under a suite root, by split seed, then cell, then repeat.

  Args:
    root: the suite root (runner's layout).

  Returns:
    A list of FoldRun.

  Raises:
    FileNotFoundError: root is not a suite root, or has no finished run.
  """
  root = pathlib.Path(root)
  suite = record(root)
  out = []
  for seed in suite_lib.split_seeds(suite):
    for cell, runs in results.load_runs(suite_lib.seed_root(root, suite, seed), suite).items():
      for run in runs:
        fold, init = suite_lib.parse_repeat(run.repeat)
        out.append(FoldRun(cell, seed, fold, run.dir, run.report, init))
  if not out:
    raise FileNotFoundError(f"{root}: no finished run (metrics.json) to analyse yet")
  return out


def cell_settings(root) -> dict:
  """{cell: its `set` overrides} as suite.json records them (JSON lists back to tuples).

  Args:
    root: the suite root.

  Returns:
    {cell: {dotted key: value}}, the suite-wide `set` not included.
  """
  return {cell: {k: tuple(v) if isinstance(v, list) else v
                 for k, v in spec.get("set", {}).items()}
          for cell, spec in record(root)["cells"].items()}


def clean(value):
  """A metric as raw results keep it: 4 decimals, None for a missing or non-finite one."""
  return None if value is None or (isinstance(value, float) and not math.isfinite(value)) \
      else round(float(value), 4)
