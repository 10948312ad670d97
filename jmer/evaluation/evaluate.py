"""Segment predictions → per-track predictions → metrics, metrics.json, a table and figures."""

import csv
import pathlib

import numpy as np

from jmer.config import provenance
from jmer.evaluation import baseline
from jmer import tasks as tasks_lib
from jmer.evaluation import metrics as metrics_lib
from jmer.evaluation import plots
from jmer.evaluation import prediction_columns
from jmer.tasks import outputs as outputs_lib
from jmer.data import pipeline
from jmer.data import split_arrays


def predict_tracks(model, split: split_arrays.SplitData, config) -> dict:
  """Per-track predictions for a split, from its tiled segments.

  Segment predictions are cut batch by batch and aggregated per track by each task
  (jmer.tasks.Task.aggregate); only the segment predictions are held.

  Args:
    model: the inference model (task heads only).
    split: the split to predict.
    config: the run's config (segment length, hop and batch size).
  Returns:
    {head: (n_tracks, dim) array}, rows in split.tracks' order.
  """
  batches, owner = pipeline.tiled_dataset(split, config, shuffle=False)
  seg = model.predict(batches, verbose=0)
  return {name: tasks_lib.TASKS[name].aggregate(values, owner, len(split.tracks))
          for name, values in seg.items()}


def track_metrics(preds: dict, tracks, genre_names, config) -> dict:
  """Test metrics for every head the model has, on the tracks that carry that label.

  Args:
    preds: predict_tracks' result.
    tracks: the tracks `preds` rows belong to.
    genre_names: the genre vocabulary.
    config: the run's config.
  Returns:
    {metrics key: metrics dict} (jmer.evaluation.metrics.METRICS_OF_KIND), in task order.
  """
  out = {}
  for name in [n for n in tasks_lib.TASKS if n in preds]:  # task order, not model.predict's
    for key, kind, truth, pred, names in tasks_lib.TASKS[name].evaluations(
        tracks, preds[name], genre_names, config):
      out[key] = metrics_lib.METRICS_OF_KIND[kind](truth, pred, names)
  return out


def per_dataset_metrics(preds: dict, tracks, genre_names, config) -> dict:
  """Test metrics on each dataset's own tracks, for the tasks it has labels for.

  Args:
    preds: predict_tracks' result.
    tracks: the tracks `preds` rows belong to.
    genre_names: the genre vocabulary.
    config: the run's config.
  Returns:
    {dataset: track_metrics' result}, datasets in order of first appearance.
  """
  out = {}
  for name in dict.fromkeys(t.dataset for t in tracks):
    idx = [i for i, t in enumerate(tracks) if t.dataset == name]
    own = [tracks[i] for i in idx]
    labelled = {k: v[idx] for k, v in preds.items()
                if any(tasks_lib.TASKS[k].labelled(t) for t in own)}
    out[name] = track_metrics(labelled, own, genre_names, config)
  return out


def write_predictions_csv(path, preds: dict, split: split_arrays.SplitData, genre_names):
  """Writes one CSV row per test track: its id and dataset, then every known task's columns.

  Each task (jmer.tasks) gives its true and predicted values, in the columns its outputs have
  (jmer.evaluation.prediction_columns); cells are empty where the track has no label or the
  model no head.

  Args:
    path: the CSV file to write.
    preds: predict_tracks' result for `split`.
    split: the test split.
    genre_names: the genre vocabulary.
  Returns:
    None.
  """
  with open(path, "w", newline="") as fh:
    writer = csv.writer(fh)
    writer.writerow(["track_id", "dataset"] + [
        column for task in tasks_lib.TASKS.values()
        for column in prediction_columns.columns(task)])
    for i, t in enumerate(split.tracks):
      row = [t.track_id, t.dataset]
      for name, task in tasks_lib.TASKS.items():
        prediction = preds[name][i] if name in preds else None
        row += prediction_columns.cells(task, t, prediction, task.class_names(genre_names))
      writer.writerow(row)


def _confusion_figure(task, results, preds, split, genre_names, path):
  if task.name in results:
    plots.plot_confusion_matrix(results[task.name]["confusion_matrix"],
                                task.class_names(genre_names), path,
                                title=FIGURE_TITLES.get(task.name, task.name))


def _av_scatter_figure(task, results, preds, split, genre_names, path):
  if task.name in preds:
    keep = ~np.isnan(split.av).any(axis=1)
    if keep.any():
      names = [genre_names[g] if g >= 0 else "unknown" for g in split.genre[keep]]
      plots.plot_av_scatter(split.av[keep], preds[task.name][keep], path, labels=names)


# What a figure draws: fn(task, metrics, per-track predictions, split, genre names, path), and
# the file name it is drawn to.
FIGURES = {"confusion": (_confusion_figure, "confusion_{task}.png"),
           "av_scatter": (_av_scatter_figure, "av_scatter.png")}
# The figure a task's outputs get (a key of FIGURES, or None)...
FIGURE_OF_FORM = {outputs_lib.ClassProbabilities: "confusion",
                  outputs_lib.TagProbabilities: None,
                  outputs_lib.RegressedValues: None}
# ...unless the task is drawn differently: the arousal-valence plane for emotion.
FIGURE_OF = tasks_lib.overrides("figures", {"emotion": "av_scatter"})
# A figure's title, when not the task's name.
FIGURE_TITLES = tasks_lib.overrides("figure titles", {"genre": "Genre (test tracks)",
                                                      "quadrant": "AV quadrant (test)"})


def task_figure(task):
  """The key of FIGURES a task is drawn with, or None.

  Args:
    task: a jmer.tasks.Task.

  Returns:
    A key of FIGURES, or None for no figure.
  """
  if task.name in FIGURE_OF:
    return FIGURE_OF[task.name]
  return outputs_lib.formatter_of(FIGURE_OF_FORM, task, "the run's figures")


def write_figures(workdir: pathlib.Path, results: dict, preds: dict, split, genre_names):
  """Draws each task's figure (a confusion matrix, the AV scatter), then the learning curves.

  Args:
    workdir: the run's folder; figures go to its figures/ subfolder.
    results: the test metrics, {metrics key: metrics dict}.
    preds: predict_tracks' result for `split`.
    split: the test split.
    genre_names: the genre vocabulary.
  Returns:
    None.
  """
  figures = workdir / "figures"
  figures.mkdir(parents=True, exist_ok=True)
  for task in tasks_lib.TASKS.values():
    figure = task_figure(task)
    if figure:
      draw, filename = FIGURES[figure]
      draw(task, results, preds, split, genre_names, figures / filename.format(task=task.name))
  history = workdir / "history.csv"
  if history.exists():
    plots.plot_learning_curves(history, figures / "learning_curves.png")


def report_without_test(data, config, workdir, extra: dict | None = None,
                        data_notes: dict | None = None) -> dict:
  """Writes metrics.json for a final fit on every track (data.test_fraction = 0).

  The report says what was trained, on which data, with no test metrics (there is no held-out
  track to score).

  Args:
    data: the run's data (jmer.data.loading.RunData).
    config: the run's config.
    workdir: the run's folder.
    extra, data_notes: as for evaluate_and_report.
  Returns:
    The report written to metrics.json.
  """
  report = dict(metrics={}, test_tracks=0, **(extra or {}), config=config.to_dict(),
                versions=provenance.package_versions(),
                data=dict(data.description, **(data_notes or {})))
  provenance.write_json(pathlib.Path(workdir) / "metrics.json", report)
  print(f"\nNo test split (data.test_fraction = 0): trained on every track, nothing to score. "
        f"Wrote {pathlib.Path(workdir) / 'metrics.json'} and {pathlib.Path(workdir) / 'model.keras'}.")
  return report


def evaluate_and_report(model, data, config, workdir, extra: dict | None = None,
                        data_notes: dict | None = None) -> dict:
  """Evaluates `model` on the test split, writes every output file and prints the table.

  Args:
    model: the inference model (task heads only).
    data: the run's data (jmer.data.loading.RunData).
    config: the run's config.
    workdir: where metrics.json, test_predictions.csv and figures/ go.
    extra: top-level entries of metrics.json besides the metrics (e.g. 'training').
    data_notes: entries added to metrics.json's 'data' section (data.description), e.g. the
      transfer leakage check.
  Returns:
    The report written to metrics.json.
  """
  workdir = pathlib.Path(workdir)
  split = data.splits["test"]
  if not split.tracks:
    raise ValueError("The test split is empty: set data.test_fraction > 0 or provide test tracks.")
  preds = predict_tracks(model, split, config)
  results = track_metrics(preds, split.tracks, data.genre_names, config)
  write_predictions_csv(workdir / "test_predictions.csv", preds, split, data.genre_names)
  write_figures(workdir, results, preds, split, data.genre_names)
  by_dataset = per_dataset_metrics(preds, split.tracks, data.genre_names, config)
  reference = baseline.mfcc_baseline(data, config)
  report = dict(metrics=results, per_dataset=by_dataset, baseline_mfcc_linear=reference,
                **(extra or {}),
                config=config.to_dict(), versions=provenance.package_versions(),
                data=dict(data.description, **(data_notes or {})))
  provenance.write_json(workdir / "metrics.json", report)
  print(f"\nTest metrics ({len(split.tracks)} held-out tracks, segment predictions averaged "
        f"per track):\n{metrics_lib.format_metrics_table(results)}")
  if reference:
    print("\nBaseline on the same split (linear models on clip-averaged MFCC mean+std):\n"
          + metrics_lib.format_metrics_table(reference))
  if len(by_dataset) > 1:
    for name, own in by_dataset.items():
      print(f"\n{name} test tracks only:\n{metrics_lib.format_metrics_table(own)}")
  print(f"Wrote {workdir / 'metrics.json'}, {workdir / 'test_predictions.csv'} and "
        f"{workdir / 'figures'}/")
  return report
