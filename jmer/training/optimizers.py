"""The training optimizer: AdamW with a warm-up/cosine schedule (`make_optimizer`), the
variables spared weight decay (`no_decay_variables`), and a per-variable learning-rate factor:
the fine-tuned pretrained network learns slower than the freshly initialised layers around it.

Scaling the gradients instead would do nothing: Adam divides each update by the running RMS of
its gradient, so its steps do not depend on the gradient's scale. The factor therefore goes into
the learning rate of each update step. Keras 3 (every backend, JAX's stateless training too)
applies gradients by calling `update_step(gradient, variable, learning_rate)` once per trainable
variable, with the optimizer's own variable objects, so the factor is looked up by the variable's
key as Keras' own weight-decay exclusions are. AdamW's decoupled weight decay is applied
elsewhere and stays at the full rate (train.weight_decay x the learning rate per step: 1e-4 by
default, 0.05 in the real-music recipes).
"""

import keras


@keras.saving.register_keras_serializable(package="jmer")
class ScaledAdamW(keras.optimizers.AdamW):
  """keras.optimizers.AdamW; `scale_learning_rate(variables, factor)` slows chosen variables."""

  def __init__(self, *args, **kwargs):
    super().__init__(*args, **kwargs)
    self._learning_rate_scales = {}

  def scale_learning_rate(self, variables, factor: float):
    """Updates `variables` at `factor` x the learning rate from now on.

    Args:
      variables: model variables this optimizer updates.
      factor: the multiplier of the scheduled learning rate for them.
    Returns:
      None.
    """
    for variable in variables:
      self._learning_rate_scales[self._var_key(variable)] = float(factor)

  def learning_rate_scale(self, variable) -> float:
    """The multiplier of the learning rate for `variable`.

    Args:
      variable: a model variable.
    Returns:
      The factor set by scale_learning_rate, else 1.0.
    """
    return self._learning_rate_scales.get(self._var_key(variable), 1.0)

  def update_step(self, gradient, variable, learning_rate):
    factor = self.learning_rate_scale(variable)
    if factor != 1.0:
      learning_rate = keras.ops.multiply(learning_rate, factor)
    super().update_step(gradient, variable, learning_rate)


def make_optimizer(*, learning_rate: float, weight_decay: float, epochs: int,
                   warmup_epochs: int, steps_per_epoch: int) -> "ScaledAdamW":
  """AdamW with a linear warm-up then cosine decay over the run (config.train's keys).

  Args:
    learning_rate: the peak rate, reached after warm-up from a tenth of it.
    weight_decay: AdamW's decoupled decay factor.
    epochs: the run's length in epochs; warmup_epochs: the warm-up's, in epochs.
    steps_per_epoch: optimizer steps (batches) per epoch.
  Returns:
    A ScaledAdamW whose rate decays to 1% of the peak by the last step.
  """
  total = max(1, epochs * steps_per_epoch)
  warmup = min(total - 1, warmup_epochs * steps_per_epoch)
  schedule = keras.optimizers.schedules.CosineDecay(
      initial_learning_rate=learning_rate / 10, decay_steps=total - warmup, alpha=0.01,
      warmup_target=learning_rate, warmup_steps=warmup)
  return ScaledAdamW(learning_rate=schedule, weight_decay=weight_decay)


def no_decay_variables(model) -> list:
  """The variables weight decay should skip.

  Biases, norm scales/offsets (every vector) and fusion gate logits: decaying them toward zero
  only fights the normalisation they do (AdamW's usual exclusions).

  Args:
    model: a built Keras model.
  Returns:
    A list of its trainable variables of rank <= 1 and its gate logits.
  """
  return [v for v in model.trainable_variables
          if len(v.shape) <= 1 or v.path.endswith("gate_logits")]
