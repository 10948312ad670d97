"""A task's columns of test_predictions.csv, read from what its prediction consists of.

Every task (jmer.tasks.TASKS) has columns, whether or not the run's model has its head; per
form of its outputs (jmer.tasks.outputs):
- class probabilities: true_<task>, pred_<task> (class names) and <task>_prob (the predicted
  class's probability, 4 decimals);
- tag probabilities: true_<task> and pred_<task>, the classes joined by '|' (predicted: those
  reaching the outputs' threshold);
- regressed values: true_<value> and pred_<value> for each named value (4 decimals).
A cell is empty where the track has no label or the model no head; a non-finite class or tag
row is no prediction (argmax would call it class 0).
"""

import numpy as np

from jmer import tasks as tasks_lib
from jmer.tasks import genre_tags
from jmer.tasks import outputs as outputs_lib

# The tasks test_predictions.csv shows differently from their outputs' form, one table per
# kind of difference. Columns: which of the form's columns, in which order.
COLUMNS = tasks_lib.overrides("test_predictions.csv columns", {
    # The predicted quadrant first; no probability column.
    "quadrant": ("pred_quadrant", "true_quadrant"),
})
# True tags as the track's label column writes them (its order, and before any vocabulary
# check), instead of the label's classes in vocabulary order.
TRUE_TAGS = tasks_lib.overrides("test_predictions.csv true tags", {
    "genre_tags": lambda track: "|".join(genre_tags.track_tags(track)),
})


def _no_row(prediction) -> bool:
  return prediction is None or not np.isfinite(prediction).all()


def _class_columns(task) -> tuple:
  return (f"true_{task.name}", f"pred_{task.name}", f"{task.name}_prob")


def _class_cells(task, track, prediction, class_names) -> list:
  true = class_names[int(task.label(track))] if task.labelled(track) else ""
  if _no_row(prediction):
    return [true, "", ""]
  k = int(np.argmax(prediction))
  return [true, class_names[k], f"{prediction[k]:.4f}"]


def _tag_columns(task) -> tuple:
  return (f"true_{task.name}", f"pred_{task.name}")


def _tag_cells(task, track, prediction, class_names) -> list:
  if task.name in TRUE_TAGS:
    true = TRUE_TAGS[task.name](track)
  else:
    label = task.label(track) if task.labelled(track) else [0.0] * len(class_names)
    true = "|".join(c for c, y in zip(class_names, label) if y)
  if _no_row(prediction):
    return [true, ""]
  threshold = task.outputs.threshold
  return [true, "|".join(c for c, p in zip(class_names, prediction) if p >= threshold)]


def _value_columns(task) -> tuple:
  return tuple(column for value in task.outputs.names
               for column in (f"true_{value}", f"pred_{value}"))


def _value_cells(task, track, prediction, class_names) -> list:
  true = task.label(track) if task.labelled(track) else None
  return [cell for i in range(len(task.outputs.names)) for cell in (
      f"{true[i]:.4f}" if true is not None else "",
      f"{prediction[i]:.4f}" if prediction is not None else "")]


# What each form of outputs shows: (columns(task), cells(task, track, prediction, classes)).
FORMS = {outputs_lib.ClassProbabilities: (_class_columns, _class_cells),
         outputs_lib.TagProbabilities: (_tag_columns, _tag_cells),
         outputs_lib.RegressedValues: (_value_columns, _value_cells)}


def columns(task) -> tuple:
  """The task's columns of test_predictions.csv.

  Args:
    task: a jmer.tasks.Task.

  Returns:
    A tuple of column names.
  """
  own_columns, _ = outputs_lib.formatter_of(FORMS, task, "test_predictions.csv")
  return COLUMNS.get(task.name, own_columns(task))


def cells(task, track, prediction, class_names) -> list:
  """One track's cells under `columns(task)`.

  Args:
    task: a jmer.tasks.Task.
    track: the Track.
    prediction: its per-track output row, or None when the model has no such head.
    class_names: the head's classes.

  Returns:
    A list of strings, one per column ('' for what is missing).
  """
  own_columns, own_cells = outputs_lib.formatter_of(FORMS, task, "test_predictions.csv")
  by_column = dict(zip(own_columns(task), own_cells(task, track, prediction, class_names)))
  return [by_column[column] for column in columns(task)]
