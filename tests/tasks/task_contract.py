"""The contract every task keeps, as one shared test case (keras-hub's "test case per kind").

A test module subclasses TaskContract once per task (`class TestGenreContract(TaskContract)`),
naming the task and a track carrying its label; the checks below then run for it:
its targets, the masking of a missing label, aggregation, class names against units and the
declared outputs, its loss and metric names, the metrics tables it fills, and every reader of
its outputs (test_predictions.csv, jmer predict's fields/table/CSV/timeline, a report's rows).
tests/tasks/test_task_contracts.py runs it for every registered task, test_tasks.py for its
toy ones.
"""

import json

import numpy as np

from jmer import tasks as tasks_lib
from jmer.data import tracks as tracks_lib
from jmer.evaluation import metrics as metrics_lib
from jmer.evaluation import prediction_columns
from jmer.experiments import task_rows
from jmer.inference import task_fields
from jmer.tasks import labels
from jmer.tasks import outputs as outputs_lib

GENRE_NAMES = labels.GTZAN_GENRES
META = {"quadrant_threshold": 0.0}  # what predict's fields read from a model file
FORM_OF_KIND = {tasks_lib.CLASSIFICATION: outputs_lib.ClassProbabilities,
                tasks_lib.REGRESSION: outputs_lib.RegressedValues,
                tasks_lib.MULTILABEL: outputs_lib.TagProbabilities}


class TaskContract:
  """The checks; a subclass sets `task` and `labelled_track()`."""
  task: tasks_lib.Task = None

  def labelled_track(self):
    """A Track carrying this task's label."""
    raise NotImplementedError

  def unlabelled_track(self):
    """A Track carrying no label of any task."""
    return tracks_lib.Track("none", "none.wav", "x")

  def prediction(self) -> np.ndarray:
    """A plausible per-track prediction of the task's outputs, with one clear winner."""
    form, units = self.task.outputs, self.task.units(GENRE_NAMES)
    if isinstance(form, outputs_lib.RegressedValues):
      return np.linspace(form.low, form.high, units + 2)[1:-1]
    scores = np.linspace(0.1, 0.9, units)[::-1].copy()
    return scores / scores.sum() if isinstance(form, outputs_lib.ClassProbabilities) else scores

  # --- what the task is -------------------------------------------------------------------
  def test_a_label_becomes_a_target_of_the_declared_shape_and_dtype(self):
    track = self.labelled_track()
    assert self.task.labelled(track)
    y, w = self.task.target(track)
    assert y.shape == tuple(self.task.target_shape)
    assert y.dtype == np.dtype(self.task.target_dtype)
    assert w.dtype == np.float32 and w == 1.0

  def test_a_missing_label_weighs_zero_and_is_filled_with_a_finite_value(self):
    track = self.unlabelled_track()
    assert not self.task.labelled(track)
    y, w = self.task.target(track)
    assert w == 0.0 and y.shape == tuple(self.task.target_shape)
    assert y.dtype == np.dtype(self.task.target_dtype) and np.isfinite(y).all()

  def test_identical_segment_predictions_aggregate_to_that_prediction(self):
    row = self.prediction()
    owner = np.array([0, 0, 0, 1])  # three segments of track 0, one of track 1
    values = np.stack([row, row, row, row / 2])
    aggregated = self.task.aggregate(values, owner, 2)
    np.testing.assert_allclose(aggregated, [row, row / 2])

  def test_class_names_and_units_agree_with_the_declared_outputs(self):
    form = self.task.outputs
    assert isinstance(form, FORM_OF_KIND[self.task.kind]), (self.task.kind, form)
    names, units = self.task.class_names(GENRE_NAMES), self.task.units(GENRE_NAMES)
    if isinstance(form, outputs_lib.RegressedValues):
      assert names == () and units == len(form.names) == len(set(form.names))
      assert form.low < form.high and self.task.target_shape == (units,)
    else:
      assert units == len(names) == len(set(names)) >= 2
      multilabel = isinstance(form, outputs_lib.TagProbabilities)
      assert self.task.target_shape == ((units,) if multilabel else ())
      assert (0.0 < form.threshold < 1.0) if multilabel else True

  def test_its_loss_and_training_metric_exist(self, tiny_config):
    from jmer.training import losses
    assert self.task.loss(tiny_config) in losses.LOSSES
    assert self.task.train_metric in losses.METRICS
    assert self.task.loss_weight(tiny_config) > 0

  def test_its_metrics_tables_are_computed_by_their_kind(self, tiny_config):
    tracks = [self.labelled_track(), self.unlabelled_track()]
    predictions = np.stack([self.prediction(), self.prediction()])
    tables = self.task.evaluations(tracks, predictions, GENRE_NAMES, tiny_config)
    keys = [key for key, *_ in tables]
    assert len(keys) == len(set(keys)) and keys
    for key, kind, truth, pred, names in tables:
      scores = metrics_lib.METRICS_OF_KIND[kind](truth, pred, names)
      # The unlabelled track left out (a regression counts per value).
      counts = {scores["n"]} if "n" in scores else {scores[name]["n"] for name in names}
      assert counts == {1}, (key, scores)
    assert set(task_rows.tables(self.task)) <= set(keys)  # a report shows only what it fills

  # --- what its readers show ----------------------------------------------------------------
  def test_test_predictions_csv_has_a_cell_per_column(self):
    columns = prediction_columns.columns(self.task)
    assert columns and len(set(columns)) == len(columns)
    names = self.task.class_names(GENRE_NAMES)
    labelled, unlabelled = self.labelled_track(), self.unlabelled_track()
    full = prediction_columns.cells(self.task, labelled, self.prediction(), names)
    assert len(full) == len(columns) and all(cell != "" for cell in full), full
    assert prediction_columns.cells(self.task, unlabelled, None, names) == [""] * len(columns)
    no_head = prediction_columns.cells(self.task, labelled, None, names)
    assert 0 < sum(cell != "" for cell in no_head) < len(columns)  # the truth alone

  def test_predict_shows_its_fields_in_every_format(self):
    view = task_fields.of(self.task)
    fields = view.fields(self.prediction(), self.task.class_names(GENRE_NAMES), META,
                         (self.task.name,))
    assert json.loads(json.dumps(fields)) == fields  # JSON-ready
    assert view.describe(fields) and view.describe({}) == ""
    assert view.line
    cells = view.csv_cells(fields)
    assert len(cells) == len(view.csv_columns()) and all(c != "" for c in cells), cells
    assert view.csv_cells({}) == [""] * len(cells)  # a head the model lacks: empty cells
    assert view.timeline_header().strip() and view.timeline_cell(fields).strip()

  def test_a_report_shows_its_numbers(self):
    rows = task_rows.rows(self.task)
    labels_ = [label for label, *_ in rows]
    assert rows and len(labels_) == len(set(labels_))
    assert {path[0] for _, path, _, _ in rows} == set(task_rows.tables(self.task))
    assert any(headline for *_, headline in rows)
    assert all(isinstance(up, bool) for _, _, up, _ in rows)
