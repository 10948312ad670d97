"""python -m jmer.runs <dir> [<dir> ...]: list and compare finished runs without retraining.

Finds every metrics.json under the given dirs and prints one row per run (best / total epochs
and the headline test metrics), then, where runs are repeats of one cell (sibling dirs named
seed_<i> or fold_<k>), one row per cell with mean ± 95% CI over its repeats.
"""

import collections
import json
import pathlib
import re
import sys

from jmer.cli import arguments
from jmer.experiments import results

REPEAT_DIR = re.compile(r"(seed|fold)_\d+")
INIT_DIR = re.compile(r"init_\d+")  # <cell>/fold_k/init_i: one of a fold's init seeds


def find_runs(dirs) -> list:
  """[results.Run] for every metrics.json under `dirs`, sorted by path.

  Args:
    dirs: run dirs or folders holding run dirs.

  Returns:
    A list of results.Run; a run in seed_N or fold_N is named after its parent folder.

  Raises:
    FileNotFoundError: a dir does not exist.
  """
  runs = []
  for top in map(pathlib.Path, dirs):
    if not top.exists():
      raise FileNotFoundError(f"{top}: no such directory")
    for path in sorted(top.rglob("metrics.json")):
      run_dir, repeat = path.parent, path.parent.name
      if INIT_DIR.fullmatch(repeat) and REPEAT_DIR.fullmatch(run_dir.parent.name):
        repeat = f"{run_dir.parent.name}/{repeat}"  # <cell>/fold_k/init_i: a suite's inits
      cell = (run_dir.parents[repeat.count("/")].name
              if REPEAT_DIR.fullmatch(repeat.split("/")[0]) else run_dir.name)
      runs.append(results.Run(cell, repeat, run_dir, json.loads(path.read_text())))
  return runs


def _table(header, rows) -> str:
  widths = [max(len(str(x)) for x in col) for col in zip(header, *rows)]
  line = lambda cells: "  ".join(str(c).ljust(w) for c, w in zip(cells, widths))  # noqa: E731
  return "\n".join([line(header), line(["-" * w for w in widths])] + [line(r) for r in rows])


def format_runs(runs, labels=None) -> str:
  """The per-run table, then the per-cell means of cells with repeats.

  Args:
    runs: the results.Run to list.
    labels: the metric labels to show (default: results.headline()); those no run reports
      are dropped.

  Returns:
    The plain-text table(s), the per-cell means as mean ± 95% CI half-width.
  """
  by_label = results.metrics_by_label()
  labels = [l for l in (results.headline() if labels is None else labels)
            if any(r.value(by_label[l]) is not None for r in runs)]
  header = ["run", "epochs"] + list(labels)
  rows = []
  for run in runs:
    training = run.report.get("training", {})
    rows.append([str(run.dir), f"{training.get('best_epoch')}/{training.get('epochs_done')}"]
                + [_cell(run.value(results.metrics_by_label()[l])) for l in labels])
  text = _table(header, rows)
  groups = collections.defaultdict(list)
  for run in runs:
    if REPEAT_DIR.fullmatch(run.repeat.split("/")[0]):
      groups[run.dir.parents[run.repeat.count("/")]].append(run)
  if groups:
    rows = [[str(cell), str(len(members))] + [
        _mean(list(results.values(members, results.metrics_by_label()[l]).values())) for l in labels]
            for cell, members in groups.items()]
    text += "\n\nPer cell, mean ± 95% CI over repeats:\n" + _table(
        ["cell", "repeats"] + list(labels), rows)
  return text


def _cell(value) -> str:
  return "–" if value is None else f"{value:.3f}"


def _mean(values) -> str:
  from jmer.experiments import significance  # scipy: imported only when there is a table to print
  mean, half, n = significance.mean_ci(values)
  if n == 0:
    return "–"
  return f"{mean:.3f} ± {half:.3f}" if n > 1 else f"{mean:.3f}"


def build_parser(prog: str = "python -m jmer.runs"):
  """The command's argument parser (light: nothing heavy is imported).

  Args:
    prog: how to name the command in help and messages.

  Returns:
    The arguments.ArgumentParser.
  """
  parser = arguments.ArgumentParser(prog=prog, description=__doc__.split("\n")[0])
  parser.add_argument("dirs", nargs="+", help="run dirs or roots holding run dirs")
  parser.add_argument("--metrics", default=",".join(results.headline()),
                      help=f"comma-separated, from: {', '.join(results.metrics_by_label())}")
  return parser


def main(argv=None, prog: str = "python -m jmer.runs") -> int:
  """Prints the runs table; returns the exit code (1 if a dir is missing or holds no run).

  Args:
    argv: the arguments after the program name (default: sys.argv[1:]).
    prog: how to name the command in help and messages.

  Returns:
    The exit code: 0, or 1 if a dir is missing or holds no run.
  """
  parser = build_parser(prog)
  args = parser.parse_args(argv)
  labels = [l.strip() for l in args.metrics.split(",") if l.strip()]
  unknown = [l for l in labels if l not in results.metrics_by_label()]
  if unknown:
    parser.error(f"unknown metric(s) {unknown}; choose from {list(results.metrics_by_label())}")
  try:
    runs = find_runs(args.dirs)
  except FileNotFoundError as error:
    print(f"error: {error}", file=sys.stderr)
    return 1
  if not runs:
    print(f"No finished run (metrics.json) under {', '.join(args.dirs)}.")
    return 1
  print(format_runs(runs, labels))
  return 0
