"""Segment predictions → per-track predictions → metrics, metrics.json, a table and figures."""

import csv
import pathlib

import numpy as np

from jmer import run_record
from jmer.evaluation import baseline
from jmer import labels
from jmer import tasks as tasks_lib
from jmer.evaluation import metrics as metrics_lib
from jmer.evaluation import plots
from jmer.data import pipeline


def predict_tracks(model, split: pipeline.SplitData, config) -> dict:
  """Per-track predictions {head: (n_tracks, dim)} for a split, from its tiled segments, cut
  batch by batch (only the segment predictions are held)."""
  batches, owner = pipeline.tiled_dataset(split, config, shuffle=False)
  seg = model.predict(batches, verbose=0)
  return {name: tasks_lib.TASKS[name].aggregate(values, owner, len(split.tracks))
          for name, values in seg.items()}


def track_metrics(preds: dict, tracks, genre_names, config) -> dict:
  """Test metrics for every head the model has, on the tracks that carry that label."""
  out = {}
  for name in [n for n in tasks_lib.TASKS if n in preds]:  # task order, not model.predict's
    for key, kind, truth, pred, names in tasks_lib.TASKS[name].evaluations(
        tracks, preds[name], genre_names, config):
      out[key] = metrics_lib.METRICS_OF_KIND[kind](truth, pred, names)
  return out


def per_dataset_metrics(preds: dict, tracks, genre_names, config) -> dict:
  """{dataset: metrics} on each dataset's own test tracks, for the tasks it has labels for."""
  out = {}
  for name in dict.fromkeys(t.dataset for t in tracks):
    idx = [i for i, t in enumerate(tracks) if t.dataset == name]
    own = [tracks[i] for i in idx]
    labelled = {k: v[idx] for k, v in preds.items()
                if any(tasks_lib.TASKS[k].labelled(t) for t in own)}
    out[name] = track_metrics(labelled, own, genre_names, config)
  return out


def _predicted_class(probs, i: int):
  """Row i's argmax, or None without that head or for a non-finite row (no prediction, which
  argmax would call class 0)."""
  if probs is None or not np.isfinite(probs[i]).all():
    return None
  return int(np.argmax(probs[i]))


def write_predictions_csv(path, preds: dict, split: pipeline.SplitData, genre_names):
  with open(path, "w", newline="") as fh:
    writer = csv.writer(fh)
    header = ["track_id", "dataset", "true_genre", "pred_genre", "genre_prob",
              "true_arousal", "pred_arousal", "true_valence", "pred_valence", "pred_quadrant", "true_quadrant"]
    writer.writerow(header)
    for i, t in enumerate(split.tracks):
      row = [t.track_id, t.dataset, genre_names[t.genre] if t.genre >= 0 else ""]
      k = _predicted_class(preds.get("genre"), i)
      row += [genre_names[k], f"{preds['genre'][i, k]:.4f}"] if k is not None else ["", ""]
      av = preds.get("emotion")
      row += [f"{t.arousal:.4f}" if t.has_av else "", f"{av[i, 0]:.4f}" if av is not None else "",
              f"{t.valence:.4f}" if t.has_av else "", f"{av[i, 1]:.4f}" if av is not None else ""]
      q = _predicted_class(preds.get("quadrant"), i)
      row += [labels.QUADRANTS[q] if q is not None else ""]
      # The true quadrant: a quadrant-only dataset (4Q) has it without arousal/valence.
      row += [labels.QUADRANTS[t.quadrant] if t.quadrant >= 0 else ""]
      writer.writerow(row)


def write_figures(workdir: pathlib.Path, results: dict, preds: dict, split, genre_names):
  figures = workdir / "figures"
  figures.mkdir(parents=True, exist_ok=True)
  if "genre" in results:
    plots.plot_confusion_matrix(results["genre"]["confusion_matrix"], genre_names,
                                figures / "confusion_genre.png", title="Genre (test tracks)")
  if "quadrant" in results:
    plots.plot_confusion_matrix(results["quadrant"]["confusion_matrix"], labels.QUADRANTS,
                                figures / "confusion_quadrant.png", title="AV quadrant (test)")
  if "emotion" in preds:
    keep = ~np.isnan(split.av).any(axis=1)
    if keep.any():
      names = [genre_names[g] if g >= 0 else "unknown" for g in split.genre[keep]]
      plots.plot_av_scatter(split.av[keep], preds["emotion"][keep], figures / "av_scatter.png",
                            labels=names)
  history = workdir / "history.csv"
  if history.exists():
    plots.plot_learning_curves(history, figures / "learning_curves.png")


def report_without_test(data, config, workdir, extra: dict | None = None) -> dict:
  """Writes metrics.json for a final fit on every track (data.test_fraction = 0): what was
  trained, on which data, with no test metrics (there is no held-out track to score)."""
  report = dict(metrics={}, test_tracks=0, **(extra or {}), config=config.to_dict(),
                versions=run_record.package_versions(), data=data.description)
  run_record.write_json(pathlib.Path(workdir) / "metrics.json", report)
  print(f"\nNo test split (data.test_fraction = 0): trained on every track, nothing to score. "
        f"Wrote {pathlib.Path(workdir) / 'metrics.json'} and {pathlib.Path(workdir) / 'model.keras'}.")
  return report


def evaluate_and_report(model, data, config, workdir, extra: dict | None = None) -> dict:
  """Evaluates `model` on the test split, writes every output file and prints the table."""
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
                config=config.to_dict(), versions=run_record.package_versions(),
                data=data.description)
  run_record.write_json(workdir / "metrics.json", report)
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
