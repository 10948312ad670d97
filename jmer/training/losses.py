"""Masked per-task losses: L = L_genre + λ·L_emotion.

Masking is by sample weight: a sample without a head's label has weight 0 for that head. The
'mean_with_sample_weight' reduction divides by the sum of the batch's sample weights (the
number of labelled samples when every weight is 0 or 1; with class-balanced genre weights, the
sum of those weights), so λ keeps its meaning however few samples of a batch carry emotion
labels, and a batch with none contributes exactly 0 (divide_no_nan).
"""

import keras

from jmer import tasks
from jmer.tasks import labels

REDUCTION = "mean_with_sample_weight"


@keras.saving.register_keras_serializable(package="jmer")
class ConcordanceLoss(keras.losses.Loss):
  """1 − CCC, averaged over the output dimensions (arousal, valence), computed over the batch.

  CCC is a statistic of the whole batch, not a mean of per-sample terms, so sample weights
  weight the means, variances and covariance; labelless samples (weight 0) drop out, and a
  batch without labels contributes 0.
  """

  def __init__(self, name="av_ccc", epsilon=1e-6, **kwargs):
    super().__init__(name=name, **kwargs)
    self.epsilon = epsilon

  def __call__(self, y_true, y_pred, sample_weight=None):
    return concordance_loss(y_true, y_pred, sample_weight, self.epsilon)

  def call(self, y_true, y_pred):  # abstract in Loss; __call__ above is the real entry point
    return concordance_loss(y_true, y_pred, None, self.epsilon)

  def get_config(self):
    return dict(super().get_config(), epsilon=self.epsilon)


def concordance_loss(y_true, y_pred, sample_weight=None, epsilon=1e-6):
  """1 - the mean concordance correlation coefficient (CCC) over output dimensions.

  Statistics are weighted by `sample_weight`, so unlabelled tracks (weight 0) do not count.

  Args:
    y_true: (batch, dims) targets.
    y_pred: (batch, dims) predictions.
    sample_weight: (batch,) weights, or None for all ones.
    epsilon: added to the CCC's denominator, so constant inputs do not divide by zero.
  Returns:
    A scalar tensor; 0 when every weight is 0.
  """
  from keras import ops
  y_pred = ops.convert_to_tensor(y_pred, "float32")
  y_true = ops.cast(y_true, "float32")
  w = (ops.ones(ops.shape(y_pred)[:1]) if sample_weight is None
       else ops.reshape(ops.cast(sample_weight, "float32"), (-1,)))
  total = ops.sum(w)
  wn = ops.expand_dims(ops.divide_no_nan(w, total), -1)
  mean_t, mean_p = ops.sum(wn * y_true, 0), ops.sum(wn * y_pred, 0)
  var_t = ops.sum(wn * (y_true - mean_t) ** 2, 0)
  var_p = ops.sum(wn * (y_pred - mean_p) ** 2, 0)
  cov = ops.sum(wn * (y_true - mean_t) * (y_pred - mean_p), 0)
  ccc = 2 * cov / (var_t + var_p + (mean_t - mean_p) ** 2 + epsilon)
  return ops.where(total > 0, 1.0 - ops.mean(ccc), 0.0)


@keras.saving.register_keras_serializable(package="jmer")
class SetCrossentropy(keras.losses.Loss):
  """−log of the probability a label allows: a class alone, or any class of a genre set.

  Labels are class indices; an index past the K classes names a genre set
  (jmer.tasks.labels.genre_set_index), e.g. "pop or rock", whose loss is −log(p(pop) + p(rock)):
  the head is right to say either. For a label below K it is the sparse cross-entropy.
  `rows` (labels.genre_target_rows) holds each label's allowed classes.
  """

  def __init__(self, rows, name="genre_set_xent", epsilon=1e-7, **kwargs):
    super().__init__(name=name, **kwargs)
    self.rows = [[float(v) for v in row] for row in rows]
    self.epsilon = epsilon

  def call(self, y_true, y_pred):
    from keras import ops
    allowed = ops.take(ops.convert_to_tensor(self.rows, "float32"),
                       ops.reshape(ops.cast(y_true, "int32"), (-1,)), axis=0)
    p = ops.sum(allowed * ops.cast(y_pred, "float32"), axis=-1)
    return -ops.log(ops.clip(p, self.epsilon, 1.0))

  def get_config(self):
    return dict(super().get_config(), rows=self.rows, epsilon=self.epsilon)


LOSSES = {
    "sparse_xent": lambda name: keras.losses.SparseCategoricalCrossentropy(
        reduction=REDUCTION, name=f"{name}_xent"),
    "mse": lambda name: keras.losses.MeanSquaredError(reduction=REDUCTION, name="av_mse"),
    "ccc": lambda name: ConcordanceLoss(),
    # Multi-label classification: one sigmoid per class, each a binary cross-entropy.
    "binary_xent": lambda name: keras.losses.BinaryCrossentropy(reduction=REDUCTION,
                                                                name=f"{name}_bce"),
    # Genre with genre-set training labels (config.data.genre_labels.allmusic='sets'): over
    # GTZAN's genres, the one vocabulary those labels map onto.
    "set_xent": lambda name: SetCrossentropy(labels.genre_target_rows(labels.GTZAN_GENRES),
                                             reduction=REDUCTION, name=f"{name}_set_xent"),
}
METRICS = {
    "accuracy": lambda: keras.metrics.SparseCategoricalAccuracy(name="accuracy"),
    "rmse": lambda: keras.metrics.RootMeanSquaredError(name="rmse"),
    "binary_accuracy": lambda: keras.metrics.BinaryAccuracy(name="accuracy"),
}


def task_losses(heads: dict, config) -> dict:
  """Each head's loss: its task's masked loss; aux heads get their task's loss.

  Args:
    heads: {output name: jmer.tasks.Head}.
    config: the run's config (a task's loss may depend on it, e.g. tasks.av_loss).
  Returns:
    {output name: Keras loss}.
  """
  return {name: LOSSES[head.task.loss(config)](head.task.name) for name, head in heads.items()}


def loss_weights(heads: dict, config) -> dict:
  """Each head's weight in the total loss.

  Args:
    heads: {output name: jmer.tasks.Head}.
    config: the run's config (task loss weights and model.aux_weight).
  Returns:
    {output name: weight}: the task's loss weight, times model.aux_weight for aux heads.
  """
  def weight(head):
    aux = float(config.model.aux_weight) if head.is_aux else 1.0
    return head.task.loss_weight(config) * aux
  return {name: weight(head) for name, head in heads.items()}


def task_metrics(output_names) -> dict:
  """The training metric each task head reports (aux heads are not tracked).

  Args:
    output_names: the model's task outputs, named as in jmer.tasks.TASKS.
  Returns:
    {output name: [a fresh Keras metric]}.
  """
  return {name: [METRICS[tasks.TASKS[name].train_metric]()] for name in output_names}
