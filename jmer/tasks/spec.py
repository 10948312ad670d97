"""What a task spec says, with the defaults of a single-label classification task.

jmer.tasks holds the tasks themselves and their registry; this module holds only the interface
every stage asks (see jmer.tasks) and its defaults. It imports nothing of jmer and nothing of
Keras.
"""

import dataclasses
from typing import ClassVar

import numpy as np

CLASSIFICATION, REGRESSION = "classification", "regression"


@dataclasses.dataclass(frozen=True)
class Task:
  """A model head. Subclasses say how its labels, loss, metrics and printout look."""
  name: str  # the model's output name; also the key of its targets and sample weights
  kind: str  # CLASSIFICATION or REGRESSION: which metrics and which baseline model apply

  def enabled(self, config) -> bool:
    """Returns whether the run's config trains this head.

    Args:
      config: the run config (its tasks section).
    """
    raise NotImplementedError

  # --- data -------------------------------------------------------------------------------
  def labelled(self, track) -> bool:
    """Returns whether `track` has this task's label.

    Args:
      track: a jmer.data.tracks.Track.
    """
    raise NotImplementedError

  def label(self, track):
    """The track's label (class index or values); only called when `labelled(track)`.

    Args:
      track: a Track with this task's label.

    Returns:
      The label as `target` stores it: a class index (int), or a list of values shaped
      `target_shape` (e.g. [arousal, valence] in [-1, 1], or one 0/1 per class).
    """
    raise NotImplementedError

  target_shape: tuple = ()
  target_dtype: str = "int32"

  def target(self, track) -> tuple:
    """(label, weight) for one track: a missing label becomes 0 with weight 0.

    Args:
      track: a Track.

    Returns:
      (label, weight): the label as a `target_dtype` array shaped `target_shape`, and a float32
      weight, 1 when the track is labelled and 0 otherwise.
    """
    if self.labelled(track):
      return np.asarray(self.label(track), self.target_dtype), np.float32(1.0)
    return np.zeros(self.target_shape, self.target_dtype), np.float32(0.0)

  # --- model ------------------------------------------------------------------------------
  def class_names(self, genre_names) -> tuple:
    """The output classes (classification tasks); `genre_names` is the data's vocabulary.

    Args:
      genre_names: the data's genre vocabulary.

    Returns:
      A tuple of class names in output order; () for a regression task.
    """
    return ()

  def units(self, genre_names) -> int:
    """Returns the head's output width: its class count unless a subclass says otherwise.

    Args:
      genre_names: the data's genre vocabulary.
    """
    return len(self.class_names(genre_names))

  head_activation = "softmax"  # a direct head: Dense(units, head_activation)
  branch_activation = None  # a per-branch fusable prediction (None: class logits)
  branch_suffix = "logits"  # that layer is named <branch>_<task>_<suffix>
  fused_activation = "softmax"  # applied after late fusion of the branch predictions

  # --- training ---------------------------------------------------------------------------
  def loss(self, config) -> str:
    """Which masked loss trains the head (a key of jmer.training.losses.LOSSES).

    Args:
      config: the run config.

    Returns:
      The loss's key, e.g. 'sparse_xent'.
    """
    return "sparse_xent"

  train_metric = "accuracy"  # a key of jmer.training.losses.METRICS

  def loss_weight(self, config) -> float:
    """Genre weighs 1, every emotion head λ (train.lambda_emotion).

    Args:
      config: the run config (train.lambda_emotion).

    Returns:
      The head's weight in the summed loss (unitless).
    """
    return float(config.train.lambda_emotion)

  # --- evaluation ---------------------------------------------------------------------------
  def aggregate(self, values, owner, n_tracks: int):
    """Segment outputs → per-track outputs: the mean of a track's segments.

    Args:
      values: per-segment outputs, one row (or value) per segment.
      owner: int array, each segment's track index.
      n_tracks: the number of tracks.

    Returns:
      A float64 (n_tracks, width) array; a track without segments gets zeros.
    """
    counts = np.bincount(owner, minlength=n_tracks).astype(np.float64)[:, None]
    values = np.asarray(values, np.float64).reshape(len(owner), -1)
    sums = np.zeros((n_tracks, values.shape[1]))
    np.add.at(sums, owner, values)
    return sums / np.maximum(counts, 1)

  def truth(self, tracks) -> np.ndarray:
    """Per-track labels for metrics: class index (-1 = none) or values (NaN = none).

    Args:
      tracks: the Tracks, in prediction order.

    Returns:
      An (n_tracks,) int64 array of class indices, or a float64 (n_tracks, width) array.
    """
    return np.array([int(self.label(t)) if self.labelled(t) else -1 for t in tracks], np.int64)

  def evaluations(self, tracks, predictions, genre_names, config) -> list:
    """[(metrics key, kind, truth, predictions, names)]: the metrics tables this task fills.

    Args:
      tracks: the test Tracks.
      predictions: the per-track predictions, (n_tracks, units).
      genre_names: the data's genre vocabulary.
      config: the run config.

    Returns:
      A list of (metrics key, CLASSIFICATION or REGRESSION, truth, predictions, class or
      dimension names), one per table.
    """
    return [(self.name, self.kind, self.truth(tracks), predictions, self.class_names(genre_names))]

  def csv_columns(self) -> tuple:
    """This task's columns of test_predictions.csv: true class, predicted class, its
    probability (a classification task; others override).

    Returns:
      A tuple of column names.
    """
    return (f"true_{self.name}", f"pred_{self.name}", f"{self.name}_prob")

  def csv_cells(self, track, prediction, class_names) -> list:
    """One track's cells under `csv_columns`; `prediction` is its per-track row (None when the
    model has no such head). A non-finite row is no prediction (argmax would call it class 0).

    Args:
      track: the Track.
      prediction: its per-track output row, or None.
      class_names: the head's classes.

    Returns:
      A list of strings, one per `csv_columns` entry ('' for what is missing).
    """
    true = class_names[int(self.label(track))] if self.labelled(track) else ""
    if prediction is None or not np.isfinite(prediction).all():
      return [true, "", ""]
    k = int(np.argmax(prediction))
    return [true, class_names[k], f"{prediction[k]:.4f}"]

  figure = "confusion"  # a key of jmer.evaluation.evaluate.FIGURES, or None
  figure_title = ""  # defaults to the task name

  # --- reports ------------------------------------------------------------------------------
  @property
  def report_tables(self) -> dict:
    """{metrics key: section title} of the report's per-task tables.

    Returns:
      A dict from a key of metrics.json's 'metrics' to the table's title.
    """
    return {self.name: self.name.capitalize()}

  def report_metrics(self) -> tuple:
    """(label, path into metrics.json's 'metrics', higher is better, headline) of every number
    a report shows for this task; headline numbers are the ones suite comparisons test.

    Returns:
      A tuple of (label, path, higher_is_better, headline).
    """
    return tuple(row for key in self.report_tables for row in (
        (f"{self.name} accuracy", (key, "accuracy"), True, False),
        (f"{self.name} macro-F1", (key, "macro_f1"), True, True),
        (f"{self.name} ROC-AUC", (key, "roc_auc_ovr"), True, False)))

  # --- inference ----------------------------------------------------------------------------
  def predict_columns(self) -> tuple:
    """This task's columns in predict's CSV, each a key of `summary`'s fields.

    Returns:
      A tuple of column names.
    """
    return (self.name, f"{self.name}_probability")

  def predict_cells(self, entry: dict) -> list:
    """A predict result (or timeline row) under `predict_columns` ('' for what it lacks).

    Args:
      entry: a predict result or timeline row (summary's fields).

    Returns:
      A list of cells, one per `predict_columns` entry.
    """
    return [entry.get(column, "") for column in self.predict_columns()]

  def timeline_header(self) -> str:
    """This task's column heading in the timeline of predict's table.

    Returns:
      The heading, padded to the column's width.
    """
    return f"{self.name:<12}"

  def timeline_cell(self, row: dict) -> str:
    """This task's cell of a timeline row in predict's table.

    Args:
      row: a timeline row (summary's fields for one segment).

    Returns:
      The cell, padded to the column's width.
    """
    return f"{row.get(self.name, ''):<12}"

  def summary(self, mean, class_names, meta, outputs) -> dict:
    """The fields `jmer.predict` reports for one file (or segment) from the head's mean.

    Args:
      mean: the head's output averaged over the file's (or segment's) windows, (units,).
      class_names: the head's classes.
      meta: the model file's metadata.
      outputs: the model's output names.

    Returns:
      A JSON-ready dict of this task's fields, e.g. {name: class, name_probability: p}.
    """
    k = int(np.argmax(mean))
    return {self.name: class_names[k], f"{self.name}_probability": round(float(mean[k]), 4)}

  # The labelled line of predict's table this task's description goes on; tasks naming the
  # same line are described on it together (the AV and quadrant heads both say 'emotion').
  # '' gives the task a line of its own, labelled with its name. A class constant, not a field.
  table_line: ClassVar[str] = ""

  def describe(self, result: dict) -> str:
    """This task's part of a printed prediction ('' when the result has nothing of it).

    Args:
      result: a predict result (summary's fields of every task).

    Returns:
      The text, or ''.
    """
    if self.name not in result:
      return ""
    return f"{result[self.name]} {result[f'{self.name}_probability']:.2f}"
