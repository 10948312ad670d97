"""Assembles the functional model from a config: branches → trunk(s) → late fusion → heads."""

import keras

from jmer.config import names
from jmer import tasks as tasks_lib
from jmer.data import features as features_lib
from jmer.data import musicnn_features
from jmer.data import segments as segments_lib
from jmer.models import branches
from jmer.models import fusion
from jmer.models import heads
from jmer.models import pooling
from jmer.models import trunks


def model_output_names(config) -> tuple:
  """The task heads, then the per-branch auxiliary heads aux_<feature>_<task> if configured.

  Args:
    config: the run config (tasks, model.aux_heads).

  Returns:
    A tuple of output names.
  """
  return tuple(tasks_lib.model_heads(config))


def expand_targets(config):
  """A tf.data map giving aux heads their task's labels and weights (identity without them).

  Args:
    config: the run config.

  Returns:
    expand(x, y, w) -> (x, y, w) with y and w keyed by every model output.
  """
  heads = tasks_lib.model_heads(config)
  outputs = tuple(heads)
  task_of = {name: head.task.name for name, head in heads.items()}

  def expand(x, y, w):
    return x, {n: y[task_of[n]] for n in outputs}, {n: w[task_of[n]] for n in outputs}
  return expand


def _branch_embeddings(config, params, stats, frames, strides):
  """{feature: input}, {feature: embedding}: one trunk per branch, or one shared trunk.
  A feature's input has segments_lib.input_rows(frames, its stride) rows. Pretrained
  embeddings, and spectral features summarised per window (model.rows.window > 0), take the
  row trunk (model.rows.trunk); spectrograms take model.trunk."""
  m = config.model
  inputs, embeddings, shared = {}, {}, None
  for name, p in params.items():
    mean, var = (stats or {}).get(name, (None, None))
    pretrained = name in musicnn_features.NETWORKS
    fine_tune = pretrained and not musicnn_features.is_embedding(p)
    inputs[name], x = branches.feature_branch(
        name, segments_lib.input_rows(frames, strides[name]), features_lib.feature_bins(name, p),
        mean, var, normalize=not fine_tune)
    if fine_tune:  # the pretrained network itself, then the pooled trunk over its patches
      x = branches.pretrained_network_branch(x, name, p["network"])
    summarised = not pretrained and m.rows.window > 0
    if summarised:  # each window's mean and SD: rows of vectors at the patches' rate
      x = pooling.WindowStatistics(m.rows.window, name=f"{name}_window_statistics")(x)
    if pretrained or summarised:  # rows of vectors, not a spectrogram: a row trunk per branch
      embeddings[name] = trunks.row_trunk_from_config(m, x.shape[1:], _row_trunk_name(name, m))(x)
    elif m.shared_trunk:
      x = branches.projection_stem(x, name, m.stem_width)
      shared = shared or trunks.trunk_from_config(m, x.shape[1:], f"shared_{m.trunk}")
      embeddings[name] = shared(x)
    else:
      embeddings[name] = trunks.trunk_from_config(m, x.shape[1:], f"{name}_{m.trunk}")(x)
  return inputs, embeddings


def _row_trunk_name(feature: str, model_config) -> str:
  """'<feature>_pooled' (the name the shipped models' pooled trunks have), else
  '<feature>_rows_<trunk>'."""
  trunk = model_config.rows.trunk
  return f"{feature}_pooled" if trunk == "pooled" else f"{feature}_rows_{trunk}"


def _concat_fusion_outputs(embeddings, per_branch_wanted, tasks, genre_names, model_config):
  """Heads on the concatenated branch embeddings; per-branch predictions only for aux heads."""
  fused = fusion.concat_fusion(embeddings, embedding_dim=model_config.embedding_dim,
                               dropout=model_config.dropout)
  outputs = heads.task_heads(fused, tasks, genre_names)
  per_branch = ({b: heads.branch_predictions(e, b, tasks, genre_names)
                 for b, e in embeddings.items()} if per_branch_wanted else {})
  return outputs, per_branch


def _late_fusion_outputs(embeddings, per_branch_wanted, tasks, genre_names, model_config):
  """Per-branch predictions merged by the LateFusion layer (model.fusion: 'mean' or 'gated'),
  then each task's output activation."""
  per_branch = {b: heads.branch_predictions(e, b, tasks, genre_names)
                for b, e in embeddings.items()}
  fused = fusion.fuse_predictions(per_branch, tasks, model_config.fusion)
  outputs = {t: heads.output_activation(fused[t], t, name=t) for t in tasks}
  return outputs, per_branch


# How branches merge, by config.model.fusion: fn(embeddings, per-branch predictions wanted,
# task names, genre names, config.model) -> ({task: output}, {branch: {task: prediction}}).
FUSIONS = names.builders(names.FUSIONS, "fusion", concat=_concat_fusion_outputs,
                         mean=_late_fusion_outputs, gated=_late_fusion_outputs)


def build_model(config, params: dict, genre_names, stats: dict | None = None) -> keras.Model:
  """Inputs {feature: (frames, bins)} → outputs {head: prediction} for the configured tasks.

  `params` are the feature parameters (jmer.data.features.feature_params); `genre_names` the
  data's genre vocabulary (the genre head's classes); `stats` the training-split normalisation
  {feature: (mean, variance)}.

  Args:
    config: the run config.
    params: {feature: parameters}.
    genre_names: the genre vocabulary.
    stats: {feature: (mean, variance)}, or None.

  Returns:
    The uncompiled keras.Model.
  """
  keras.utils.set_random_seed(config.seed)  # fixes the initial weights
  tasks = tasks_lib.output_names(config)
  frames = segments_lib.segment_frames(config)
  inputs, embeddings = _branch_embeddings(config, params, stats, frames,
                                         segments_lib.input_strides(config))
  merge = names.lookup(FUSIONS, "fusion", config.model.fusion)
  if len(embeddings) == 1:  # one branch: nothing to fuse, every mode is the concat identity
    merge = _concat_fusion_outputs
  aux = {name: h for name, h in tasks_lib.model_heads(config).items() if h.is_aux}
  outputs, per_branch = merge(embeddings, bool(aux), tasks, genre_names, config.model)
  for name, head in aux.items():
    outputs[name] = heads.output_activation(per_branch[head.branch][head.task.name],
                                            head.task.name, name=name)
  return keras.Model(inputs=inputs, outputs=outputs, name="jmer")


def pretrained_variables(model) -> list:
  """The trainable variables of the pretrained networks inside fine-tuned musicnn branches.

  Args:
    model: a built model.

  Returns:
    A list of keras Variables ([] without fine-tuned pretrained branches).
  """
  return [v for layer in model.layers if isinstance(layer, keras.layers.TimeDistributed)
          and layer.layer.name.endswith(branches.PRETRAINED_NETWORK_SUFFIX)
          for v in layer.layer.trainable_variables]


def inference_model(model, config) -> keras.Model:
  """The same model (shared weights) without the aux heads: what is evaluated and exported.

  Args:
    model: the training model.
    config: the run config (its tasks).

  Returns:
    `model` itself when it has no aux heads, else a keras.Model over the task outputs only.
  """
  tasks = tasks_lib.output_names(config)
  if set(model.output) == set(tasks):
    return model
  return keras.Model(model.input, {t: model.output[t] for t in tasks}, name=model.name)
