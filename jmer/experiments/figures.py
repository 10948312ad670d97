"""The report's figures, drawn from a suite's raw results: paired differences with their CIs,
confusion matrices summed over repeats, AV scatter, learning curves and fusion gate weights."""

import math

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


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


def paired_differences(rows, path, title):
  """One panel per metric: A − B of each pair, its mean with the (corrected) 95% CI and each
  repeat's difference as a dot, against a dashed zero line. The y axis spans the data, not 0
  to 1, so that small differences stay visible.

  Args:
    rows: compare.repeat_rows of one question.
    path: the PNG to write.
    title: the question's title.
  """
  labels = list(dict.fromkeys(r["metric"].label for r in rows))
  widest = max(sum(r["metric"].label == l for r in rows) for l in labels)
  fig, axes = _grid(len(labels), width=max(3.4, 0.9 * widest + 1.6), height=3.4)
  for ax, label in zip(axes, labels):
    own = [r for r in rows if r["metric"].label == label]
    for x, row in enumerate(own):
      t = row["test"]
      first = x == 0
      ax.errorbar(x, t["mean"], yerr=[[t["mean"] - t["ci_low"]], [t["ci_high"] - t["mean"]]],
                  fmt="o", color="C0" if row["primary"] else "C7", capsize=5,
                  label=f"mean, 95% CI ({'corrected' if t['ratio'] else 'paired'} t)"
                  if first else None)
      ax.plot([x + 0.15] * len(row["differences"]), row["differences"], "k.", markersize=4,
              alpha=0.6, label="one repeat" if first else None)
    ax.axhline(0.0, color="C3", linestyle="--", linewidth=0.8, label="no difference")
    ax.set_xlim(-0.5, len(own) - 0.5)
    ax.set_xticks(range(len(own)), [f"{r['a']}\n− {r['b']}" for r in own], rotation=45,
                  ha="right", fontsize=7)
    ax.set_title(f"{label} ({'primary' if own[0]['primary'] else 'secondary'})", fontsize=9)
    ax.set_ylabel("A − B", fontsize=8)
    ax.legend(fontsize=6, loc="best")
  fig.suptitle(title, fontsize=10)
  _save(fig, path)


def confusion_grid(matrices, path):
  """Each cell's confusion matrix (rows: true class), e.g. summed over its folds.

  Args:
    matrices: {cell: (class names, K×K counts)}.
    path: the PNG to write.
  """
  fig, axes = _grid(len(matrices))
  for ax, (cell, (class_names, matrix)) in zip(axes, matrices.items()):
    matrix = np.asarray(matrix, int)
    ax.imshow(matrix, cmap="Blues")
    short = [n.split("_")[0][:4] for n in class_names]
    ax.set_xticks(range(len(short)), short, rotation=90, fontsize=7)
    ax.set_yticks(range(len(short)), short, fontsize=7)
    for (i, j), count in np.ndenumerate(matrix):
      if count:
        ax.text(j, i, str(count), ha="center", va="center", fontsize=6)
    ax.set(xlabel="predicted", ylabel="true")
    ax.set_title(cell, fontsize=9)
  _save(fig, path)


def av_scatter(pooled_by_cell, path):
  """True vs predicted arousal and valence per track (pooled over repeats), per cell."""
  cells = list(pooled_by_cell)
  fig, axes = _grid(len(cells))
  for ax, cell in zip(axes, cells):
    for dim, colour in (("arousal", "C3"), ("valence", "C0")):
      t = np.array([p[f"true_{dim}"] for p in pooled_by_cell[cell].values()], np.float64)
      q = np.array([p[f"pred_{dim}"] for p in pooled_by_cell[cell].values()], np.float64)
      keep = np.isfinite(t) & np.isfinite(q)
      ax.scatter(t[keep], q[keep], s=8, color=colour, alpha=0.6, label=dim)
    ax.plot([-1, 1], [-1, 1], "k--", linewidth=0.8, label="perfect")
    ax.set(xlim=(-1, 1), ylim=(-1, 1), xlabel="true", ylabel="predicted")
    ax.set_title(cell, fontsize=9)
    ax.legend(fontsize=7)
  _save(fig, path)


def learning_curves(runs_by_cell, path):
  """Training and validation loss per epoch of every run (a line per repeat), a panel per cell.

  Args:
    runs_by_cell: {cell: [raw run entries with a 'history' {loss, val_loss}]}.
    path: the PNG to write.
  """
  cells = [c for c, runs in runs_by_cell.items() if any(r.get("history") for r in runs)]
  fig, axes = _grid(len(cells))
  for ax, cell in zip(axes, cells):
    for i, run in enumerate(r for r in runs_by_cell[cell] if r.get("history")):
      history = run["history"]
      nan = lambda xs: [math.nan if x is None else x for x in xs]  # noqa: E731
      epochs = range(1, len(history["loss"]) + 1)
      ax.plot(epochs, nan(history["loss"]), "C1-", alpha=0.6, label="train" if not i else None)
      ax.plot(epochs, nan(history["val_loss"]), "C0-", alpha=0.8,
              label="validation" if not i else None)
      ax.axvline(run["best_epoch"], color="0.6", linewidth=0.6,
                 label="evaluated epoch" if not i else None)
    ax.set(xlabel="epoch", ylabel="loss")
    ax.set_title(cell, fontsize=9)
    ax.legend(fontsize=6)
  _save(fig, path)


def gate_weights(runs_by_cell, path) -> bool:
  """Mean fusion gate weight per task and feature for cells with gated fusion; False if none.

  Args:
    runs_by_cell: {cell: [run dict]} with each run's 'fusion_gates' {task: {feature: weight}}.
    path: the PNG file to write.

  Returns:
    True when the figure was written, False when no cell has gates.
  """
  gated = {c: [r["fusion_gates"] for r in runs if r.get("fusion_gates")]
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
