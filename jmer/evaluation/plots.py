"""Evaluation figures: confusion matrix, arousal–valence scatter, learning curves and
reliability diagrams.

Each function takes arrays (or a CSV path) plus an output path, writes a PNG, closes the figure
(so long sweeps don't accumulate open figures) and returns the path.
"""

import csv
import math
import os

import matplotlib

# Headless by construction: training runs on servers without a display, and the default
# interactive backend would fail (or pop up windows) there.
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (must follow matplotlib.use)
import numpy as np  # noqa: E402
from matplotlib.collections import LineCollection  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

from jmer.evaluation import calibration  # noqa: E402

_DPI = 120


def _save(fig, path):
  directory = os.path.dirname(os.fspath(path))
  if directory:
    os.makedirs(directory, exist_ok=True)
  fig.tight_layout()
  fig.savefig(path, dpi=_DPI)
  plt.close(fig)
  return path


def plot_confusion_matrix(cm, class_names, path, title="Confusion matrix"):
  """Confusion matrix (rows true, cols predicted): raw counts as text, row-normalised colour.

  Colour is normalised per true class so rare classes are as readable as common ones; the
  counts stay visible so the normalisation never hides how few samples a row has.

  Args:
    cm: (K, K) counts, rows true and columns predicted.
    class_names: the K classes' names.
    path: the PNG file to write (its folder is created).
    title: the figure title.

  Returns:
    `path`.

  Raises:
    ValueError when cm is not (K, K).
  """
  cm = np.asarray(cm, dtype=np.float64)
  k = len(class_names)
  if cm.shape != (k, k):
    raise ValueError(f"confusion matrix has shape {cm.shape}, expected ({k}, {k})")
  row_sums = cm.sum(axis=1, keepdims=True)
  norm = np.divide(cm, row_sums, out=np.zeros_like(cm), where=row_sums > 0)

  side = max(4.0, 0.55 * k + 2.5)  # grow with the class count so 10 genres stay legible
  fig, ax = plt.subplots(figsize=(side + 1.0, side))
  im = ax.imshow(norm, cmap="Blues", vmin=0.0, vmax=1.0)
  fig.colorbar(im, ax=ax, fraction=0.046, pad=0.04, label="fraction of true class")
  ax.set_xticks(range(k), labels=class_names, rotation=45, ha="right", rotation_mode="anchor")
  ax.set_yticks(range(k), labels=class_names)
  ax.set_xlabel("predicted")
  ax.set_ylabel("true")
  ax.set_title(title)
  fontsize = 9 if k <= 10 else 7
  for i in range(k):
    for j in range(k):
      count = int(round(cm[i, j]))
      # Dark text on light cells, white on dark, so every count reads against its colour.
      ax.text(j, i, str(count), ha="center", va="center", fontsize=fontsize,
              color="white" if norm[i, j] > 0.5 else "black")
  return _save(fig, path)


_QUADRANT_TEXT = (  # (valence x, arousal y, text, horizontal alignment)
    (0.97, 0.97, "Q1 happy", "right"), (-0.97, 0.97, "Q2 angry", "left"),
    (-0.97, -0.97, "Q3 sad", "left"), (0.97, -0.97, "Q4 calm", "right"))


def plot_av_scatter(y_true, y_pred, path, labels=None):
  """True vs predicted points on the valence (x) / arousal (y) plane, joined pairwise.

  Rows with a NaN in either array are not drawn.

  Args:
    y_true: (N, 2) true values, columns (arousal, valence), as in regression_metrics.
    y_pred: (N, 2) predicted values, same columns.
    path: the PNG file to write (its folder is created).
    labels: optional per-point category (e.g. genre name) used to colour points, with a legend.

  Returns:
    `path`.

  Raises:
    ValueError when the arrays differ in shape or labels has a length other than N.
  """
  t, p, labels = _drawable_av_points(y_true, y_pred, labels)
  fig, ax = plt.subplots(figsize=(7.5, 6.0))  # wider than tall: room for the legend
  ax.axhline(0.0, color="0.6", lw=0.8, zorder=0)
  ax.axvline(0.0, color="0.6", lw=0.8, zorder=0)
  for x, y, text, ha in _QUADRANT_TEXT:
    ax.text(x, y, text, ha=ha, va="top" if y > 0 else "bottom", color="0.35", fontsize=10,
            zorder=4, bbox=dict(facecolor="white", edgecolor="none", alpha=0.7, pad=1.5))
  # Each true→predicted error as a thin segment; one LineCollection keeps large N fast.
  segments = np.stack([t[:, ::-1], p[:, ::-1]], axis=1)  # (N, 2 ends, (valence, arousal))
  ax.add_collection(LineCollection(segments, colors="0.55", linewidths=0.5, alpha=0.6, zorder=1))
  handles = _scatter_av_groups(ax, t, p, labels)
  # Marker legend first (what shapes mean), then one entry per colour group.
  handles = [Line2D([], [], ls="", marker="o", color="0.3", label="true"),
             Line2D([], [], ls="", marker="x", color="0.3", label="predicted")] + handles
  ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize=8,
            frameon=False)

  ax.set_xlim(-1.05, 1.05)
  ax.set_ylim(-1.05, 1.05)
  ax.set_aspect("equal")
  ax.set_xlabel("valence")
  ax.set_ylabel("arousal")
  ax.set_title(f"Arousal–valence: true vs predicted (n={len(t)})")
  return _save(fig, path)


def _drawable_av_points(y_true, y_pred, labels):
  """The (arousal, valence) rows without a NaN in either array, and their labels (or None).

  Raises:
    ValueError when the arrays differ in shape or labels has a length other than N.
  """
  t = np.asarray(y_true, dtype=np.float64).reshape(-1, 2)
  p = np.asarray(y_pred, dtype=np.float64).reshape(-1, 2)
  if t.shape != p.shape:
    raise ValueError(f"y_true and y_pred differ in shape: {t.shape} vs {p.shape}")
  keep = ~(np.isnan(t).any(axis=1) | np.isnan(p).any(axis=1))
  if labels is not None:
    labels = np.asarray([str(x) for x in labels])
    if labels.size != keep.size:
      raise ValueError(f"{labels.size} labels for {keep.size} points")
    labels = labels[keep]
  return t[keep], p[keep], labels


def _scatter_av_groups(ax, t, p, labels):
  """True (dots) and predicted (crosses) points, one colour per label; returns legend handles."""
  handles = []
  if labels is None:
    groups = [(None, np.ones(len(t), dtype=bool), "tab:blue")]
  else:
    names = sorted(set(labels.tolist()))
    cmap = plt.get_cmap("tab10" if len(names) <= 10 else "tab20")
    groups = [(n, labels == n, cmap(i % cmap.N)) for i, n in enumerate(names)]
  for name, mask, colour in groups:
    ax.scatter(t[mask, 1], t[mask, 0], s=22, color=colour, edgecolors="none", zorder=2)
    ax.scatter(p[mask, 1], p[mask, 0], s=26, color=colour, marker="x", linewidths=1.0, zorder=3)
    if name is not None:
      handles.append(Line2D([], [], ls="", marker="s", color=colour, label=name))
  return handles


_LR_NAMES = ("lr", "learning_rate")


def _read_history(history_csv):
  """Numeric columns of a Keras CSVLogger file as {name: float array}; blanks become nan."""
  with open(history_csv, newline="") as f:
    rows = list(csv.DictReader(f))
  columns = {}
  for name in (rows[0].keys() if rows else []):
    if name is None:  # extra cells beyond the header
      continue
    values = []
    for row in rows:
      cell = (row.get(name) or "").strip()
      try:
        values.append(float(cell) if cell else math.nan)
      except ValueError:
        break  # not a numeric column (e.g. a tag someone logged); skip it
    else:
      columns[name.strip()] = np.asarray(values)
  return columns


def plot_learning_curves(history_csv, path):
  """One subplot per metric family X with train (X) and validation (val_X) curves.

  Works with any subset of columns, a val_X without X, and a single epoch (markers make a lone
  point visible). A CSV with no metric columns still yields a PNG saying so. Learning-rate
  columns (lr, learning_rate) come last, on a log axis when all positive.

  Args:
    history_csv: a Keras CSVLogger file (one row per epoch).
    path: the PNG file to write (its folder is created).

  Returns:
    `path`.
  """
  columns = _read_history(history_csv)
  n_rows = len(next(iter(columns.values()))) if columns else 0
  epochs = columns.pop("epoch", np.arange(n_rows, dtype=np.float64))
  families = []  # base names in CSV order, each once
  for name in columns:
    base = name[4:] if name.startswith("val_") else name
    if base not in families:
      families.append(base)
  # CSVLogger writes columns alphabetically; put the total loss first and the LR schedule last
  # so the panel that matters most is top-left.
  families.sort(key=lambda b: 0 if b == "loss" else 2 if b in _LR_NAMES else 1)

  if not families or n_rows == 0:
    fig, ax = plt.subplots(figsize=(4, 2.5))
    ax.text(0.5, 0.5, "no metrics logged", ha="center", va="center")
    ax.set_axis_off()
    return _save(fig, path)

  ncols = min(3, len(families))
  nrows = math.ceil(len(families) / ncols)
  fig, axes = plt.subplots(nrows, ncols, figsize=(4.0 * ncols, 3.0 * nrows), squeeze=False)
  for ax, base in zip(axes.flat, families):
    for name, label, colour in ((base, "train", "tab:blue"), ("val_" + base, "val", "tab:orange")):
      # An all-blank column gets no line, so no legend entry promising data that isn't there.
      if name in columns and not np.all(np.isnan(columns[name])):
        ax.plot(epochs, columns[name], marker="o", markersize=3, color=colour, label=label)
    values = np.concatenate([columns[n] for n in (base, "val_" + base) if n in columns])
    # Learning-rate schedules span decades; a log axis shows the decay steps.
    finite = values[~np.isnan(values)]
    if base in _LR_NAMES and finite.size and np.all(finite > 0):
      ax.set_yscale("log")
    ax.set_title(base, fontsize=10)
    ax.set_xlabel("epoch")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # no "epoch 0.5" ticks
    if n_rows == 1:  # a zero-width x range would otherwise get a crowd of ±0.0x ticks
      ax.set_xlim(epochs[0] - 1, epochs[0] + 1)
      ax.set_xticks([epochs[0]])
    ax.grid(alpha=0.3)
    if ax.get_lines():
      ax.legend(fontsize=8)
  for ax in list(axes.flat)[len(families):]:
    ax.set_axis_off()
  return _save(fig, path)


def plot_reliability_diagram(panels: dict, path, n_bins: int = calibration.N_BINS):
  """Reliability diagrams: per panel, accuracy against mean top-1 probability in equal-width
  confidence bins, one curve per set of probabilities, with the clips' share per bin below.

  A calibrated head's points lie on the diagonal; points below it are overconfidence. Each
  curve's legend entry gives its ECE (calibration.expected_calibration_error).

  Args:
    panels: {panel title: {curve label: (probs (N, K), true class ids (N,))}}, e.g.
      {"quadrant": {"before": ..., "after": ...}}.
    path: the PNG file to write (its folder is created).
    n_bins: the confidence bins.

  Returns:
    `path`.
  """
  fig, axes = plt.subplots(2, len(panels), figsize=(4.2 * len(panels), 5.6), squeeze=False,
                           gridspec_kw=dict(height_ratios=(3, 1)), sharex="col")
  colours = plt.get_cmap("tab10").colors
  for column, (title, curves) in enumerate(panels.items()):
    top, bottom = axes[0, column], axes[1, column]
    top.plot([0, 1], [0, 1], color="0.6", lw=0.8, ls="--", label="calibrated")
    width = 1.0 / n_bins / (len(curves) + 1)
    for i, (label, (probs, labels)) in enumerate(curves.items()):
      bins = calibration.reliability_bins(probs, labels, n_bins)
      ece = calibration.expected_calibration_error(probs, labels, n_bins)
      top.plot([b["confidence"] for b in bins], [b["accuracy"] for b in bins], marker="o",
               ms=4, color=colours[i % len(colours)], label=f"{label} (ECE {ece:.3f})")
      total = sum(b["n"] for b in bins)
      bottom.bar([b["low"] + (i + 0.5) * width for b in bins], [b["n"] / total for b in bins],
                 width=width, align="edge", color=colours[i % len(colours)])
    top.set(xlim=(0, 1), ylim=(0, 1), aspect="equal", ylabel="accuracy", title=title)
    top.grid(alpha=0.3)
    top.legend(fontsize=8, loc="upper left")
    bottom.set(xlim=(0, 1), xlabel="top-1 probability (confidence)", ylabel="share of clips")
  return _save(fig, path)
