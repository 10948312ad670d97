"""The report's figures, drawn from the runs' files: bars with CI whiskers, pooled confusion
matrices, AV scatter, learning curves and fusion gate weights."""

import math

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from jmer import labels  # noqa: E402
from jmer.experiments import results  # noqa: E402
from jmer.experiments import stats  # noqa: E402


def _grid(n: int, width: float = 3.2, height: float = 3.0):
  cols = min(n, 4)
  rows = math.ceil(n / cols)
  fig, axes = plt.subplots(rows, cols, figsize=(width * cols, height * rows), squeeze=False)
  for ax in axes.flat[n:]:
    ax.axis("off")
  return fig, list(axes.flat)


def _save(fig, path):
  fig.tight_layout()
  fig.savefig(path, dpi=80)
  plt.close(fig)


def experiment_bars(runs_by_cell, cells, metric_labels, path, title):
  """One panel per metric: each cell's mean with its 95% CI whisker and the repeats as dots."""
  fig, axes = _grid(len(metric_labels), width=max(3.0, 0.7 * len(cells) + 1.2))
  for ax, label in zip(axes, metric_labels):
    metric = results.BY_LABEL[label]
    for x, cell in enumerate(cells):
      vals = list(results.values(runs_by_cell[cell], metric).values())
      mean, half, _ = stats.mean_ci(vals)
      if not vals:
        continue
      ax.bar(x, mean, color="C0" if x else "C1", alpha=0.7)
      if math.isfinite(half):
        ax.errorbar(x, mean, yerr=half, color="k", capsize=4)
      ax.plot([x] * len(vals), vals, "k.", markersize=4)
    ax.set_xticks(range(len(cells)), cells, rotation=45, ha="right", fontsize=8)
    ax.set_title(label, fontsize=9)
  fig.suptitle(title, fontsize=10)
  _save(fig, path)


def confusion_grid(pooled_by_cell, task: str, class_names, path):
  """Each cell's confusion matrix of its pooled per-track predictions (rows: true class)."""
  cells = list(pooled_by_cell)
  fig, axes = _grid(len(cells))
  index = {name: i for i, name in enumerate(class_names)}
  for ax, cell in zip(axes, cells):
    matrix = np.zeros((len(class_names), len(class_names)), int)
    for p in pooled_by_cell[cell].values():
      t, q = p[f"true_{task}"], p[f"pred_{task}"]
      if t in index and q in index:
        matrix[index[t], index[q]] += 1
    ax.imshow(matrix, cmap="Blues")
    short = [n.split("_")[0][:4] for n in class_names]
    ax.set_xticks(range(len(short)), short, rotation=90, fontsize=7)
    ax.set_yticks(range(len(short)), short, fontsize=7)
    for (i, j), count in np.ndenumerate(matrix):
      if count:
        ax.text(j, i, str(count), ha="center", va="center", fontsize=6)
    ax.set_title(cell, fontsize=9)
  _save(fig, path)


def av_scatter(pooled_by_cell, path):
  """True vs predicted arousal and valence per track (pooled over repeats), per cell."""
  cells = list(pooled_by_cell)
  fig, axes = _grid(len(cells))
  for ax, cell in zip(axes, cells):
    for dim, colour in (("arousal", "C3"), ("valence", "C0")):
      t = np.array([p[f"true_{dim}"] for p in pooled_by_cell[cell].values()])
      q = np.array([p[f"pred_{dim}"] for p in pooled_by_cell[cell].values()])
      keep = np.isfinite(t) & np.isfinite(q)
      ax.scatter(t[keep], q[keep], s=8, color=colour, alpha=0.6, label=dim)
    ax.plot([-1, 1], [-1, 1], "k--", linewidth=0.8)
    ax.set(xlim=(-1, 1), ylim=(-1, 1), xlabel="true", ylabel="predicted")
    ax.set_title(cell, fontsize=9)
    ax.legend(fontsize=7)
  _save(fig, path)


def learning_curves(runs_by_cell, path):
  """Validation loss per epoch of every run (one line per repeat), a panel per cell."""
  cells = [c for c, runs in runs_by_cell.items() if runs]
  fig, axes = _grid(len(cells))
  for ax, cell in zip(axes, cells):
    for run in runs_by_cell[cell]:
      history = run.history()
      if not history:
        continue
      epochs = [h["epoch"] + 1 for h in history]
      ax.plot(epochs, [h.get("loss", math.nan) for h in history], "C1-", alpha=0.6)
      ax.plot(epochs, [h.get("val_loss", math.nan) for h in history], "C0-", alpha=0.8)
      best = run.report.get("training", {}).get("best_epoch")
      if best:
        ax.axvline(best, color="0.6", linewidth=0.6)
    ax.set(xlabel="epoch", ylabel="loss (orange train, blue val)")
    ax.set_title(cell, fontsize=9)
  _save(fig, path)


def gate_weights(runs_by_cell, path) -> bool:
  """Mean fusion gate weight per task and feature for cells with gated fusion; False if none."""
  gated = {c: [r.report["fusion_gates"] for r in runs if r.report.get("fusion_gates")]
           for c, runs in runs_by_cell.items()}
  gated = {c: g for c, g in gated.items() if g}
  if not gated:
    return False
  fig, axes = _grid(len(gated), width=4.0)
  for ax, (cell, gates) in zip(axes, gated.items()):
    tasks = list(gates[0])
    features = list(gates[0][tasks[0]])
    for j, feature in enumerate(features):
      means = [np.mean([g[t][feature] for g in gates]) for t in tasks]
      ax.bar(np.arange(len(tasks)) + 0.25 * (j - 1), means, width=0.25, label=feature)
    ax.set_xticks(range(len(tasks)), tasks, fontsize=8)
    ax.set(ylabel="gate weight", ylim=(0, 1))
    ax.set_title(cell, fontsize=9)
    ax.legend(fontsize=7)
  _save(fig, path)
  return True


QUADRANT_NAMES = labels.QUADRANTS
