"""What one prediction of a task consists of: the declaration every formatter reads.

A task says what it is (jmer.tasks.spec.Task); how a prediction is shown lives beside the code
that shows it (jmer.evaluation.prediction_columns: test_predictions.csv; jmer.inference.
task_fields: predict's fields, table, CSV and timeline; jmer.experiments.task_rows: a report's
rows and tables). Those readers format any task from its `outputs` alone, with an override
table of their own only for a task they show differently. A reader refuses a form it does not
know (`formatter_of`), so a new form is one dataclass here plus one entry in each reader.

This module imports nothing of jmer.
"""

import dataclasses


@dataclasses.dataclass(frozen=True)
class ClassProbabilities:
  """One class of several: a probability per class (a softmax over the task's class_names);
  the prediction is the most probable class."""


@dataclasses.dataclass(frozen=True)
class TagProbabilities:
  """Any number of classes at once: an independent probability per class (a sigmoid each over
  the task's class_names); a class is predicted when its probability reaches `threshold`."""
  threshold: float = 0.5


@dataclasses.dataclass(frozen=True)
class RegressedValues:
  """Named values regressed on one range, e.g. arousal and valence in [-1, 1]: one output
  unit per name, in the order of `names`."""
  names: tuple
  low: float = -1.0
  high: float = 1.0


FORMS = (ClassProbabilities, TagProbabilities, RegressedValues)


def formatter_of(formatters: dict, task, reader: str):
  """The entry of a reader's table (keyed by output form) for `task`'s declared outputs.

  Args:
    formatters: {output form (a class of FORMS): what the reader does with it}.
    task: a jmer.tasks.spec.Task.
    reader: what reads the outputs, for the error (e.g. 'test_predictions.csv').

  Returns:
    The table's entry for type(task.outputs).

  Raises:
    ValueError: the reader has no entry for that form.
  """
  form = type(task.outputs)
  if form not in formatters:
    raise ValueError(f"task {task.name!r}: {reader} cannot show outputs of form "
                     f"{form.__name__}; it knows {[f.__name__ for f in formatters]}")
  return formatters[form]
