"""What a task is, with the defaults of a single-label classification task.

jmer.tasks holds the tasks themselves and their registry; this module holds only the interface
every stage asks (see jmer.tasks) and its defaults: what a task IS (its label and target, its
head, loss and weight, how segment predictions aggregate, which metrics it fills) and what a
prediction of it consists of (`outputs`, jmer.tasks.outputs). How a prediction is SHOWN lives
with the code that shows it, read from `outputs`. It imports nothing of jmer but
jmer.tasks.outputs, and nothing of Keras.
"""

import dataclasses

import numpy as np

from jmer.tasks import outputs as outputs_lib

CLASSIFICATION, REGRESSION, MULTILABEL = "classification", "regression", "multilabel"


@dataclasses.dataclass(frozen=True)
class Task:
  """A model head. Subclasses say what its labels, head, loss, metrics and outputs are."""
  name: str  # the model's output name; also the key of its targets and sample weights
  kind: str  # CLASSIFICATION, REGRESSION or MULTILABEL: which metrics and baseline apply

  # What one prediction consists of (jmer.tasks.outputs): what every formatter reads.
  outputs = outputs_lib.ClassProbabilities()

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
    """Returns the head's output width: one unit per regressed value, else per class.

    Args:
      genre_names: the data's genre vocabulary.
    """
    if isinstance(self.outputs, outputs_lib.RegressedValues):
      return len(self.outputs.names)
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
      A list of (metrics key, a kind (CLASSIFICATION, REGRESSION, MULTILABEL), truth,
      predictions, class or dimension names), one per table.
    """
    return [(self.name, self.kind, self.truth(tracks), predictions, self.class_names(genre_names))]


@dataclasses.dataclass(frozen=True)
class MultiLabelTask(Task):
  """The defaults of a multi-label task: classes as independent yes/no decisions, a sigmoid
  each, trained with binary cross-entropy on a 0/1 target per class (target_shape (classes,)).
  """
  kind: str = MULTILABEL
  target_dtype: str = "float32"
  head_activation = "sigmoid"
  fused_activation = "sigmoid"
  train_metric = "binary_accuracy"
  outputs = outputs_lib.TagProbabilities()

  def loss(self, config) -> str:
    return "binary_xent"

  def truth(self, tracks) -> np.ndarray:
    """Per-track 0/1 rows for metrics; an unlabelled track's row is all NaN.

    Args:
      tracks: the Tracks, in prediction order.

    Returns:
      A float64 (n_tracks, classes) array.
    """
    k = self.target_shape[0]
    return np.array([self.label(t) if self.labelled(t) else [np.nan] * k for t in tracks],
                    np.float64).reshape(len(tracks), k)
