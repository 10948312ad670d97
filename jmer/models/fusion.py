"""The late-fusion layer merging feature branches, and the callback that logs its gates.

Modes (config.model.fusion): 'mean' and 'gated' merge per-branch predictions (class logits /
AV) in one `LateFusion` layer; 'concat' merges branch embeddings into an MLP before the heads.
With one branch every mode is the identity.
"""

import keras
import numpy as np
from keras import layers
from keras import ops

# Gate logits are stored divided by this: Adam moves a weight by about the learning rate per
# step whatever its gradient, which would leave unscaled gates near uniform for a whole run.
GATE_SCALE = 10.0


@keras.saving.register_keras_serializable(package="jmer")
class LateFusion(layers.Layer):
  """Merges per-branch predictions per task: a plain mean, or learned softmax gate weights.

  Input: a flat list, task-major ([task0/branch0, task0/branch1, ..., task1/branch0, ...]);
  output: one fused tensor per task. Gates are input-independent (one weight vector over the
  branches per task), so their values say which feature each task relies on.
  """

  def __init__(self, mode: str, tasks, branches, **kwargs):
    super().__init__(**kwargs)
    if mode not in ("mean", "gated"):
      raise ValueError(f"LateFusion mode {mode!r}: expected 'mean' or 'gated'.")
    self.mode, self.tasks, self.branches = mode, tuple(tasks), tuple(branches)

  def build(self, input_shape):
    if self.mode == "gated":
      # Zeros: training starts from the plain mean.
      self.gate_logits = self.add_weight(name="gate_logits",
                                         shape=(len(self.tasks), len(self.branches)),
                                         initializer="zeros")

  def gates(self):
    """(tasks, branches) weights, each row summing to 1.

    Returns:
      A (tasks, branches) tensor: a softmax of the scaled gate logits per task ('gated'),
      or uniform weights ('mean').
    """
    if self.mode == "mean":
      return ops.full((len(self.tasks), len(self.branches)), 1.0 / len(self.branches))
    return ops.softmax(GATE_SCALE * self.gate_logits, axis=-1)

  def call(self, inputs):
    n = len(self.branches)
    if n == 1:
      return list(inputs)
    gates = self.gates()
    fused = []
    for i in range(len(self.tasks)):
      per_branch = inputs[i * n:(i + 1) * n]
      fused.append(sum(ops.cast(gates[i, b], x.dtype) * x for b, x in enumerate(per_branch)))
    return fused

  def compute_output_shape(self, input_shape):
    return [input_shape[i * len(self.branches)] for i in range(len(self.tasks))]

  def get_config(self):
    return dict(super().get_config(), mode=self.mode, tasks=list(self.tasks),
                branches=list(self.branches))


def fuse_predictions(per_branch: dict, tasks, mode: str) -> dict:
  """{branch: {task: prediction}} → {task: fused prediction}, through one LateFusion layer.

  Args:
    per_branch: {branch: {task: prediction tensor}}.
    tasks: the task names.
    mode: 'mean' or 'gated' (config.model.fusion).

  Returns:
    A dict from task name to its fused prediction tensor.
  """
  branches = tuple(per_branch)
  flat = [per_branch[b][t] for t in tasks for b in branches]
  fused = LateFusion(mode, tasks, branches, name="late_fusion")(flat)
  return dict(zip(tasks, fused))


def concat_fusion(embeddings: dict, *, embedding_dim: int, dropout: float):
  """Branch embeddings concatenated into an MLP; the identity with one branch.

  Args:
    embeddings: {branch: (embedding,) tensor}.
    embedding_dim: units of the MLP's ReLU layer (config.model.embedding_dim).
    dropout: rate after it (config.model.dropout).
  Returns:
    The fused (embedding_dim,) tensor, or the single branch's embedding.
  """
  if len(embeddings) == 1:
    return next(iter(embeddings.values()))
  x = layers.Concatenate(name="late_fusion")(list(embeddings.values()))
  x = layers.Dense(embedding_dim, activation="relu", name="late_fusion_mlp")(x)
  return layers.Dropout(dropout, name="late_fusion_dropout")(x)


def gate_weights(model) -> dict:
  """{task: {branch: weight}} of the model's gated fusion layer; {} without one.

  Args:
    model: a built or loaded model.

  Returns:
    A dict {task: {branch: weight}} of floats in [0, 1], or {}.
  """
  for layer in model.layers:
    if isinstance(layer, LateFusion) and layer.mode == "gated":
      gates = np.asarray(keras.ops.convert_to_numpy(layer.gates()))
      return {task: {b: float(gates[i, j]) for j, b in enumerate(layer.branches)}
              for i, task in enumerate(layer.tasks)}
  return {}


class GateLogger(keras.callbacks.Callback):
  """Writes the gate weights into each epoch's logs as gate_<task>_<branch>, so CSVLogger and
  TensorBoard record which feature each task relies on. Must come before those callbacks."""

  def on_epoch_end(self, epoch, logs=None):
    if logs is None:
      return
    for task, weights in gate_weights(self.model).items():
      for branch, value in weights.items():
        logs[f"gate_{task}_{branch}"] = value
