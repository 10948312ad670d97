"""Evaluation metrics for the genre, arousal–valence and quadrant heads.

Everything here works on plain numpy arrays (model outputs collected after `predict`) and returns
plain python floats / ints / lists / dicts, so results can go straight into a JSON report.
Undefined values (too few samples, constant inputs, a class set that makes AUC meaningless) come
back as nan rather than raising: an evaluation at the end of a long run should not crash because
one split happens to be small.
"""

import math

import numpy as np
from sklearn.metrics import (accuracy_score, average_precision_score, confusion_matrix, f1_score,
                             r2_score, roc_auc_score, root_mean_squared_error)

_NAN = float("nan")


def _pair(y_true, y_pred):
  t = np.asarray(y_true, dtype=np.float64).ravel()
  p = np.asarray(y_pred, dtype=np.float64).ravel()
  if t.shape != p.shape:
    raise ValueError(f"y_true and y_pred differ in size: {t.shape} vs {p.shape}")
  return t, p


def ccc(y_true, y_pred) -> float:
  """Lin's concordance correlation coefficient with population (ddof=0) moments.

  Unlike Pearson's r it also penalises bias and scale errors, which is why it is the headline
  metric for continuous emotion. nan for < 2 samples or a zero denominator (both inputs the
  same constant); two *different* constants give 0 (no covariance, but a real mean mismatch).

  Args:
    y_true: the true values, any shape (flattened).
    y_pred: the predictions, the same number of values.
  Returns:
    The CCC in [-1, 1], or nan.
  """
  t, p = _pair(y_true, y_pred)
  if t.size < 2:
    return _NAN
  mt, mp = t.mean(), p.mean()
  cov = np.mean((t - mt) * (p - mp))
  denom = t.var() + p.var() + (mt - mp) ** 2
  if denom == 0:
    return _NAN
  return float(2.0 * cov / denom)


def pearson_r(y_true, y_pred) -> float:
  """Pearson correlation; nan for < 2 samples or a constant input.

  Computed directly rather than via scipy.stats.pearsonr, which warns on constant input and
  raises for fewer than 2 samples — both normal for a small masked split.

  Args:
    y_true: the true values, any shape (flattened).
    y_pred: the predictions, the same number of values.
  Returns:
    r in [-1, 1], or nan.
  """
  t, p = _pair(y_true, y_pred)
  if t.size < 2:
    return _NAN
  dt, dp = t - t.mean(), p - p.mean()
  denom = math.sqrt(float(np.sum(dt * dt)) * float(np.sum(dp * dp)))
  if denom == 0:
    return _NAN
  # Clip: rounding can push a perfect correlation a hair past ±1.
  return float(np.clip(np.sum(dt * dp) / denom, -1.0, 1.0))


def rmse(y_true, y_pred) -> float:
  """Root mean squared error (nan for no samples).

  Args:
    y_true: the true values, any shape (flattened).
    y_pred: the predictions, the same number of values.
  Returns:
    The RMSE, in the values' units.
  """
  t, p = _pair(y_true, y_pred)
  if t.size == 0:
    return _NAN
  return float(root_mean_squared_error(t, p))


def r2(y_true, y_pred) -> float:
  """Coefficient of determination (sklearn's r2_score).

  nan for < 2 samples or constant y_true: R² is undefined there, and sklearn's default stand-ins
  (1.0 or 0.0) would look like real scores when averaged across runs.

  Args:
    y_true: the true values, any shape (flattened).
    y_pred: the predictions, the same number of values.
  Returns:
    R² (at most 1), or nan.
  """
  t, p = _pair(y_true, y_pred)
  if t.size < 2 or np.all(t == t[0]):
    return _NAN
  return float(r2_score(t, p))


def regression_metrics(y_true, y_pred, names=("arousal", "valence")) -> dict:
  """Per-dimension rmse / ccc / pearson_r / r2 / n for (N, D) arrays plus their mean CCC.

  A NaN in y_true marks a missing label; it is masked per dimension, so a dataset annotating only
  arousal for some clips still contributes those clips to the arousal metrics.

  Args:
    y_true: (N, D) true values, NaN where missing.
    y_pred: (N, D) predicted values.
    names: the D dimensions' names, in column order.

  Returns:
    {name: {"rmse", "ccc", "pearson_r", "r2": float, "n": int}} per dimension, plus
    "mean_ccc": the plain mean of the dimensions' CCCs (nan if any is undefined).

  Raises:
    ValueError when y_true and y_pred differ in shape.
  """
  names = tuple(names)
  t = np.asarray(y_true, dtype=np.float64).reshape(-1, len(names))
  p = np.asarray(y_pred, dtype=np.float64).reshape(-1, len(names))
  if t.shape != p.shape:
    raise ValueError(f"y_true and y_pred differ in shape: {t.shape} vs {p.shape}")
  out = {}
  for j, name in enumerate(names):
    keep = ~np.isnan(t[:, j])
    tj, pj = t[keep, j], p[keep, j]
    out[name] = {"rmse": rmse(tj, pj), "ccc": ccc(tj, pj), "pearson_r": pearson_r(tj, pj),
                 "r2": r2(tj, pj), "n": int(keep.sum())}
  # Plain mean (not nanmean): if one dimension is undefined the summary should say so.
  out["mean_ccc"] = float(np.mean([out[n]["ccc"] for n in names])) if names else _NAN
  return out


def _roc_auc_present(y, probs, present) -> float:
  """Macro one-vs-rest ROC-AUC over the classes present in y, each from its raw column.

  AUC for a class with no positives is undefined, so absent classes are left out of the mean.
  Each present class is ranked by its own probability as the model gave it: renormalising the
  columns over the present classes would divide every row by a different total and reorder the
  tracks within a column.
  """
  if present.size < 2:
    return _NAN
  return float(np.mean([roc_auc_score(y == c, probs[:, c]) for c in present]))


def classification_metrics(y_true, probs, class_names) -> dict:
  """accuracy, macro_f1, per-class f1, K×K confusion matrix, macro OvR ROC-AUC and counts.

  y_true holds integer class ids (< 0 = no label, ignored); probs is (N, K) class probabilities.
  A labelled row whose probabilities are not all finite is no prediction (e.g. the quadrant of
  a NaN arousal–valence point): it is left out of every number and counted in n_no_prediction,
  rather than scored as whatever argmax makes of it.

  macro_f1 and roc_auc_ovr average over the classes present in the evaluated labels only (named
  in averaged_classes): a class with no track in the test labels has no recall, and counting it
  as F1 = 0 would cap macro-F1 at (present / K) whatever the model does. per_class_f1 and the
  confusion matrix keep all K classes so their shape does not depend on the split; an absent
  class's F1 is nan.

  Args:
    y_true: (N,) integer class ids; < 0 or NaN means no label.
    probs: (N, K) class probabilities.
    class_names: the K classes' names, in column order.

  Returns:
    {"accuracy", "macro_f1", "roc_auc_ovr": float, "averaged_classes": [name],
    "per_class_f1": {name: float}, "confusion_matrix": K×K list of counts (rows true),
    "n": rows scored, "n_no_prediction": labelled rows without finite probabilities}.

  Raises:
    ValueError when probs is not (N, K) or a class id is >= K.
  """
  class_names = [str(c) for c in class_names]
  k = len(class_names)
  y = np.asarray(y_true, dtype=np.float64).ravel()
  y = np.where(np.isnan(y), -1, y).astype(np.int64)  # a NaN label is as missing as -1
  probs = np.asarray(probs, dtype=np.float64)
  if probs.shape != (y.size, k):
    raise ValueError(f"probs has shape {probs.shape}, expected ({y.size}, {k}) for "
                     f"{y.size} labels and {k} class names")
  if np.any(y >= k):
    raise ValueError(f"y_true contains class ids >= {k}")
  labelled = y >= 0
  predicted = np.isfinite(probs).all(axis=1)
  n_no_prediction = int(np.sum(labelled & ~predicted))
  y, probs = y[labelled & predicted], probs[labelled & predicted]
  labels = list(range(k))
  present = np.unique(y)
  counts = {"n": int(y.size), "n_no_prediction": n_no_prediction}
  if y.size == 0:
    return {"accuracy": _NAN, "macro_f1": _NAN, "averaged_classes": [],
            "per_class_f1": {c: _NAN for c in class_names},
            "confusion_matrix": [[0] * k for _ in range(k)], "roc_auc_ovr": _NAN, **counts}
  pred = probs.argmax(axis=1)
  per_class = f1_score(y, pred, labels=labels, average=None, zero_division=0)
  per_class = np.where(np.isin(labels, present), per_class, _NAN)
  return {
      "accuracy": float(accuracy_score(y, pred)),
      "macro_f1": float(np.mean(per_class[present])),
      "averaged_classes": [class_names[c] for c in present],
      "per_class_f1": {c: float(f) for c, f in zip(class_names, per_class)},
      "confusion_matrix": confusion_matrix(y, pred, labels=labels).tolist(),
      "roc_auc_ovr": _roc_auc_present(y, probs, present),
      **counts,
  }


def multilabel_metrics(y_true, probs, class_names, threshold: float = 0.5) -> dict:
  """mean average precision, macro ROC-AUC, micro/macro F1 and per-class AP/F1/support.

  y_true is (N, K) 0/1 (a row with NaN = no label, ignored); probs is (N, K) per-class sigmoid
  probabilities. A class is *scored* when the labelled rows hold at least one positive and one
  negative of it (AP and ROC-AUC are undefined otherwise); the macro averages (mAP, roc_auc_macro,
  macro_f1) are over the scored classes, named in averaged_classes. F1 thresholds at
  `threshold`; micro_f1 pools every scored class's decisions.

  Args:
    y_true: (N, K) 0/1 labels; a row holding a NaN is unlabelled.
    probs: (N, K) per-class probabilities; rows not all finite are left out.
    class_names: the K classes' names, in column order.
    threshold: the probability at or above which a class counts as predicted (for F1).

  Returns:
    {"mean_average_precision", "roc_auc_macro", "macro_f1", "micro_f1": float,
    "averaged_classes": [name], "per_class": {name: {"average_precision", "f1": float,
    "support": positives}}, "n": rows scored}.

  Raises:
    ValueError when y_true and probs are not both (N, K).
  """
  class_names = [str(c) for c in class_names]
  truth = np.asarray(y_true, dtype=np.float64)
  probs = np.asarray(probs, dtype=np.float64)
  if truth.shape != probs.shape or truth.ndim != 2 or truth.shape[1] != len(class_names):
    raise ValueError(f"y_true {truth.shape} and probs {probs.shape} must both be (N, "
                     f"{len(class_names)}) for {len(class_names)} class names")
  keep = ~np.isnan(truth).any(axis=1) & np.isfinite(probs).all(axis=1)
  truth, probs = truth[keep].astype(np.int64), probs[keep]
  positives = truth.sum(axis=0)
  scored = np.flatnonzero((positives > 0) & (positives < len(truth)))
  pred = (probs >= threshold).astype(np.int64)
  per_class = {}
  for k, name in enumerate(class_names):
    ok = k in scored
    per_class[name] = dict(
        average_precision=float(average_precision_score(truth[:, k], probs[:, k])) if ok else _NAN,
        f1=float(f1_score(truth[:, k], pred[:, k], zero_division=0)) if ok else _NAN,
        support=int(positives[k]))
  mean = lambda key: float(np.mean([per_class[class_names[k]][key] for k in scored])) \
      if scored.size else _NAN  # noqa: E731
  return {
      "mean_average_precision": mean("average_precision"),
      "roc_auc_macro": float(np.mean([roc_auc_score(truth[:, k], probs[:, k]) for k in scored]))
      if scored.size else _NAN,
      "macro_f1": mean("f1"),
      "micro_f1": float(f1_score(truth[:, scored], pred[:, scored], average="micro",
                                 zero_division=0)) if scored.size else _NAN,
      "averaged_classes": [class_names[k] for k in scored],
      "per_class": per_class,
      "n": int(len(truth)),
  }


# How each kind of task (jmer.tasks) is scored: (truth, predictions, names) -> metrics dict.
METRICS_OF_KIND = {"classification": classification_metrics, "regression": regression_metrics,
                   "multilabel": multilabel_metrics}


def metric_kind(metrics: dict) -> str | None:
  """The kind of a metrics dict made by METRICS_OF_KIND, recognised by its keys (so reports from
  older runs and other datasets read the same).

  Args:
    metrics: any value; only dicts can be recognised.

  Returns:
    'classification', 'regression' or 'multilabel'; None for anything else.
  """
  if not isinstance(metrics, dict):
    return None
  if "accuracy" in metrics and "macro_f1" in metrics:
    return "classification"
  if "mean_ccc" in metrics:
    return "regression"
  if "mean_average_precision" in metrics:
    return "multilabel"
  return None


def headline_values(metrics: dict) -> dict:
  """The numbers of a METRICS_OF_KIND dict worth averaging over folds, recognised by shape like
  metric_kind.

  Args:
    metrics: one task's metrics dict.

  Returns:
    {'metric' or 'dimension/metric': value}: accuracy, macro-F1 and ROC-AUC for
    classification; mean CCC and each dimension's CCC, RMSE and r for regression; mAP,
    macro ROC-AUC and micro/macro F1 for multilabel; {} for anything else.
  """
  kind = metric_kind(metrics)
  if kind == "classification":
    return {k: metrics[k] for k in ("accuracy", "macro_f1", "roc_auc_ovr") if k in metrics}
  if kind == "regression":
    out = {"mean_ccc": metrics["mean_ccc"]}
    for dim, d in metrics.items():
      if isinstance(d, dict):
        out.update({f"{dim}/{k}": d[k] for k in ("ccc", "rmse", "pearson_r") if k in d})
    return out
  if kind == "multilabel":
    return {k: metrics[k] for k in ("mean_average_precision", "roc_auc_macro", "macro_f1",
                                    "micro_f1")}
  return {}


def _fmt(value) -> str:
  if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
    return str(int(value))
  value = float(value)
  return "nan" if math.isnan(value) else f"{value:.3f}"


def _over_present(m: dict) -> str:
  """Which classes a macro average covers: '  (over the 6 of 10 classes present in the test
  labels)'; '' for a metrics dict from before averaged_classes existed."""
  if "averaged_classes" not in m:
    return ""
  return (f"  (over the {len(m['averaged_classes'])} of {len(m['per_class_f1'])} classes "
          "present in the test labels)")


def format_metrics_table(metrics: dict) -> str:
  """Fixed-width text table of a {"genre": cls, "emotion_av": reg, "quadrant": cls} dict.

  Entries are recognised by shape rather than by key, so any subset (or extra tasks with other
  names) works; entries of no known kind are skipped.

  Args:
    metrics: {task or output name: that task's metrics dict}.

  Returns:
    One line per (name, metric, value), columns aligned; "(no metrics)" when nothing is known.
  """
  rows = []  # (label, metric, value string)
  for task, m in metrics.items():
    kind = metric_kind(m)
    if kind == "classification":
      rows += [(task, "accuracy", _fmt(m["accuracy"])),
               (task, "macro-F1", _fmt(m["macro_f1"]) + _over_present(m)),
               (task, "ROC-AUC (OvR)", _fmt(m.get("roc_auc_ovr", _NAN))),
               (task, "n", _fmt(m.get("n", 0)))]
      if m.get("n_no_prediction"):
        rows.append((task, "no prediction", _fmt(m["n_no_prediction"]) + " (not scored)"))
    elif kind == "regression":
      for dim, d in m.items():
        if isinstance(d, dict):
          rows.append((dim, "CCC / RMSE / r / R²", " / ".join(
              _fmt(d[key]) for key in ("ccc", "rmse", "pearson_r", "r2"))))
          rows.append((dim, "n", _fmt(d.get("n", 0))))
      rows.append((task, "mean CCC", _fmt(m["mean_ccc"])))
    elif kind == "multilabel":
      over = (f"  (over the {len(m['averaged_classes'])} of {len(m['per_class'])} classes with "
              "positives and negatives in the test labels)")
      rows += [(task, "mAP", _fmt(m["mean_average_precision"]) + over),
               (task, "ROC-AUC (macro)", _fmt(m["roc_auc_macro"])),
               (task, "F1 micro / macro", f"{_fmt(m['micro_f1'])} / {_fmt(m['macro_f1'])}"),
               (task, "n", _fmt(m["n"]))]
  if not rows:
    return "(no metrics)"
  w0 = max(len(r[0]) for r in rows)
  w1 = max(len(r[1]) for r in rows)
  return "\n".join(f"{a:<{w0}}  {b:<{w1}}  {c}" for a, b, c in rows)
