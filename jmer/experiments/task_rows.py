"""A task's tables and rows in a suite report, read from what its prediction consists of.

Per form of a task's outputs (jmer.tasks.outputs), each of its metrics tables (a key of
metrics.json's 'metrics') shows, with the higher-is-better direction of each number:
- class probabilities: '<task> accuracy', '<task> macro-F1' (headline), '<task> ROC-AUC';
- tag probabilities: '<task, spaced> mAP' (headline), '... ROC-AUC', '... micro-F1';
- regressed values, for each named value: '<value> CCC' (headline), 'RMSE' (lower is better),
  'r' and 'R²'.
Headline numbers are the ones suite comparisons test. A table's title is the task's name,
capitalised, unless TABLES says otherwise.
"""

from jmer import tasks as tasks_lib
from jmer.tasks import outputs as outputs_lib

# The tasks a report shows differently, one table per kind of difference. Tables: {metrics key:
# title} of the task's tables, when not {task name: its name capitalised}.
TABLES = tasks_lib.overrides("report tables", {
    "emotion": {"emotion_av": "Arousal–valence regression"},
    "quadrant": {"quadrant": "Emotion quadrant (quadrant head)"},
    "genre_tags": {"genre_tags": "Genre tags (multi-label, AllMusic)"},
})
# Labels that are headline numbers besides the form's own.
HEADLINES = tasks_lib.overrides("report headlines", {
    "genre": ("genre accuracy",),
})


def _class_rows(task, key) -> tuple:
  return ((f"{task.name} accuracy", (key, "accuracy"), True, False),
          (f"{task.name} macro-F1", (key, "macro_f1"), True, True),
          (f"{task.name} ROC-AUC", (key, "roc_auc_ovr"), True, False))


def _tag_rows(task, key) -> tuple:
  spoken = task.name.replace("_", " ")
  return ((f"{spoken} mAP", (key, "mean_average_precision"), True, True),
          (f"{spoken} ROC-AUC", (key, "roc_auc_macro"), True, False),
          (f"{spoken} micro-F1", (key, "micro_f1"), True, False))


def _value_rows(task, key) -> tuple:
  return tuple(row for value in task.outputs.names for row in (
      (f"{value} CCC", (key, value, "ccc"), True, True),
      (f"{value} RMSE", (key, value, "rmse"), False, False),
      (f"{value} r", (key, value, "pearson_r"), True, False),
      (f"{value} R²", (key, value, "r2"), True, False)))


# The rows of one metrics table of a task, by the form of its outputs: fn(task, key).
FORMS = {outputs_lib.ClassProbabilities: _class_rows,
         outputs_lib.TagProbabilities: _tag_rows,
         outputs_lib.RegressedValues: _value_rows}


def tables(task) -> dict:
  """{metrics key: section title} of the report's tables for `task`.

  Args:
    task: a jmer.tasks.Task.

  Returns:
    A dict from a key of metrics.json's 'metrics' to the table's title.
  """
  return TABLES.get(task.name, {task.name: task.name.capitalize()})


def rows(task) -> tuple:
  """(label, path into metrics.json's 'metrics', higher is better, headline) of every number
  a report shows for `task`.

  Args:
    task: a jmer.tasks.Task.

  Returns:
    A tuple of (label, path, higher_is_better, headline), table by table.

  Raises:
    ValueError: no row knows the form of the task's outputs.
  """
  rows_of = outputs_lib.formatter_of(FORMS, task, "the suite report")
  extra = HEADLINES.get(task.name, ())
  return tuple((label, path, up, headline or label in extra)
               for key in tables(task) for label, path, up, headline in rows_of(task, key))
