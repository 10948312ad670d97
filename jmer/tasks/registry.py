"""What a task is, in one place: one small spec per model head.

Every stage asks this module instead of branching on task names:
- data:        `target(track)` → (label, sample weight); a missing label is 0 with weight 0
               (a NaN label would poison the loss even at weight 0), and `target_shape/dtype`;
- models:      `units(class_names)`, the activation of a direct head, the per-branch "fusable"
               prediction (class logits, or AV already in [-1, 1]) and the activation after fusion;
- training:    `loss(config)` and `train_metric` (keys of jmer.training.losses' loss and metric
               makers), `loss_weight(config)` (L = L_genre + λ·L_emotion);
- evaluation:  `evaluations(...)`: which metrics table(s) a task's per-track predictions go into,
               `aggregate`: how segment predictions become one per track (the mean);
- every printout: `outputs` (jmer.tasks.outputs), what one prediction consists of: class
               probabilities, tag probabilities or named regressed values. The readers format
               it themselves: test_predictions.csv and figures (jmer.evaluation), predict's
               fields, table, CSV and timeline (jmer.inference.task_fields), a suite report's
               rows (jmer.experiments.task_rows), each with an override table for the tasks it
               shows differently (checked by `overrides`).

A task's `kind` picks its metrics (jmer.evaluation.metrics.METRICS_OF_KIND); a new kind is one
metrics function there plus a spec here overriding what the defaults do (loss, head activation,
outputs), as `MultiLabelTask` (jmer.tasks.spec) does for a sigmoid per class.

Adding a task is one new spec in `TASKS` (plus its tests). A task is switched on by
`enabled(config)`; its labels come from a Track's fields or, for your own label columns, from
`Track.extra` (manifest columns jmer does not know).

The interface and its defaults (a single-label classification task) are `Task` in
jmer.tasks.spec, re-exported here; a larger spec may live in its own module (jmer.tasks.genre_tags).
This module sits at the bottom of the package: it imports nothing of jmer but `labels`,
`outputs`, `spec` and those specs, and nothing of Keras.
"""

import dataclasses
from typing import ClassVar

import numpy as np

from jmer.tasks import genre_tags
from jmer.tasks import labels
from jmer.tasks import outputs as outputs_lib
from jmer.tasks.spec import CLASSIFICATION, REGRESSION, Task  # noqa: F401 (re-exported)

AUX_PREFIX = "aux"


@dataclasses.dataclass(frozen=True)
class _TrackClassTask(Task):
  """A single-label task whose label is a class index in one of Track's fields (-1: none)."""
  kind: str = CLASSIFICATION
  track_field: ClassVar[str] = ""

  def labelled(self, track) -> bool:
    return getattr(track, self.track_field) >= 0

  def label(self, track):
    return getattr(track, self.track_field)


@dataclasses.dataclass(frozen=True)
class GenreTask(_TrackClassTask):
  """Genre: a softmax over the data's genre vocabulary (GTZAN's ten, or your folders').

  Its methods override Task's (jmer.tasks.spec) and follow their documented contracts.
  """
  name: str = "genre"
  track_field: ClassVar[str] = "genre"

  def enabled(self, config) -> bool:
    return bool(config.tasks.genre)

  def class_names(self, genre_names) -> tuple:
    return tuple(genre_names)

  def loss(self, config) -> str:
    # Genre-set training labels (jmer.data.genre_labels) need the set loss; it equals the
    # sparse cross-entropy on every other label.
    allmusic = config.data.get("genre_labels", {}).get("allmusic", "none")
    return "set_xent" if allmusic == "sets" else "sparse_xent"

  def loss_weight(self, config) -> float:
    return 1.0


@dataclasses.dataclass(frozen=True)
class ArousalValenceTask(Task):
  """Emotion as a point on the arousal–valence plane, both in [-1, 1] (tanh).

  Its methods override Task's (jmer.tasks.spec) and follow their documented contracts.
  """
  # The model output's name: "emotion" since the first release, kept because model files,
  # metrics.json keys and the committed raw results name this head so (the quadrant head,
  # emotion too, is "quadrant"); in code the task is AROUSAL_VALENCE.
  name: str = "emotion"
  kind: str = REGRESSION
  target_shape: tuple = (2,)
  target_dtype: str = "float32"
  outputs = outputs_lib.RegressedValues(("arousal", "valence"), -1.0, 1.0)
  head_activation = "tanh"
  branch_activation = "tanh"
  branch_suffix = "av"
  fused_activation = "linear"  # the fused AV is a mean of tanh outputs: already in [-1, 1]

  def enabled(self, config) -> bool:
    return config.tasks.emotion in ("av", "both")

  def labelled(self, track) -> bool:
    return track.has_av

  def label(self, track):
    return [track.arousal, track.valence]

  train_metric = "rmse"

  def loss(self, config) -> str:
    return "ccc" if config.tasks.av_loss == "ccc" else "mse"

  def truth(self, tracks) -> np.ndarray:
    return np.array([[t.arousal, t.valence] for t in tracks], np.float64).reshape(-1, 2)

  def evaluations(self, tracks, predictions, genre_names, config) -> list:
    # Besides regression metrics: the quadrant the predicted AV point falls in, for comparison
    # with a quadrant head. A non-finite prediction is no opinion: a NaN row, which the
    # classification metrics leave out and count (n_no_prediction), not a uniform row that
    # argmax would score as Q1, nor np.eye(4)[-1] = Q4.
    implied = labels.av_quadrant(predictions[:, 0], predictions[:, 1],
                                 config.tasks.quadrant_threshold)
    onehot = np.where((implied >= 0)[:, None], np.eye(4)[np.maximum(implied, 0)], np.nan)
    return [("emotion_av", REGRESSION, self.truth(tracks), predictions, self.outputs.names),
            ("quadrant_from_av", CLASSIFICATION, QUADRANT.truth(tracks), onehot,
             labels.QUADRANTS)]


@dataclasses.dataclass(frozen=True)
class QuadrantTask(_TrackClassTask):
  """Emotion as one of the four AV quadrants (labels.QUADRANTS), a 4-way softmax.

  Its methods override Task's (jmer.tasks.spec) and follow their documented contracts.
  """
  name: str = "quadrant"
  track_field: ClassVar[str] = "quadrant"

  def enabled(self, config) -> bool:
    return config.tasks.emotion in ("quadrant", "both")

  def class_names(self, genre_names) -> tuple:
    return labels.QUADRANTS


def av_from_quadrant_probabilities(probabilities) -> tuple:
  """(arousal, valence) in [-1, 1] implied by quadrant probabilities (labels.QUADRANTS order).

  Arousal is P(high) − P(low) = P(Q1) + P(Q2) − P(Q3) − P(Q4); valence is P(positive) −
  P(negative) = P(Q1) + P(Q4) − P(Q2) − P(Q3). An estimate, not a trained regression: it is 0
  where the head is unsure and ±1 only when it is certain of a side.

  Args:
    probabilities: the four quadrant probabilities.

  Returns:
    (arousal, valence) as floats.
  """
  q1, q2, q3, q4 = (float(p) for p in probabilities)
  return q1 + q2 - q3 - q4, q1 + q4 - q2 - q3


GENRE, AROUSAL_VALENCE, QUADRANT = GenreTask(), ArousalValenceTask(), QuadrantTask()
GENRE_TAGS = genre_tags.GenreTagsTask()

# Every task jmer knows, in the fixed order of the model's outputs. An explicit dict: adding a
# task is one entry here (tests may add one for the duration of a test).
TASKS = {task.name: task for task in (GENRE, AROUSAL_VALENCE, QUADRANT, GENRE_TAGS)}


def active(config) -> tuple:
  """The configured tasks, in output order.

  Args:
    config: the run config.

  Returns:
    A tuple of the enabled Tasks.
  """
  return tuple(task for task in TASKS.values() if task.enabled(config))


def output_names(config) -> tuple:
  """The model's task heads, in a fixed order: e.g. ('genre', 'emotion').

  Args:
    config: the run config.

  Returns:
    A tuple of the active tasks' names.
  """
  return tuple(task.name for task in active(config))


def aux_output_name(branch: str, task_name: str) -> str:
  """A per-branch auxiliary head of a task: aux_<feature>_<task>.

  Args:
    branch: the feature branch's name.
    task_name: the task's name.

  Returns:
    The output name.
  """
  return f"{AUX_PREFIX}_{branch}_{task_name}"


@dataclasses.dataclass(frozen=True)
class Head:
  """One model output: the task it predicts and, for an auxiliary head, the branch it sits on.

  What an output is comes from here, never from its name, so a task or feature name may hold
  any character (an aux head's name is only a label).
  """
  task: Task
  branch: str | None = None  # None: the task's own (fused) head

  @property
  def name(self) -> str:
    """The output's name: the task's, or aux_<branch>_<task> for an auxiliary head."""
    return self.task.name if self.branch is None else aux_output_name(self.branch, self.task.name)

  @property
  def is_aux(self) -> bool:
    """Whether this is a per-branch auxiliary head."""
    return self.branch is not None


def model_heads(config) -> dict:
  """{output name: Head} of the model: the task heads in output order, then the per-branch
  auxiliary heads (model.aux_heads, with two or more features), branch by branch.

  Args:
    config: the run config (tasks, features.names, model.aux_heads).

  Returns:
    A dict from output name to Head.
  """
  own = [Head(task) for task in active(config)]
  branches = tuple(config.features.names)
  aux = ([Head(h.task, b) for b in branches for h in own]
         if config.model.aux_heads and len(branches) >= 2 else [])
  return {head.name: head for head in own + aux}


def targets(track, names) -> tuple:
  """({output: label}, {output: weight}) of one track for the named task outputs.

  Args:
    track: a Track.
    names: the output (task) names.

  Returns:
    (labels, weights): {output: label array}, {output: float32 weight, 0 when unlabelled}.
  """
  pairs = {name: TASKS[name].target(track) for name in names}
  return {n: y for n, (y, _) in pairs.items()}, {n: w for n, (_, w) in pairs.items()}


def overrides(reader: str, table: dict) -> dict:
  """A reader's table of tasks it shows differently from their outputs, checked.

  Args:
    reader: what the table is for, for the error (e.g. 'predict CSV columns').
    table: {task name: the reader's override}.

  Returns:
    `table` itself.

  Raises:
    ValueError: a key names no task in TASKS (a typo, or a task since renamed).
  """
  unknown = sorted(set(table) - set(TASKS))
  if unknown:
    raise ValueError(f"{reader}: overrides for unknown task(s) {unknown}; tasks are {list(TASKS)}")
  return table
