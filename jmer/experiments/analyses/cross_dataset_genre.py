"""Genre beyond GTZAN: the cross-dataset genre check of every cell of a suite, beside its
in-GTZAN genre and its quadrant scores, and the pre-registered comparison (REPORT.md).

Collects a suite whose cells are recipes of configs/real_music.py run on folds drawn over GTZAN
and 4Q together by artist (eval.fold_pool='gtzan+4q'), so a 4Q test clip's artist never trains.
Every run's genre head predicts its test fold's 4Q clips too (test_predictions.csv keeps the
top-1 genre and each 4Q clip's AllMusic genres), which gives the GTZAN → 4Q check per fold with
no leakage; its GTZAN test clips give the in-GTZAN score and, for a cell whose genre head does
not train on GTZAN's labels (data.genre_labels.own False), the 4Q → GTZAN check. The clips and
the score are jmer.evaluation.cross_dataset's.

Statistics as the study protocol's: per fold the mean over init seeds; the corrected resampled
t-test (jmer.experiments.significance) of candidate − baseline per metric. The pre-registered
question (the `primary` cell against the `baseline`) holds three primary metrics, one Holm
family: GTZAN → 4Q macro-F1 (the issue asks ≥ +0.10), in-GTZAN genre macro-F1 and quadrant
macro-F1 (no worse: TOST at ±SESOI, and its lower one-sided test, non-inferiority, each Holm
over those two). Every other cell is compared with the baseline unadjusted (secondary).
"""

from jmer.evaluation import cross_dataset
from jmer.experiments import formatting
from jmer.experiments import results
from jmer.experiments import significance
from jmer.experiments import verdicts
from jmer.experiments.analyses import definition
from jmer.experiments.analyses import suite_runs
from jmer.experiments.analyses import cross_dataset_tables as tables

NAME = "cross_dataset_genre"
ACCEPTANCE = 0.10  # issue 32: the check up by >= 0.10 macro-F1 over today's head
# metric key -> (its label in the report, the dataset whose counts correct the t-test)
METRICS = {"cross": ("GTZAN → 4Q genre macro-F1", "4q"),
           "cross_single": ("GTZAN → 4Q, single-genre clips", "4q"),
           "genre": ("in-GTZAN genre macro-F1 (10 genres)", "gtzan"),
           "gtzan7": ("GTZAN, 7 labels (pop or rock collapsed)", "gtzan"),
           "quadrant": ("quadrant macro-F1 (4Q)", "4q")}
PRIMARY = ("cross", "genre", "quadrant")
NO_WORSE = {"genre": "genre macro-F1", "quadrant": "quadrant macro-F1"}  # SESOI keys


def collect(root, baseline: str = "", primary: str | None = None) -> dict:
  """The raw results of a suite root: per run its scores' inputs, per clip its prediction.

  Args:
    root: the suite root.
    baseline: the reference cell (default: the suite's first).
    primary: the cell whose comparison with the baseline is the suite's pre-registered
      question (default: the second cell); 'none' for a suite whose pre-registration does not
      name this check (every comparison is then secondary).

  Returns:
    {format, generator, source, preregistration, preregistration_commit, sesoi, baseline,
    primary, cells: {cell: {label, config, changes, genre_labels}}, runs: [{cell, seed, fold,
    init, genre, quadrant: {macro_f1, n_test, n_train}, counts: {dataset: {n_test, n_train}},
    clips_4q: [[clip, AllMusic genres, predicted genre]], clips_gtzan: [[clip, true, pred]]}]}.
  """
  record = suite_runs.record(root)
  names = list(record["cells"])
  runs, labels_of = [], {}
  for run in suite_runs.fold_runs(root):
    labels_of.setdefault(run.cell, _genre_labels(run.report))
    runs.append(_run_entry(run))
  cells = {name: dict(label=spec.get("label", name), config=spec["config"],
                      changes=[f"{k}={v!r}" for k, v in spec.get("set", {}).items()],
                      genre_labels=labels_of.get(name, {}))
           for name, spec in record["cells"].items()}
  return dict(format=1, generator=f"jmer.experiments.analyses.{NAME}",
              source=f"the suite {record['name']} ({record['file']})",
              preregistration=record.get("preregistration", ""),
              preregistration_commit=record.get("preregistration_commit", ""),
              sesoi=record.get("sesoi", {}), baseline=baseline or names[0],
              primary=_primary(primary, names), cells=cells, runs=runs)


def _primary(primary, names) -> str:
  if primary is None:
    return names[1] if len(names) > 1 else ""
  if primary == "none":
    return ""
  if primary not in names:
    raise ValueError(f"primary={primary!r}: no such cell; the suite has {names}")
  return primary


def _genre_labels(report) -> dict:
  """What a run's genre head trained on (config data.genre_labels; older runs: the datasets'
  own labels); {} for a run without a genre head."""
  config = report["config"]
  if not config["tasks"]["genre"]:
    return {}
  return dict(dict(own=True, allmusic="none"), **config["data"].get("genre_labels", {}))


def _run_entry(run) -> dict:
  entry = dict(cell=run.cell, seed=run.split_seed, fold=run.fold, init=run.init)
  seconds = results.wall_seconds(run.dir)
  if seconds is not None:
    entry["wall_seconds"] = seconds
  for task, dataset in (("genre", "gtzan"), ("quadrant", "4q")):
    m = run.report["per_dataset"].get(dataset, {}).get(task)
    if m is not None:
      entry[task] = dict(macro_f1=suite_runs.clean(m["macro_f1"]), n_test=m["n"],
                         n_train=run.train_tracks(dataset))
  entry["counts"] = {d: dict(n_test=c["test"]["tracks"], n_train=c["train"]["tracks"])
                     for d, c in run.report["data"]["per_dataset"].items()
                     if "test" in c and "train" in c}
  rows = run.predictions()
  entry["clips_4q"] = [[r["track_id"], r["true_genre_tags"], r["pred_genre"]] for r in rows
                       if r["dataset"] == "4q" and r["pred_genre"]]
  entry["clips_gtzan"] = [[r["track_id"], r["true_genre"], r["pred_genre"]] for r in rows
                          if r["dataset"] == "gtzan" and r["pred_genre"]]
  return entry


def pairs(run, metric: str) -> list:
  """(true label, predicted genre) of the clips one run's `metric` scores (cross-dataset ones).

  Args:
    run: a raw run.
    metric: 'cross' (evaluated 4Q clips), 'cross_single' (single-genre 4Q clips) or 'gtzan7'
      (GTZAN clips of the 7 labels).

  Returns:
    A list of (label, predicted GTZAN genre).
  """
  if metric == "gtzan7":
    return [(cross_dataset.gtzan_clip(t), p) for _, t, p in run["clips_gtzan"]
            if cross_dataset.gtzan_clip(t)]
  kinds = ((cross_dataset.SINGLE_GENRE,) if metric == "cross_single"
           else (cross_dataset.SINGLE_GENRE, cross_dataset.EVALUATED))
  out = []
  for _, tags, predicted in run["clips_4q"]:
    label, kind = cross_dataset.allmusic_clip(tags)
    if kind in kinds:
      out.append((label, predicted))
  return out


def run_value(run, metric: str):
  """One run's value of a metric of METRICS (None where the run has none)."""
  if metric in ("genre", "quadrant"):
    return run.get(metric, {}).get("macro_f1")
  return cross_dataset.macro_f1(pairs(run, metric))


def _values_by_fold(raw, cell: str, metric: str) -> dict:
  """{(split seed, fold): [each init's value]} of a cell's metric, runs without it left out."""
  by_fold = {}
  for run in raw["runs"]:
    value = run_value(run, metric) if run["cell"] == cell else None
    if value is not None:
      by_fold.setdefault((run["seed"], run["fold"]), []).append(value)
  return by_fold


def fold_values(raw, cell: str, metric: str) -> dict:
  """{(split seed, fold): the mean over init seeds} of a cell's metric."""
  by_fold = _values_by_fold(raw, cell, metric)
  return {key: sum(v) / len(v) for key, v in sorted(by_fold.items())}


def init_sd(raw, cell: str, metric: str) -> float:
  """The SD over init seeds within a fold, averaged over folds (NaN with one init)."""
  sds = [significance.mean_sd(v)[1] for v in _values_by_fold(raw, cell, metric).values()
         if len(v) > 1]
  return sum(sds) / len(sds) if sds else float("nan")


def difference_test(raw, cell: str, metric: str) -> dict:
  """The corrected resampled t-test of cell − baseline on `metric`, over shared folds (n = 0
  when either cell lacks the metric)."""
  dataset = METRICS[metric][1]
  counts = [r["counts"][dataset] for r in raw["runs"]
            if r["cell"] == cell and dataset in r["counts"]]
  a, b = fold_values(raw, cell, metric), fold_values(raw, raw["baseline"], metric)
  if not counts or not set(a) & set(b):  # a cell without the metric: no test (n = 0)
    return significance.resampled_t_test([], test_train_ratio=0.0)
  return significance.paired_fold_test(a, b, n_train=[c["n_train"] for c in counts],
                                       n_test=[c["n_test"] for c in counts])


def primary_rows(raw) -> list:
  """The pre-registered question's rows: [{metric, test, mean_a, mean_b (primary's and
  baseline's means over folds), holm_p, mde, tost?, tost_holm_p?, lower_holm_p?}], Holm over
  the three differences and over the two no-worse tests."""
  rows = [dict(metric=m, test=difference_test(raw, raw["primary"], m),
               **{f"mean_{x}": significance.mean_sd(list(fold_values(raw, cell, m).values()))[0]
                  for x, cell in (("a", raw["primary"]), ("b", raw["baseline"]))})
          for m in PRIMARY]
  for row, p in zip(rows, significance.holm([r["test"]["p"] for r in rows])):
    t = row["test"]
    row.update(holm_p=p, mde=significance.minimum_detectable_effect(
        t["se"], t["df"], significance.ALPHA / len(rows)))
  margins = [(r, raw["sesoi"].get(NO_WORSE[r["metric"]])) for r in rows
             if r["metric"] in NO_WORSE and raw["sesoi"].get(NO_WORSE[r["metric"]])]
  for row, margin in margins:
    t = row["test"]
    row["tost"] = significance.tost(t["mean"], t["se"], t["df"], margin)
  for key, name in (("p", "tost_holm_p"), ("p_lower", "lower_holm_p")):
    adjusted = significance.holm([r["tost"][key] for r, _ in margins])
    for (row, _), p in zip(margins, adjusted):
      row[name] = p
  return rows


def row_verdict(row) -> str:
  """The words for one primary row: a detected difference, equivalence, or inconclusive."""
  t = row["test"]
  if row["holm_p"] < significance.ALPHA:
    return f"{'better' if t['mean'] > 0 else 'worse'}: {formatting.interval_text(t, True)}"
  if "tost" not in row:
    return verdicts.not_detected(row["mde"])
  margin = formatting.fmt(row["tost"]["margin"])
  if row["tost_holm_p"] < significance.ALPHA:
    return f"equivalent within ±{margin}"
  return f"inconclusive: {verdicts.not_detected(row['mde'])}, not shown equivalent within ±{margin}"


def render(raw: dict) -> str:
  """REPORT.md from the raw results alone."""
  lines = tables.header(raw, definition.generator(raw, NAME))
  lines += tables.clip_counts(raw) + tables.cell_table(raw, METRICS)
  lines += tables.score_table(raw, METRICS, fold_values, init_sd)
  lines += tables.pooled_table(raw, pairs) + tables.per_class_table(raw, pairs)
  lines += tables.where_clips_go(raw, pairs)
  if raw["primary"]:
    lines += tables.primary_section(raw, primary_rows(raw), METRICS, row_verdict, ACCEPTANCE)
    lines += tables.fold_table(raw, METRICS, PRIMARY, fold_values)
  lines += tables.secondary_section(raw, METRICS, difference_test)
  return "\n".join(lines) + "\n"


ANALYSIS = definition.Analysis(name=NAME, raw_file="cross_dataset_results.json",
                               report_file="REPORT.md", collect=collect, render=render,
                               raw_indent=0)
