"""What a task is, in one place: one small spec per model head.

Every stage asks this module instead of branching on task names:
- data:        `target(track)` → (label, sample weight); a missing label is 0 with weight 0
               (a NaN label would poison the loss even at weight 0), and `target_shape/dtype`;
- models:      `units(class_names)`, the activation of a direct head, the per-branch "fusable"
               prediction (class logits, or AV already in [-1, 1]) and the activation after fusion;
- training:    `loss(config)` and `train_metric` (keys of jmer.training.losses' loss and metric
               makers), `loss_weight(config)` (L = L_genre + λ·L_emotion);
- evaluation:  `evaluations(...)`: which metrics table(s) a task's per-track predictions go into,
               `aggregate`: how segment predictions become one per track (the mean), its
               columns of test_predictions.csv (`csv_columns`, `csv_cells`) and its figure;
- inference:   `summary(...)`: the fields a prediction prints, its line of predict's table
               (`table_line`), and its columns in predict's CSV (`predict_columns`) and
               timeline table (`timeline_header`/`timeline_cell`);
- reports:     `report_tables` and `report_metrics()`: the rows a suite report shows.

A task's `kind` picks its metrics (jmer.evaluation.metrics.METRICS_OF_KIND); a new kind, e.g.
multi-label classification (a sigmoid per class), is one metrics function there plus a spec here
overriding what the default kinds do (loss, head activation, CSV cells, report rows).

Adding a task is one new spec in `TASKS` (plus its tests). A task is switched on by
`enabled(config)`; its labels come from a Track's fields or, for your own label columns, from
`Track.extra` (manifest columns jmer does not know).

The interface and its defaults (a single-label classification task) are `Task` in
jmer.tasks.spec, re-exported here; a larger spec may live in its own module (jmer.tasks.genre_tags).
This module sits at the bottom of the package: it imports nothing of jmer but `labels`,
`task_spec` and those specs, and nothing of Keras.
"""

import dataclasses

import numpy as np

from jmer.tasks import genre_tags
from jmer.tasks import labels
from jmer.tasks.spec import CLASSIFICATION, REGRESSION, Task  # noqa: F401 (re-exported)

AUX_PREFIX = "aux"


@dataclasses.dataclass(frozen=True)
class GenreTask(Task):
  """Genre: a softmax over the data's genre vocabulary (GTZAN's ten, or your folders').

  Its methods override Task's (jmer.tasks.spec) and follow their documented contracts.
  """
  name: str = "genre"
  kind: str = CLASSIFICATION

  def enabled(self, config) -> bool:
    return bool(config.tasks.genre)

  def labelled(self, track) -> bool:
    return track.genre >= 0

  def label(self, track):
    return track.genre

  def class_names(self, genre_names) -> tuple:
    return tuple(genre_names)

  def loss_weight(self, config) -> float:
    return 1.0

  def summary(self, mean, class_names, meta, outputs) -> dict:
    order = np.argsort(-mean)
    return dict(
        genres=[dict(genre=class_names[i], probability=round(float(mean[i]), 4))
                for i in order],  # best first; jmer.predict keeps its --top-k
        genre_probabilities={g: round(float(p), 4) for g, p in zip(class_names, mean)})

  def describe(self, result: dict) -> str:
    return "  ".join(f"{g['genre']} {g['probability']:.2f}" for g in result.get("genres", []))

  figure_title = "Genre (test tracks)"

  def report_metrics(self) -> tuple:
    # Genre accuracy is a headline number as well as macro-F1.
    return tuple((label, path, up, headline or label == "genre accuracy")
                 for label, path, up, headline in super().report_metrics())

  def predict_columns(self) -> tuple:
    return sum(((f"genre_{i}", f"probability_{i}") for i in (1, 2, 3)), ())

  def predict_cells(self, entry: dict) -> list:
    top = list(entry.get("genres", [])) + [{"genre": "", "probability": ""}] * 3
    return [cell for g in top[:3] for cell in (g["genre"], g["probability"])]

  def timeline_header(self) -> str:
    return f"{'genre':<12} {'prob':>5}"

  def timeline_cell(self, row: dict) -> str:
    top = (row.get("genres") or [{"genre": "", "probability": float("nan")}])[0]
    return f"{top['genre']:<12} {top['probability']:>5.2f}"


@dataclasses.dataclass(frozen=True)
class ArousalValenceTask(Task):
  """Emotion as a point on the arousal–valence plane, both in [-1, 1] (tanh).

  Its methods override Task's (jmer.tasks.spec) and follow their documented contracts.
  """
  name: str = "emotion"
  kind: str = REGRESSION
  target_shape: tuple = (2,)
  target_dtype: str = "float32"
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

  def units(self, genre_names) -> int:
    return 2

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
    return [("emotion_av", REGRESSION, self.truth(tracks), predictions, ("arousal", "valence")),
            ("quadrant_from_av", CLASSIFICATION, QUADRANT.truth(tracks), onehot,
             labels.QUADRANTS)]

  def summary(self, mean, class_names, meta, outputs) -> dict:
    out = dict(arousal=round(float(mean[0]), 4), valence=round(float(mean[1]), 4))
    if "quadrant" not in outputs:  # else the quadrant head says it
      q = int(labels.av_quadrant(mean[0], mean[1], meta["quadrant_threshold"]))
      # -1 (a non-finite prediction) is no quadrant, not QUADRANTS[-1].
      out.update(quadrant=labels.QUADRANTS[q] if q >= 0 else None,
                 quadrant_source="arousal-valence")
    return out

  table_line = "emotion"

  def csv_columns(self) -> tuple:
    return ("true_arousal", "pred_arousal", "true_valence", "pred_valence")

  def csv_cells(self, track, prediction, class_names) -> list:
    return [cell for dim, value in ((0, track.arousal), (1, track.valence)) for cell in (
        f"{value:.4f}" if track.has_av else "",
        f"{prediction[dim]:.4f}" if prediction is not None else "")]

  figure = "av_scatter"

  @property
  def report_tables(self) -> dict:
    return {"emotion_av": "Arousal–valence regression"}

  def report_metrics(self) -> tuple:
    return tuple(row for dim in ("arousal", "valence") for row in (
        (f"{dim} CCC", ("emotion_av", dim, "ccc"), True, True),
        (f"{dim} RMSE", ("emotion_av", dim, "rmse"), False, False),
        (f"{dim} r", ("emotion_av", dim, "pearson_r"), True, False),
        (f"{dim} R²", ("emotion_av", dim, "r2"), True, False)))

  def predict_columns(self) -> tuple:
    return ("arousal", "valence")

  def timeline_header(self) -> str:
    return f"{'arousal':>7} {'valence':>7}"

  def timeline_cell(self, row: dict) -> str:
    return f"{_signed(row.get('arousal')):>7} {_signed(row.get('valence')):>7}"

  def describe(self, result: dict) -> str:
    if "arousal" not in result or result.get("av_source") == "quadrant probabilities":
      return ""  # no AV head: the quadrant head's line gives its estimate
    text = f"arousal {_signed(result['arousal'])}  valence {_signed(result['valence'])}"
    if result.get("quadrant_source") == "arousal-valence":
      text += f"   quadrant {result['quadrant']}"
    return text


@dataclasses.dataclass(frozen=True)
class QuadrantTask(Task):
  """Emotion as one of the four AV quadrants (labels.QUADRANTS), a 4-way softmax.

  Its methods override Task's (jmer.tasks.spec) and follow their documented contracts.
  """
  name: str = "quadrant"
  kind: str = CLASSIFICATION

  def enabled(self, config) -> bool:
    return config.tasks.emotion in ("quadrant", "both")

  def labelled(self, track) -> bool:
    return track.quadrant >= 0

  def label(self, track):
    return track.quadrant

  def class_names(self, genre_names) -> tuple:
    return labels.QUADRANTS

  def summary(self, mean, class_names, meta, outputs) -> dict:
    q = int(np.argmax(mean))
    out = dict(quadrant=class_names[q], quadrant_source="quadrant head",
               quadrant_probability=round(float(mean[q]), 4),
               quadrant_probabilities={c: round(float(p), 4) for c, p in zip(class_names, mean)})
    if "emotion" not in outputs:  # no AV head: estimate the point from the quadrant head
      arousal, valence = av_from_quadrant_probabilities(mean)
      out.update(arousal=round(arousal, 4), valence=round(valence, 4),
                 av_source="quadrant probabilities")
    return out

  table_line = "emotion"

  def csv_columns(self) -> tuple:
    return ("pred_quadrant", "true_quadrant")

  def csv_cells(self, track, prediction, class_names) -> list:
    # The true quadrant: a quadrant-only dataset (4Q) has it without arousal/valence.
    true, pred, _ = super().csv_cells(track, prediction, class_names)
    return [pred, true]

  figure_title = "AV quadrant (test)"

  @property
  def report_tables(self) -> dict:
    return {"quadrant": "Emotion quadrant (quadrant head)"}

  def predict_columns(self) -> tuple:
    return ("quadrant",)  # the quadrant head's, or the one implied by arousal-valence

  def timeline_header(self) -> str:
    return "quadrant"

  def timeline_cell(self, row: dict) -> str:
    return f"{row.get('quadrant', '')}"

  def describe(self, result: dict) -> str:
    if result.get("quadrant_source") != "quadrant head":
      return ""
    text = f"quadrant {result['quadrant']} {result['quadrant_probability']:.2f}"
    if result.get("av_source") == "quadrant probabilities":
      text += (f"   arousal {_signed(result['arousal'])}  valence {_signed(result['valence'])}"
               " (estimated from the quadrant probabilities)")
    return text


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


def _signed(value) -> str:
  return "" if value is None else f"{value:+.2f}"


GENRE, EMOTION, QUADRANT = GenreTask(), ArousalValenceTask(), QuadrantTask()
GENRE_TAGS = genre_tags.GenreTagsTask()

# Every task jmer knows, in the fixed order of the model's outputs. An explicit dict: adding a
# task is one entry here (tests may add one for the duration of a test).
TASKS = {task.name: task for task in (GENRE, EMOTION, QUADRANT, GENRE_TAGS)}


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
