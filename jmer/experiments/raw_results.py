"""A suite's per-fold results in one committed file, from which its report is regenerated.

`collect(root)` reads a suite root's run dirs once and keeps what the report needs: per run
(cell × repeat) every metric, n_train / n_test per task, split seed and fold or seed, epochs,
wall time, per-class F1, confusion matrices, loss histories and fusion gates; per track the
test predictions (small: a few hundred rows a run); and the descriptive data and method text.
Paths are written relative to the data root ($JMER_DATA), the cache root ($JMER_CACHE) or the
working directory (relative_paths), never as one machine's absolute paths.
`write` stores it as JSON (experiments/results/<suite>/raw_results.json); report.Report
renders REPORT.md from that dict alone, so experiments/recompute.py can regenerate every
committed report without the run dirs and check that none drifted from its data.

Format (version FORMAT):
  suite:        name, file, command, quick, description, repeats {by, n}, split_seed, cells
                {cell: {label, config, init_from}}, experiments [{title, question, pairs}];
                where the suite has them: inits [init seeds], sesoi {metric label: margin},
                preregistration (its file) and preregistration_commit
  source:       where the numbers came from (run dirs, or a converted legacy report)
  text:         {data, method, footer}: Markdown lines rendered from the runs' configs
  runs:         [{cell, repeat, split_seed, init (with init seeds only), best_epoch, epochs_done, wall_seconds, n_train
                 {task: n}, n_test {task: n}, metrics {label: value}, per_class_f1 {task:
                 {class: f1}}, confusion {task: {classes, matrix}}, history {loss, val_loss},
                 fusion_gates}]
  predictions:  {columns, runs: {"cell/split_seed/repeat": [[value per column], ...]}}
  per_track_counts (legacy only): [{a, b, task, n, only_a, only_b}], McNemar's discordant
                counts copied from a report whose run dirs are gone
  kept_figures (legacy only): {file: caption}, figures drawn from run dirs that are gone
"""

import json
import math
import pathlib

from jmer.experiments import describe
from jmer.experiments import relative_paths
from jmer.experiments import results
from jmer.experiments import significance
from jmer.experiments import suite as suite_lib

FORMAT = 1
FILE_NAME = "raw_results.json"
CLASS_TASKS = ("genre", "quadrant")
TASKS = ("genre", "quadrant", "emotion_av")  # and any other task metrics.json reports
PREDICTION_COLUMNS = ("dataset", "track_id", "true_genre", "pred_genre", "true_quadrant",
                      "pred_quadrant", "true_arousal", "pred_arousal", "true_valence",
                      "pred_valence")
REQUIRED = ("format", "suite", "source", "text", "runs")


def _clean(value):
  """JSON-safe: NaN/inf become None (strict JSON has no NaN)."""
  if isinstance(value, float) and not math.isfinite(value):
    return None
  return value


def _number(text, digits=4):
  value = results._float(text)  # pylint: disable=protected-access
  return None if math.isnan(value) else round(value, digits)


def _task_counts(report: dict) -> tuple:
  """({task: n_train}, {task: n_test}): the tracks of the datasets that carry each task."""
  data = report["data"]
  n_train, n_test = {}, {}
  tasks = dict.fromkeys([*TASKS, *(k for k, v in report.get("metrics", {}).items()
                                   if isinstance(v, dict))])
  for task in tasks:
    datasets = [ds for ds, m in report.get("per_dataset", {}).items() if task in m]
    per = data.get("per_dataset", {})
    if datasets and all(ds in per for ds in datasets):
      train = sum(per[ds].get("train", {}).get("tracks", 0) for ds in datasets)
      test = sum(per[ds].get("test", {}).get("tracks", 0) for ds in datasets)
    elif task in report.get("metrics", {}):
      train, test = data["tracks"]["train"], data["tracks"]["test"]
    else:
      continue
    n_train[task], n_test[task] = train, test
  return n_train, n_test


def _run_entry(run: results.Run, split_seed: int, timings: dict) -> dict:
  report = run.report
  metrics = report.get("metrics", {})
  n_train, n_test = _task_counts(report)
  wall_seconds = results.wall_seconds(run.dir)
  if wall_seconds is None:  # a run from before wall_time.json: the root's timings.json
    wall_seconds = timings.get(f"{run.cell}/{run.repeat}")
  repeat, _, init = run.repeat.partition("/")  # 'fold_2/init_1' with init seeds
  entry = dict(cell=run.cell, repeat=repeat, split_seed=split_seed,
               **({"init": int(init.rsplit("_", 1)[1])} if init else {}),
               best_epoch=report["training"]["best_epoch"],
               epochs_done=report["training"]["epochs_done"], wall_seconds=wall_seconds,
               n_train=n_train, n_test=n_test,
               metrics={m.label: _clean(run.value(m)) for m in results.report_metrics()
                        if run.value(m) is not None},
               per_class_f1={}, confusion={})
  names = {"genre": report["data"].get("genre_names", []), "quadrant": list(
      results.labels.QUADRANTS)}
  for task in CLASS_TASKS:
    if isinstance(metrics.get(task), dict) and "per_class_f1" in metrics[task]:
      entry["per_class_f1"][task] = {c: _clean(f) for c, f in
                                     metrics[task]["per_class_f1"].items()}
      entry["confusion"][task] = dict(classes=list(metrics[task]["per_class_f1"]) or
                                      names[task], matrix=metrics[task]["confusion_matrix"])
  history = run.history()
  if history:
    entry["history"] = {k: [_clean(round(h.get(k, math.nan), 5)) for h in history]
                        for k in ("loss", "val_loss")}
  if report.get("fusion_gates"):
    entry["fusion_gates"] = report["fusion_gates"]
  return entry


def _prediction_rows(run: results.Run) -> list:
  path = run.dir / "test_predictions.csv"
  if not path.exists():
    return []
  rows = []
  for row in run.predictions():
    quadrant = results._true_quadrant(row)  # pylint: disable=protected-access
    rows.append([row["dataset"], row["track_id"], row["true_genre"], row["pred_genre"],
                 quadrant, row.get("pred_quadrant", ""),
                 _number(row["true_arousal"]), _number(row["pred_arousal"]),
                 _number(row["true_valence"]), _number(row["pred_valence"])])
  return rows


def collect(root) -> dict:
  """The raw results of a suite root, from its suite.json and finished run dirs.

  Args:
    root: a suite root written by jmer.experiments.runner.
  Returns:
    The raw-results dict (see the module docstring).
  """
  root = pathlib.Path(root)
  record = results.load_suite_record(root)
  seeds = suite_lib.split_seeds(record)
  if len(seeds) > 1:  # repeated CV: one sub-root per split seed, merged (r seeds x k folds)
    roots = [suite_lib.seed_root(root, record, s) for s in seeds]
    started = [r for r in roots if any(r.glob("*/*/metrics.json"))  # a seed not yet begun
               or any(r.glob("*/*/*/metrics.json"))]  # (fold_k/init_i with init seeds)
    if not started:
      raise FileNotFoundError(f"{root}: no split seed's runs to report on yet")
    return merge([collect(r) for r in started])
  runs = results.load_runs(root, record)
  cells = [c for c in record["cells"] if runs[c]]
  if not cells:
    raise FileNotFoundError(f"{root}: no finished run (metrics.json) to report on yet")
  timings_path = root / "timings.json"
  timings = json.loads(timings_path.read_text()) if timings_path.exists() else {}
  suite = {k: record[k] for k in ("name", "file", "command", "quick", "description",
                                  "repeats", "split_seed", "experiments")}
  suite.update({k: record[k] for k in ("inits", "sesoi", "preregistration",
                                       "preregistration_commit") if record.get(k)})
  suite["cells"] = {c: {k: spec[k] for k in ("label", "config", "init_from") if k in spec}
                    for c, spec in record["cells"].items()}
  raw = dict(format=FORMAT, suite=suite, source=f"the run dirs under `{root}`",
             text=dict(data=describe.data_section(record, runs, cells),
                       method=describe.method_section(record, runs, cells, root),
                       footer=describe.footer_lines(record, runs, cells)),
             runs=[_run_entry(r, record["split_seed"], timings) for c in cells
                   for r in runs[c]],
             predictions=dict(columns=list(PREDICTION_COLUMNS), runs={}))
  for cell in cells:
    for run in runs[cell]:
      rows = _prediction_rows(run)
      if rows:
        raw["predictions"]["runs"][prediction_key(cell, record["split_seed"], run.repeat)] = rows
  # No machine's paths in committed results: data and cache paths relative to their roots.
  return relative_paths.rewrite(raw, relative_paths.roots_of(runs[cells[0]][0].report.get(
      "config", {})))


def prediction_key(cell: str, split_seed: int, repeat: str) -> str:
  """The key of one run's prediction rows: cell/split seed/repeat.

  Args:
    cell: the cell's name.
    split_seed: the run's data.split_seed.
    repeat: the repeat's name, e.g. 'fold_0'.

  Returns:
    '<cell>/<split_seed>/<repeat>'.
  """
  return f"{cell}/{split_seed}/{repeat}"


def write(raw: dict, path) -> pathlib.Path:
  """Writes the raw results as JSON (one run per block, predictions one track per line).

  Args:
    raw: the raw-results dict (collect).
    path: the file to write; its folder is created.

  Returns:
    `path`, as a pathlib.Path.
  """
  path = pathlib.Path(path)
  path.parent.mkdir(parents=True, exist_ok=True)
  path.write_text(json.dumps(raw, ensure_ascii=False, indent=1, allow_nan=False) + "\n")
  return path


def load(path) -> dict:
  """A raw-results file, checked for its format and required keys (named on failure).

  Args:
    path: the raw_results.json file.

  Returns:
    The raw-results dict.

  Raises:
    FileNotFoundError: no such file.
    ValueError: a key is missing, the format differs, or a run has an unknown metric.
  """
  path = pathlib.Path(path)
  if not path.is_file():
    raise FileNotFoundError(f"{path}: no raw-results file")
  raw = json.loads(path.read_text())
  missing = [k for k in REQUIRED if k not in raw]
  if missing:
    raise ValueError(f"{path}: raw results lack {missing}")
  if raw["format"] != FORMAT:
    raise ValueError(f"{path}: raw-results format {raw['format']!r}, this jmer reads {FORMAT}")
  for i, run in enumerate(raw["runs"]):
    absent = [k for k in ("cell", "repeat", "split_seed", "metrics") if k not in run]
    if absent:
      raise ValueError(f"{path}: runs[{i}] lacks {absent}")
    unknown = [m for m in run["metrics"] if m not in results.metrics_by_label()]
    if unknown:
      raise ValueError(f"{path}: runs[{i}] ({run['cell']}/{run['repeat']}) has unknown "
                       f"metric(s) {unknown}; known: {list(results.metrics_by_label())}")
  return raw


def runs_by_cell(raw: dict) -> dict:
  """{cell: [run entries]} in the suite's cell order, cells without runs left out.

  Args:
    raw: the raw-results dict.

  Returns:
    A dict from cell name to its run dicts, in raw order.
  """
  out = {c: [] for c in raw["suite"]["cells"]}
  for run in raw["runs"]:
    out.setdefault(run["cell"], []).append(run)
  return {c: runs for c, runs in out.items() if runs}


def values(runs: list, label: str) -> dict:
  """{(split_seed, repeat): value} of the runs that report the metric (None/NaN left out);
  with init seeds, the value of a (split seed, fold) is the mean over its inits.

  Args:
    runs: run dicts of one cell.
    label: the metric's label, e.g. 'genre macro-F1'.

  Returns:
    A dict from (split_seed, repeat) to the metric's value (per-fold mean over inits).
  """
  groups = _by_repeat(runs, label)
  return {key: sum(v) / len(v) for key, v in groups.items()}


def _by_repeat(runs: list, label: str) -> dict:
  """{(split_seed, repeat): [the metric's finite value of each init]}, in run order."""
  groups = {}
  for r in runs:
    value = r["metrics"].get(label)
    if value is not None and math.isfinite(value):
      groups.setdefault((r["split_seed"], r["repeat"]), []).append(value)
  return groups


def init_sd(runs: list, label: str) -> float:
  """The SD over init seeds within a fold (sample SD), averaged over the folds with ≥ 2 inits:
  how much the initialisation alone moves a fold's score, beside the SD over folds of the
  per-fold means.

  Args:
    runs: run dicts of one cell.
    label: the metric's label.

  Returns:
    The mean within-fold SD, NaN when no fold has two inits.
  """
  sds = [significance.mean_sd(v)[1] for v in _by_repeat(runs, label).values() if len(v) > 1]
  return sum(sds) / len(sds) if sds else math.nan


def pooled_predictions(raw: dict, cell: str) -> dict:
  """{(dataset, track_id): prediction} of a cell, pooled over its runs as
  results.pooled_predictions does (folds joined; seeds: majority vote and mean).

  Args:
    raw: the raw-results dict.
    cell: the cell's name.

  Returns:
    A dict from (dataset, track_id) to the pooled true_/pred_ values; {} without predictions.

  Raises:
    ValueError: with folds, a track is tested in more than one fold of a split seed.
  """
  preds = raw.get("predictions", {})
  columns = preds.get("columns", PREDICTION_COLUMNS)
  rows = {}
  for key, run_rows in preds.get("runs", {}).items():
    if key.split("/")[0] != cell:
      continue
    for values_ in run_rows:
      row = dict(zip(columns, values_))
      rows.setdefault((row["dataset"], row["track_id"]), []).append(row)
  by = raw["suite"]["repeats"]["by"]
  out = {}
  for track, group in rows.items():
    if by == "fold" and len(group) > len({(r["split_seed"], r.get("init")) for r in raw["runs"]
                                           if r["cell"] == cell}):
      raise ValueError(f"track {track} is tested in {len(group)} folds of {cell}")
    first = group[0]
    num = lambda k: [math.nan if g[k] is None else g[k] for g in group]  # noqa: E731
    out[track] = dict(
        true_genre=first["true_genre"], true_quadrant=first["true_quadrant"],
        pred_genre=results._vote([g["pred_genre"] for g in group]),  # pylint: disable=W0212
        pred_quadrant=results._vote([g["pred_quadrant"] for g in group]),  # pylint: disable=W0212
        true_arousal=num("true_arousal")[0], true_valence=num("true_valence")[0],
        pred_arousal=results._mean(num("pred_arousal")),  # pylint: disable=protected-access
        pred_valence=results._mean(num("pred_valence")))  # pylint: disable=protected-access
  return out


def run_split_seeds(raw: dict) -> list:
  """The split seeds of a raw-results dict's runs, sorted."""
  return sorted({r["split_seed"] for r in raw["runs"]})


def merge(raws: list) -> dict:
  """One raw-results dict from several runs of the same suite on different split seeds, for
  repeated cross-validation (r split seeds × k folds): runs and predictions are joined, and
  the comparisons pair repeats by (split seed, fold), so the corrected t-test sees n = r·k.

  Args:
    raws: raw-results dicts of one suite (same name and repeats), each on other split seeds.
  Returns:
    The merged dict; suite, text and source come from the first, with the split seeds listed.
  """
  if not raws:
    raise ValueError("merge: no raw results given")
  first = raws[0]
  seen = {}
  for raw in raws:
    for key in ("name", "repeats"):
      if raw["suite"][key] != first["suite"][key]:
        raise ValueError(f"merge: suite {key} {raw['suite'][key]!r} differs from "
                         f"{first['suite'][key]!r}; only one suite's split seeds merge")
    for seed in run_split_seeds(raw):
      if seed in seen:
        raise ValueError(f"merge: split seed {seed} is in two of the raw results")
      seen[seed] = raw
  merged = dict(first, runs=[r for raw in raws for r in raw["runs"]],
                predictions=dict(columns=list(PREDICTION_COLUMNS), runs={
                    k: v for raw in raws for k, v in raw.get("predictions", {}).get(
                        "runs", {}).items()}))
  merged["suite"] = dict(first["suite"], split_seed=sorted(seen))
  if "text" in first and len(seen) > 1:  # the data text is the first split seed's
    seeds = sorted(seen)
    data = list(first["text"]["data"])
    while data and not data[-1]:
      data.pop()
    merged["text"] = dict(first["text"], data=data + [
        "", f"**Split seeds {', '.join(map(str, seeds))}.** Each deals the same clips into other "
        f"folds (same groups, same stratification); the counts above are split seed "
        f"{min(run_split_seeds(first))}'s, the others differ only in which clips fall in which "
        "fold.", ""])
  merged["source"] = "; ".join(f"split seed(s) {run_split_seeds(raw)} from {raw['source']}"
                               for raw in raws)
  return merged
