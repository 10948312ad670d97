"""Each plot writes a real, readable PNG and leaves no figure open."""

import matplotlib.pyplot as plt
import numpy as np
import pytest

from jmer.evaluation import plots
from jmer.tasks.labels import GTZAN_GENRES

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(autouse=True)
def _no_leaked_figures():
  yield
  assert plt.get_fignums() == []  # every function must close its figure


def _assert_png(path):
  with open(path, "rb") as f:
    data = f.read()
  assert data[:8] == PNG_MAGIC
  image = plt.imread(path)
  assert image.shape[0] > 100 and image.shape[1] > 100


def test_confusion_matrix_ten_classes(tmp_path):
  rng = np.random.default_rng(0)
  cm = rng.integers(0, 20, size=(10, 10)) + np.diag(np.full(10, 40))
  cm[3] = 0  # a class with no samples must not divide by zero
  path = plots.plot_confusion_matrix(cm, GTZAN_GENRES, tmp_path / "cm.png", title="genre")
  assert path == tmp_path / "cm.png"
  _assert_png(path)


def test_confusion_matrix_shape_mismatch(tmp_path):
  with pytest.raises(ValueError):
    plots.plot_confusion_matrix(np.zeros((3, 3)), ["a", "b"], tmp_path / "x.png")


@pytest.mark.parametrize("with_labels", [False, True])
def test_av_scatter(tmp_path, with_labels):
  rng = np.random.default_rng(0)
  y_true = rng.uniform(-1, 1, size=(40, 2))
  y_pred = np.clip(y_true + rng.normal(scale=0.2, size=(40, 2)), -1, 1)
  y_true[5] = np.nan  # masked label: skipped, not an error
  labels = [GTZAN_GENRES[i % 4] for i in range(40)] if with_labels else None
  path = plots.plot_av_scatter(y_true, y_pred, tmp_path / "sub" / "av.png", labels=labels)
  _assert_png(path)


def _write_csv(path, text):
  path.write_text(text)
  return path


def test_learning_curves_several_epochs(tmp_path):
  csv_path = _write_csv(tmp_path / "history.csv", (
      "epoch,emotion_loss,genre_accuracy,genre_loss,learning_rate,loss,"
      "val_emotion_loss,val_genre_accuracy,val_genre_loss,val_loss\n"
      "0,0.50,0.30,2.1,0.001,2.6,0.55,0.28,2.2,2.75\n"
      "1,0.40,0.45,1.7,0.001,2.1,0.47,0.40,1.9,2.37\n"
      "2,0.35,0.55,1.4,0.0005,1.75,0.45,0.47,1.8,2.25\n"))
  _assert_png(plots.plot_learning_curves(csv_path, tmp_path / "curves.png"))


def test_learning_curves_single_epoch_and_missing_columns(tmp_path):
  # One row; val-only family; no epoch column; a blank cell.
  csv_path = _write_csv(tmp_path / "one.csv", "loss,val_loss,val_quadrant_accuracy\n1.2,,0.4\n")
  _assert_png(plots.plot_learning_curves(csv_path, tmp_path / "one.png"))


def test_learning_curves_header_only(tmp_path):
  csv_path = _write_csv(tmp_path / "empty.csv", "epoch,loss,val_loss\n")
  _assert_png(plots.plot_learning_curves(csv_path, tmp_path / "empty.png"))


def test_reliability_diagram_two_panels(tmp_path):
  rng = np.random.default_rng(0)
  probs = rng.dirichlet(np.full(4, 0.3), size=200)
  labels = rng.integers(0, 4, size=200)
  panels = {"quadrant": {"before": (probs, labels), "after": (np.full((200, 4), 0.25), labels)},
            "genre": {"before": (probs[:20], labels[:20])}}
  _assert_png(plots.plot_reliability_diagram(panels, tmp_path / "reliability.png"))
