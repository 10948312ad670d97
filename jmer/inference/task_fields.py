"""How `jmer predict` shows a task: its fields, its line of the table, its CSV columns and its
timeline column, read from what a prediction of it consists of (jmer.tasks.outputs).

`of(task)` gives the task's view: the one of its outputs' form (FORMS), unless the task is in
SHOWN_DIFFERENTLY:
- class probabilities: <task> (the most probable class) and <task>_probability;
- tag probabilities: <task> (the classes reaching the threshold, best first, each with its
  probability) and <task>_probabilities (every class's);
- regressed values: one field per named value (4 decimals), printed signed.
"""

import functools

import numpy as np

from jmer import tasks as tasks_lib
from jmer.tasks import labels
from jmer.tasks import outputs as outputs_lib


def _signed(value) -> str:
  return "" if value is None else f"{value:+.2f}"


class ClassView:
  """A task whose outputs are class probabilities: the most probable class and its probability.

  Attributes:
    task: the jmer.tasks.Task shown.
    line: the label of the table line its description goes on; tasks naming the same line are
      described on it together (the AV and quadrant heads both say 'emotion').
  """

  def __init__(self, task):
    self.task = task
    self.name = task.name
    self.line = task.name

  def fields(self, mean, class_names, meta, output_names) -> dict:
    """The fields `jmer predict` reports for one file (or segment) from the head's mean.

    Args:
      mean: the head's output averaged over the file's (or segment's) windows, (units,).
      class_names: the head's classes.
      meta: the model file's metadata.
      output_names: the model's output names.

    Returns:
      A JSON-ready dict of this task's fields.
    """
    k = int(np.argmax(mean))
    return {self.name: class_names[k], f"{self.name}_probability": round(float(mean[k]), 4)}

  def describe(self, result: dict) -> str:
    """This task's part of a printed prediction ('' when the result has nothing of it).

    Args:
      result: a predict result (the fields of every head).

    Returns:
      The text, or ''.
    """
    if self.name not in result:
      return ""
    return f"{result[self.name]} {result[f'{self.name}_probability']:.2f}"

  def csv_columns(self) -> tuple:
    """This task's columns in predict's CSV.

    Returns:
      A tuple of column names.
    """
    return (self.name, f"{self.name}_probability")

  def csv_cells(self, entry: dict) -> list:
    """A predict result (or timeline row) under `csv_columns` ('' for what it lacks).

    Args:
      entry: a predict result or timeline row.

    Returns:
      A list of cells, one per column.
    """
    return [entry.get(column, "") for column in self.csv_columns()]

  def timeline_header(self) -> str:
    """This task's column heading in the timeline of predict's table, padded to its width."""
    return f"{self.name:<12}"

  def timeline_cell(self, row: dict) -> str:
    """This task's cell of a timeline row (a segment's fields), padded to its width."""
    return f"{row.get(self.name, ''):<12}"


class TagView(ClassView):
  """A task whose outputs are tag probabilities: the tags reaching the threshold.

  Attributes:
    item: the key naming a tag in each listed {item: class, 'probability': p}.
    probabilities: the field holding every class's probability.
    noun: what one tag is called, in the line saying none reaches the threshold.
  """

  def __init__(self, task, item: str = "class", probabilities: str = "", noun: str = "class"):
    super().__init__(task)
    self.threshold = task.outputs.threshold
    self.item, self.noun = item, noun
    self.probabilities = probabilities or f"{task.name}_probabilities"

  def fields(self, mean, class_names, meta, output_names) -> dict:
    order = np.argsort(-mean)
    return {self.name: [{self.item: class_names[i], "probability": round(float(mean[i]), 4)}
                        for i in order if mean[i] >= self.threshold],
            self.probabilities: {c: round(float(p), 4) for c, p in zip(class_names, mean)}}

  def describe(self, result: dict) -> str:
    if self.name not in result:
      return ""
    tags = result[self.name]
    return ("  ".join(f"{g[self.item]} {g['probability']:.2f}" for g in tags) if tags
            else f"(no {self.noun} reaches {self.threshold})")

  def csv_columns(self) -> tuple:
    return (self.name,)

  def csv_cells(self, entry: dict) -> list:
    return ["|".join(g[self.item] for g in entry.get(self.name, []))]

  def timeline_header(self) -> str:
    return f"{self.name.replace('_', ' '):<24}"

  def timeline_cell(self, row: dict) -> str:
    return f"{'|'.join(g[self.item] for g in row.get(self.name, [])):<24}"


class ValuesView(ClassView):
  """A task whose outputs are named regressed values: one field per value."""

  def __init__(self, task):
    super().__init__(task)
    self.values = task.outputs.names

  def fields(self, mean, class_names, meta, output_names) -> dict:
    return {value: round(float(mean[i]), 4) for i, value in enumerate(self.values)}

  def describe(self, result: dict) -> str:
    if any(value not in result for value in self.values):
      return ""
    return "  ".join(f"{value} {_signed(result[value])}" for value in self.values)

  def csv_columns(self) -> tuple:
    return tuple(self.values)

  def timeline_header(self) -> str:
    return " ".join(f"{value:>7}" for value in self.values)

  def timeline_cell(self, row: dict) -> str:
    return " ".join(f"{_signed(row.get(value)):>7}" for value in self.values)


class GenreView(ClassView):
  """Genre: every genre ranked (jmer predict keeps its --top-k), the best three in the CSV."""

  def fields(self, mean, class_names, meta, output_names) -> dict:
    order = np.argsort(-mean)
    return dict(
        genres=[dict(genre=class_names[i], probability=round(float(mean[i]), 4))
                for i in order],  # best first; jmer.predict keeps its --top-k
        genre_probabilities={g: round(float(p), 4) for g, p in zip(class_names, mean)})

  def describe(self, result: dict) -> str:
    return "  ".join(f"{g['genre']} {g['probability']:.2f}" for g in result.get("genres", []))

  def csv_columns(self) -> tuple:
    return sum(((f"genre_{i}", f"probability_{i}") for i in (1, 2, 3)), ())

  def csv_cells(self, entry: dict) -> list:
    top = list(entry.get("genres", [])) + [{"genre": "", "probability": ""}] * 3
    return [cell for g in top[:3] for cell in (g["genre"], g["probability"])]

  def timeline_header(self) -> str:
    return f"{'genre':<12} {'prob':>5}"

  def timeline_cell(self, row: dict) -> str:
    top = (row.get("genres") or [{"genre": "", "probability": float("nan")}])[0]
    return f"{top['genre']:<12} {top['probability']:>5.2f}"


class ArousalValenceView(ValuesView):
  """Arousal and valence, and the quadrant they fall in when no quadrant head says it; from a
  regressor beside a quadrant head (jmer.inference.av_regressor), its name, and its quadrant
  where that is not the head's."""

  def fields(self, mean, class_names, meta, output_names) -> dict:
    out = super().fields(mean, class_names, meta, output_names)
    if "quadrant" not in output_names:  # else the quadrant head says it
      q = int(labels.av_quadrant(mean[0], mean[1], meta["quadrant_threshold"]))
      # -1 (a non-finite prediction) is no quadrant, not QUADRANTS[-1].
      out.update(quadrant=labels.QUADRANTS[q] if q >= 0 else None,
                 quadrant_source="arousal-valence")
    return out

  def describe(self, result: dict) -> str:
    if result.get("av_source") == "quadrant probabilities":
      return ""  # no AV head: the quadrant head's line gives its estimate
    text = super().describe(result)
    if text and result.get("quadrant_source") == "arousal-valence":
      text += f"   quadrant {result['quadrant']}"
    if text and result.get("av_quadrant"):  # a regressor's point beside the quadrant head
      text += f" ({result['av_source'].split(' (')[0]}"
      if result["av_quadrant"] != result.get("quadrant"):  # never silently overruled
        text += f": {result['av_quadrant']}, not the quadrant head's"
      text += ")"
    return text


class QuadrantView(ClassView):
  """The quadrant head: on the emotion line, with an AV estimate when there is no AV head."""

  def __init__(self, task):
    super().__init__(task)
    self.line = "emotion"

  def fields(self, mean, class_names, meta, output_names) -> dict:
    q = int(np.argmax(mean))
    out = dict(quadrant=class_names[q], quadrant_source="quadrant head",
               quadrant_probability=round(float(mean[q]), 4),
               quadrant_probabilities={c: round(float(p), 4) for c, p in zip(class_names, mean)})
    if "emotion" not in output_names:  # no AV head: estimate the point from the quadrant head
      arousal, valence = tasks_lib.av_from_quadrant_probabilities(mean)
      out.update(arousal=round(arousal, 4), valence=round(valence, 4),
                 av_source="quadrant probabilities")
    return out

  def describe(self, result: dict) -> str:
    if result.get("quadrant_source") != "quadrant head":
      return ""
    text = f"quadrant {result['quadrant']} {result['quadrant_probability']:.2f}"
    if result.get("av_source") == "quadrant probabilities":
      text += (f"   arousal {_signed(result['arousal'])}  valence {_signed(result['valence'])}"
               " (estimated from the quadrant probabilities)")
    return text

  def csv_columns(self) -> tuple:
    return ("quadrant",)  # the quadrant head's, or the one implied by arousal-valence

  def timeline_header(self) -> str:
    return "quadrant"

  def timeline_cell(self, row: dict) -> str:
    return f"{row.get('quadrant', '')}"


# The view of each form of outputs...
FORMS = {outputs_lib.ClassProbabilities: ClassView, outputs_lib.TagProbabilities: TagView,
         outputs_lib.RegressedValues: ValuesView}
# ...and of the tasks predict shows differently.
SHOWN_DIFFERENTLY = tasks_lib.overrides("jmer predict", {
    "genre": GenreView, "emotion": ArousalValenceView, "quadrant": QuadrantView,
    "genre_tags": functools.partial(TagView, item="genre", probabilities="genre_tag_probabilities",
                                    noun="genre tag"),
})

# Heads whose fields fill another task's columns too: a quadrant head without an AV head
# estimates arousal/valence, an AV head without a quadrant head names the quadrant it implies.
ALSO_FILLS = tasks_lib.overrides("predict columns another head fills", {
    "quadrant": ("emotion",), "emotion": ("quadrant",),
})


def of(task) -> ClassView:
  """How `jmer predict` shows `task`.

  Args:
    task: a jmer.tasks.Task.

  Returns:
    Its view (ClassView or a subclass).

  Raises:
    ValueError: no view knows the form of the task's outputs.
  """
  make = SHOWN_DIFFERENTLY.get(task.name) or outputs_lib.formatter_of(FORMS, task,
                                                                      "jmer predict")
  return make(task)


def of_head(output_name: str) -> ClassView:
  """How `jmer predict` shows the task head `output_name` (a key of jmer.tasks.TASKS).

  Args:
    output_name: a task head's name.

  Returns:
    Its view.
  """
  return of(tasks_lib.TASKS[output_name])


def shown(output_names=None) -> list:
  """The views of the tasks a model's predictions fill, in task order: its own heads' and those
  ALSO_FILLS names, so a table or CSV has no always-empty column.

  Args:
    output_names: the model's output names; None for every known task.

  Returns:
    A list of views.
  """
  if output_names is None:
    return [of(task) for task in tasks_lib.TASKS.values()]
  filled = set(output_names).union(*(ALSO_FILLS.get(name, ()) for name in output_names))
  return [of(task) for task in tasks_lib.TASKS.values() if task.name in filled]
