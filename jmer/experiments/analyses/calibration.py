"""Are the shipped recipe's probabilities honest, and does one temperature per head make them so?
(CALIBRATION.md, its reliability diagram and the model card's calibration numbers.)

Collects the joint cell of experiments/shipped_recipe.py (the recipe as it ships): every fold
model predicts its own test clips again, so each GTZAN clip has the genre head's and each 4Q
clip the quadrant head's out-of-fold probabilities, once per split seed, from a model that never
trained on it. test_predictions.csv keeps only the top class, so the probabilities come from the
fold's model.keras on the fold's test split (checked against the CSV's predicted classes).

Everything else is computed from the raw file alone (jmer.evaluation.calibration):
- cross-fitted temperature scaling: for each fold, one temperature per head fitted (negative
  log-likelihood) on the other four folds' out-of-fold probabilities of the same split seed,
  applied to this fold's, so no clip is calibrated with a temperature its own label shaped;
- ECE (15 equal-width bins of top-1 probability) and NLL before and after, pooled per split seed
  (its 5 folds cover every clip once) and per fold;
- the shipped temperatures: one per head fitted on all the out-of-fold probabilities (each clip
  once per split seed), which tools/calibrate_model.py writes into the shipped model file.
"""

import numpy as np

from jmer.experiments import formatting
from jmer.experiments.analyses import definition
from jmer.experiments.analyses import suite_runs
from jmer.tasks import labels

NAME = "calibration"
CELL = "joint"  # the shipped recipe's cell of experiments/shipped_recipe.py
SEEDS = (1, 2, 3)  # split seed 0 chose the recipe; calibration is measured on the others
# head -> (the dataset whose clips carry its labels, its classes, what the report calls them)
HEADS = {"genre": ("gtzan", labels.GTZAN_GENRES, "genre (gtzan_real, 296 clips)"),
         "quadrant": ("4q", labels.QUADRANTS, "quadrant (4q_dev, 450 clips)")}
FIGURE = "calibration_reliability.png"
CARD_START = "<!-- CALIBRATION:start (jmer.experiments.analyses.calibration) -->"
CARD_END = "<!-- CALIBRATION:end -->"
DECIMALS = 4  # log-probabilities: 4 decimals keep every probability to 1 part in 10^4


def collect(root) -> dict:
  """The out-of-fold probabilities of the joint cell's fold models, with the true classes.

  Args:
    root: the root of an experiments/shipped_recipe.py suite (at least its joint cell).

  Returns:
    {format, generator, source, cell, n_bins, heads: {head: {dataset, classes}}, runs: [{seed,
    fold, head, clips: [track ids], labels: [class ids], log_p: [[log-probabilities]]}]}.

  Raises:
    FileNotFoundError: the root has no finished run of the cell.
  """
  from jmer.evaluation import calibration as calibration_lib
  runs = [r for r in suite_runs.fold_runs(root) if r.cell == CELL and r.split_seed in SEEDS]
  if not runs:
    raise FileNotFoundError(f"{root}: no finished run of the {CELL!r} cell on split seeds {SEEDS}")
  out = []
  for run in runs:
    tracks, probs = _fold_probabilities(root, run)
    for head, (dataset, classes, _) in HEADS.items():
      keep = [i for i, t in enumerate(tracks) if t.dataset == dataset]
      task_labels = [int(t.genre if head == "genre" else t.quadrant) for t in tracks]
      out.append(dict(seed=run.split_seed, fold=run.fold, head=head,
                      clips=[tracks[i].track_id for i in keep],
                      labels=[task_labels[i] for i in keep],
                      log_p=np.round(calibration_lib.log_probabilities(probs[head][keep]),
                                     DECIMALS).tolist()))
    print(f"split seed {run.split_seed} fold {run.fold}: {len(tracks)} test clips", flush=True)
  return dict(format=1, generator=f"jmer.experiments.analyses.{NAME}",
              source=f"the {CELL} cell of experiments/shipped_recipe.py (split seeds "
                     f"{', '.join(map(str, SEEDS))} x 5 artist-grouped folds)",
              cell=CELL, n_bins=calibration_lib.N_BINS,
              heads={h: dict(dataset=d, classes=list(c)) for h, (d, c, _) in HEADS.items()},
              runs=out)


def _fold_probabilities(root, run) -> tuple:
  """(test tracks, {head: (n, K) probabilities}) of one fold, from the fold's own model, checked
  against the predicted classes its test_predictions.csv recorded."""
  from jmer.data import loading
  from jmer.evaluation import evaluate
  from jmer.experiments import runner
  from jmer.models import model_file
  suite = dict(suite_runs.record(root), split_seed=run.split_seed)
  config = runner.run_config(suite, CELL, run.fold, root)  # the runner's own config
  test = loading.load_run_data(config, progress=False).splits["test"]
  model = model_file.load_model_bundle(run.dir / model_file.MODEL_FILENAME).model
  probs = evaluate.predict_tracks(model, test, config)
  recorded = {r["track_id"]: r for r in run.predictions()}
  for i, track in enumerate(test.tracks):
    for head, (dataset, classes, _) in HEADS.items():
      said = recorded[track.track_id][f"pred_{head}"]
      if track.dataset == dataset and classes[int(np.argmax(probs[head][i]))] != said:
        raise ValueError(f"{run.dir}: the fold model calls {track.track_id} "
                         f"{classes[int(np.argmax(probs[head][i]))]}, its test_predictions.csv "
                         f"{said}")
  return test.tracks, {head: np.asarray(probs[head], np.float64) for head in HEADS}


def _arrays(rows) -> tuple:
  """(probabilities (N, K), true class ids (N,)) of raw runs' rows, concatenated."""
  log_p = np.concatenate([np.asarray(r["log_p"], np.float64) for r in rows])
  probs = np.exp(log_p)
  return probs / probs.sum(axis=1, keepdims=True), np.concatenate([r["labels"] for r in rows])


def _rows(raw, head, seeds=SEEDS) -> list:
  return [r for r in raw["runs"] if r["head"] == head and r["seed"] in seeds]


def cross_fitted(raw, head) -> list:
  """Each fold's temperature fitted on the other folds of its split seed, and its clips.

  Args:
    raw: the raw results.
    head: 'genre' or 'quadrant'.

  Returns:
    [{seed, fold, temperature, probs, calibrated, vector, labels}], one per fold, in raw order:
    `calibrated` by the fold's temperature, `vector` by vector scaling fitted the same way.
  """
  from jmer.evaluation import calibration as calibration_lib
  out = []
  for row in _rows(raw, head):
    others = _arrays([r for r in _rows(raw, head, (row["seed"],)) if r["fold"] != row["fold"]])
    t = calibration_lib.fit_temperature(*others)
    probs, truth = _arrays([row])
    out.append(dict(seed=row["seed"], fold=row["fold"], temperature=t, probs=probs,
                    calibrated=calibration_lib.apply_temperature(probs, t), labels=truth,
                    vector=calibration_lib.apply_vector_scaling(
                        probs, *calibration_lib.fit_vector_scaling(*others))))
  return out


def shipped_temperatures(raw) -> dict:
  """{head: T} fitted on every out-of-fold probability of split seeds 1-3 (what ships).

  Args:
    raw: the raw results.

  Returns:
    {head: temperature, rounded to 4 decimals}.
  """
  from jmer.evaluation import calibration as calibration_lib
  return {head: round(calibration_lib.fit_temperature(*_arrays(_rows(raw, head))), 4)
          for head in raw["heads"]}


def _scores(folds, key, n_bins, floor: bool = False) -> dict:
  """ECE, NLL, accuracy and mean top-1 probability of `key` ('probs', 'calibrated' or
  'vector'), per fold and pooled per split seed: {metric: ([per fold], [per seed])}; with
  floor, also 'honest': the ECE those probabilities would show if they were exactly right."""
  from jmer.evaluation import calibration as calibration_lib
  measures = dict(
      ece=lambda p, y: calibration_lib.expected_calibration_error(p, y, n_bins),
      nll=calibration_lib.negative_log_likelihood,
      accuracy=lambda p, y: float(np.mean(p.argmax(axis=1) == y)),
      confidence=lambda p, y: float(np.mean(p.max(axis=1))))
  if floor:
    measures["honest"] = lambda p, y: calibration_lib.ece_if_honest(p, n_bins)
  seeds = sorted({f["seed"] for f in folds})
  pooled = {s: (np.concatenate([f[key] for f in folds if f["seed"] == s]),
                np.concatenate([f["labels"] for f in folds if f["seed"] == s])) for s in seeds}
  return {name: ([fn(f[key], f["labels"]) for f in folds],
                 [fn(*pooled[s]) for s in seeds]) for name, fn in measures.items()}


def _summary(raw) -> dict:
  """{head: {'before', 'after', 'vector': _scores, 'temperatures': [per fold], 'n': clips per
  seed, 'shipped': T}}."""
  shipped = shipped_temperatures(raw)
  out = {}
  for head in raw["heads"]:
    folds = cross_fitted(raw, head)
    out[head] = dict(before=_scores(folds, "probs", raw["n_bins"]),
                     after=_scores(folds, "calibrated", raw["n_bins"], floor=True),
                     vector=_scores(folds, "vector", raw["n_bins"]),
                     temperatures=[f["temperature"] for f in folds], shipped=shipped[head],
                     n=sum(len(f["labels"]) for f in folds) // len({f["seed"] for f in folds}))
  return out


def _cell(values) -> str:
  return formatting.mean_sd_text(values, "(n={n})")


HONEST = ("*ECE if honest*: the ECE the calibrated probabilities would show on the same clips "
          "if they were exactly right (each clip's label drawn from them, mean of 200 draws). "
          "ECE over few clips is biased upwards, so this is the floor a measured ECE is read "
          "against.")


def _tables(summary, labels_of) -> list:
  lines = ["## Pooled: each split seed's 5 test folds together (every clip once)", "",
           "Mean ± SD over the split seeds. Accuracy is the same before and after: one "
           f"temperature per head never changes which class is on top. {HONEST}", "",
           "| head | clips | accuracy | mean top-1 probability, before | after | ECE before | "
           "ECE after | ECE if honest | NLL before | NLL after |",
           "|---|---|---|---|---|---|---|---|---|---|"]
  for head, s in summary.items():
    b, a = s["before"], s["after"]
    lines.append(f"| {labels_of[head]} | {s['n']} | {_cell(b['accuracy'][1])} | "
                 f"{_cell(b['confidence'][1])} | {_cell(a['confidence'][1])} | "
                 f"{_cell(b['ece'][1])} | {_cell(a['ece'][1])} | {_cell(a['honest'][1])} | "
                 f"{_cell(b['nll'][1])} | {_cell(a['nll'][1])} |")
  lines += ["", "## Per fold", "",
            "Mean ± SD over the 15 folds. A fold has few clips (about 60 GTZAN, 90 4Q) for 15 "
            "bins, so its ECE is noisy and far above zero even for honest probabilities (ECE if "
            "honest).", "",
            "| head | temperature (fitted on the other 4 folds) | ECE before | ECE after | "
            "ECE if honest | NLL before | NLL after |", "|---|---|---|---|---|---|---|"]
  for head, s in summary.items():
    b, a = s["before"], s["after"]
    lines.append(f"| {labels_of[head]} | {_cell(s['temperatures'])} | {_cell(b['ece'][0])} | "
                 f"{_cell(a['ece'][0])} | {_cell(a['honest'][0])} | {_cell(b['nll'][0])} | "
                 f"{_cell(a['nll'][0])} |")
  return lines


def _vector_verdict(s) -> str:
  """'better', 'worse' or 'mixed': vector scaling's pooled mean ECE and NLL against the
  temperature's."""
  lower = [np.mean(s["vector"][m][1]) < np.mean(s["after"][m][1]) for m in ("ece", "nll")]
  return "better" if all(lower) else "worse" if not any(lower) else "mixed"


def _vector_table(summary, labels_of) -> list:
  lines = ["## Vector scaling instead?", "",
           "One scale and one bias per class (softmax(w ⊙ log p + b), 2K parameters: 20 for "
           "genre, 8 for quadrant) instead of one temperature, fitted and applied the same way "
           "(cross-fitted); it can also correct a head that favours some classes, and can change "
           "the predicted class. Pooled per split seed, mean ± SD over the seeds:", "",
           "| head | ECE, temperature | ECE, vector | NLL, temperature | NLL, vector | "
           "accuracy, temperature | accuracy, vector | vector scaling |",
           "|---|---|---|---|---|---|---|---|"]
  for head, s in summary.items():
    a, v = s["after"], s["vector"]
    lines.append(f"| {labels_of[head]} | {_cell(a['ece'][1])} | {_cell(v['ece'][1])} | "
                 f"{_cell(a['nll'][1])} | {_cell(v['nll'][1])} | {_cell(a['accuracy'][1])} | "
                 f"{_cell(v['accuracy'][1])} | {_vector_verdict(s)} |")
  pays = [head for head, s in summary.items() if _vector_verdict(s) == "better"]
  lines += ["", ("Vector scaling is better (lower ECE and NLL) for " + ", ".join(pays) + "."
                 if pays else "Vector scaling does not pay on either head (better means lower "
                 "mean ECE and NLL): one temperature per head ships.")]
  return lines


def render(raw: dict) -> str:
  """CALIBRATION.md from the raw results alone."""
  summary = _summary(raw)
  labels_of = {head: label for head, (_, _, label) in HEADS.items()}
  lines = [
      "# Calibration: temperature scaling of the shipped recipe's two heads", "",
      f"Generated by `{definition.generator(raw, NAME)}` from `calibration_results.json` (do "
      f"not edit): the out-of-fold probabilities of {raw['source']}, each clip predicted by a "
      "fold model that never trained on it.", "",
      "**Method.** One temperature T per head: the head's probabilities become "
      "softmax(log p / T), its logits divided by T (T > 1 softens them). Cross-fitted: each "
      "fold's T is fitted (minimum negative log-likelihood) on the other four folds' "
      "out-of-fold probabilities of the same split seed and applied to this fold's, so no "
      f"clip's own label shapes its calibration. ECE: {raw['n_bins']} equal-width bins of the "
      "top-1 probability, Σ (clips in bin / clips) · |accuracy − mean top-1 probability|. NLL: "
      "mean −log p(true class), nats.", ""]
  lines += _tables(summary, labels_of) + [""] + _vector_table(summary, labels_of)
  shipped = ", ".join(f"{head} T = {s['shipped']:.3f}" for head, s in summary.items())
  lines += ["", "## What ships", "",
            f"The shipped model's temperatures, fitted on all {len(SEEDS)} split seeds' "
            f"out-of-fold probabilities at once (each clip once per seed): {shipped}. "
            "`tools/calibrate_model.py` writes them into the model file's metadata from this "
            "raw file; `jmer predict`, the Python API and the demo apply them. The shipped "
            "model is trained on every clip, so no clip is left to fit its T on: the fold "
            "models are the same recipe on 4/5 of the clips, the closest stand-in.", "",
            "## Reliability diagram", "",
            f"All {len(SEEDS)} split seeds' out-of-fold probabilities together (each clip once "
            "per seed), before and after each fold's cross-fitted temperature; the legend's ECE "
            "is over all of them, so on 3 times the clips of the tables' pooled ECE and less "
            "biased upwards. Below: the share of clips in each bin.", "",
            f"![Reliability before and after]({FIGURE})", ""]
  return "\n".join(lines)


def draw(raw: dict, path) -> None:
  """The reliability diagram: every split seed's out-of-fold probabilities, before and after
  cross-fitted temperature scaling, one panel per head."""
  from jmer.evaluation import plots
  panels = {}
  for head in raw["heads"]:
    folds = cross_fitted(raw, head)
    truth = np.concatenate([f["labels"] for f in folds])
    panels[f"{head} ({len(truth)} out-of-fold predictions)"] = {
        "before": (np.concatenate([f["probs"] for f in folds]), truth),
        "after, cross-fitted T": (np.concatenate([f["calibrated"] for f in folds]), truth)}
  plots.plot_reliability_diagram(panels, path, n_bins=raw["n_bins"])


def card_block(raw: dict) -> str:
  """The model card's calibration numbers (between its CALIBRATION markers)."""
  summary = _summary(raw)
  rows = [f"| {head} | {s['shipped']:.3f} | {_cell(s['before']['ece'][1])} | "
          f"{_cell(s['after']['ece'][1])} | {_cell(s['after']['honest'][1])} | "
          f"{_cell(s['before']['confidence'][1])} | {_cell(s['after']['confidence'][1])} | "
          f"{_cell(s['before']['accuracy'][1])} |" for head, s in summary.items()]
  return "\n".join([
      f"Split seeds {', '.join(map(str, SEEDS))}, each seed's out-of-fold probabilities pooled "
      "(every clip once), mean ± SD over the seeds; after = with the cross-fitted temperature; "
      "ECE if honest = what exactly right probabilities would show on as many clips (the floor "
      "a measured ECE is read against):", "",
      "| head | shipped T | ECE before | ECE after | ECE if honest | mean top-1 probability, "
      "before | after | accuracy |", "|---|---|---|---|---|---|---|---|", *rows])


def card_text(raw: dict, card: str) -> str:
  """The model card with its CALIBRATION block replaced by card_block(raw).

  Raises:
    ValueError: the card has no CALIBRATION markers.
  """
  start, end = card.find(CARD_START), card.find(CARD_END)
  if start < 0 or end < start:
    raise ValueError(f"the model card has no {CARD_START} ... {CARD_END} block")
  return card[:start + len(CARD_START)] + "\n" + card_block(raw) + "\n" + card[end:]


ANALYSIS = definition.Analysis(
    name=NAME, raw_file="calibration_results.json", report_file="CALIBRATION.md",
    collect=collect, render=render, figure_file=FIGURE, draw=draw, update_document=card_text,
    raw_indent=0)
