"""What a task is, in one place: one small spec per model head.

Every stage asks this module instead of branching on task names:
- data:        `target(track)` → (label, sample weight); a missing label is 0 with weight 0
               (a NaN label would poison the loss even at weight 0), and `target_shape/dtype`;
- models:      `units(class_names)`, the activation of a direct head, the per-branch "fusable"
               prediction (class logits, or AV already in [-1, 1]) and the activation after fusion;
- training:    `loss(config)` and `train_metric` (keys of jmer.training.losses' loss and metric
               makers), `loss_weight(config)` (L = L_genre + λ·L_emotion);
- evaluation:  `evaluations(...)`: which metrics table(s) a task's per-track predictions go into,
               and `aggregate`: how segment predictions become one per track (the mean);
- inference:   `summary(...)`: the fields a prediction prints.

Adding a task is one new spec in `TASKS` (plus its tests). A task is switched on by
`enabled(config)`; its labels come from a Track's fields or, for your own label columns, from
`Track.extra` (manifest columns jmer does not know).

This module sits at the bottom of the package: it imports nothing of jmer but `labels`, and
nothing of Keras.
"""

import dataclasses

import numpy as np

from jmer import labels

CLASSIFICATION, REGRESSION = "classification", "regression"
AUX_PREFIX = "aux"


@dataclasses.dataclass(frozen=True)
class Task:
  """A model head. Subclasses say how its labels, loss, metrics and printout look."""
  name: str  # the model's output name; also the key of its targets and sample weights
  kind: str  # CLASSIFICATION or REGRESSION: which metrics and which baseline model apply

  def enabled(self, config) -> bool:
    raise NotImplementedError

  # --- data -------------------------------------------------------------------------------
  def labelled(self, track) -> bool:
    raise NotImplementedError

  def label(self, track):
    """The track's label (class index or values); only called when `labelled(track)`."""
    raise NotImplementedError

  target_shape: tuple = ()
  target_dtype: str = "int32"

  def target(self, track) -> tuple:
    """(label, weight) for one track: a missing label becomes 0 with weight 0."""
    if self.labelled(track):
      return np.asarray(self.label(track), self.target_dtype), np.float32(1.0)
    return np.zeros(self.target_shape, self.target_dtype), np.float32(0.0)

  # --- model ------------------------------------------------------------------------------
  def class_names(self, genre_names) -> tuple:
    """The output classes (classification tasks); `genre_names` is the data's vocabulary."""
    return ()

  def units(self, genre_names) -> int:
    return len(self.class_names(genre_names))

  head_activation = "softmax"  # a direct head: Dense(units, head_activation)
  branch_activation = None  # a per-branch fusable prediction (None: class logits)
  branch_suffix = "logits"  # that layer is named <branch>_<task>_<suffix>
  fused_activation = "softmax"  # applied after late fusion of the branch predictions

  # --- training ---------------------------------------------------------------------------
  def loss(self, config) -> str:
    """Which masked loss trains the head (a key of jmer.training.losses.LOSSES)."""
    return "sparse_xent"

  train_metric = "accuracy"  # a key of jmer.training.losses.METRICS

  def loss_weight(self, config) -> float:
    """Genre weighs 1, every emotion head λ (train.lambda_emotion)."""
    return float(config.train.lambda_emotion)

  # --- evaluation ---------------------------------------------------------------------------
  def aggregate(self, values, owner, n_tracks: int):
    """Segment outputs → per-track outputs: the mean of a track's segments."""
    counts = np.bincount(owner, minlength=n_tracks).astype(np.float64)[:, None]
    values = np.asarray(values, np.float64).reshape(len(owner), -1)
    sums = np.zeros((n_tracks, values.shape[1]))
    np.add.at(sums, owner, values)
    return sums / np.maximum(counts, 1)

  def truth(self, tracks) -> np.ndarray:
    """Per-track labels for metrics: class index (-1 = none) or values (NaN = none)."""
    return np.array([int(self.label(t)) if self.labelled(t) else -1 for t in tracks], np.int64)

  def evaluations(self, tracks, predictions, genre_names, config) -> list:
    """[(metrics key, kind, truth, predictions, names)]: the metrics tables this task fills."""
    return [(self.name, self.kind, self.truth(tracks), predictions, self.class_names(genre_names))]

  # --- inference ----------------------------------------------------------------------------
  def summary(self, mean, class_names, meta, outputs) -> dict:
    """The fields `jmer.predict` reports for one file (or segment) from the head's mean."""
    k = int(np.argmax(mean))
    return {self.name: class_names[k], f"{self.name}_probability": round(float(mean[k]), 4)}

  @property
  def line_label(self) -> str:
    """The printed line this task's description goes on."""
    return self.name

  def describe(self, result: dict) -> str:
    """This task's part of a printed prediction ('' when the result has nothing of it)."""
    if self.name not in result:
      return ""
    return f"{result[self.name]} {result[f'{self.name}_probability']:.2f}"


@dataclasses.dataclass(frozen=True)
class GenreTask(Task):
  """Genre: a softmax over the data's genre vocabulary (GTZAN's ten, or your folders')."""
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


@dataclasses.dataclass(frozen=True)
class ArousalValenceTask(Task):
  """Emotion as a point on the arousal–valence plane, both in [-1, 1] (tanh)."""
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

  line_label = "emotion"

  def describe(self, result: dict) -> str:
    if "arousal" not in result or result.get("av_source") == "quadrant probabilities":
      return ""  # no AV head: the quadrant head's line gives its estimate
    text = f"arousal {_signed(result['arousal'])}  valence {_signed(result['valence'])}"
    if result.get("quadrant_source") == "arousal-valence":
      text += f"   quadrant {result['quadrant']}"
    return text


@dataclasses.dataclass(frozen=True)
class QuadrantTask(Task):
  """Emotion as one of the four AV quadrants (labels.QUADRANTS), a 4-way softmax."""
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

  line_label = "emotion"

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
  """
  q1, q2, q3, q4 = (float(p) for p in probabilities)
  return q1 + q2 - q3 - q4, q1 + q4 - q2 - q3


def _signed(value) -> str:
  return "" if value is None else f"{value:+.2f}"


GENRE, EMOTION, QUADRANT = GenreTask(), ArousalValenceTask(), QuadrantTask()

# Every task jmer knows, in the fixed order of the model's outputs. An explicit dict: adding a
# task is one entry here (tests may add one for the duration of a test).
TASKS = {task.name: task for task in (GENRE, EMOTION, QUADRANT)}


def active(config) -> tuple:
  """The configured tasks, in output order."""
  return tuple(task for task in TASKS.values() if task.enabled(config))


def output_names(config) -> tuple:
  """The model's task heads, in a fixed order: e.g. ('genre', 'emotion')."""
  return tuple(task.name for task in active(config))


def aux_output_name(branch: str, task_name: str) -> str:
  """A per-branch auxiliary head of a task: aux_<feature>_<task>."""
  return f"{AUX_PREFIX}_{branch}_{task_name}"


def task_of(output_name: str) -> Task:
  """The task an output predicts: genre for 'genre' and for an aux head 'aux_mel_genre'."""
  return TASKS[output_name.rsplit("_", 1)[-1]]


def targets(track, names) -> tuple:
  """({output: label}, {output: weight}) of one track for the named task outputs."""
  pairs = {name: TASKS[name].target(track) for name in names}
  return {n: y for n, (y, _) in pairs.items()}, {n: w for n, (_, w) in pairs.items()}
