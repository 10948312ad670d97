"""Assembles the functional model from a config: branches → trunk(s) → late fusion → heads."""

import keras

from jmer import tasks as tasks_lib
from jmer.data import features as features_lib
from jmer.data import musicnn_features
from jmer.models import branches
from jmer.models import fusion
from jmer.models import heads
from jmer.models import trunks


def model_output_names(config) -> tuple:
  """The task heads, then the per-branch auxiliary heads aux_<feature>_<task> if configured."""
  tasks = tasks_lib.output_names(config)
  names = tuple(config.features.names)
  if not config.model.aux_heads or len(names) < 2:
    return tasks
  return tasks + tuple(tasks_lib.aux_output_name(b, t) for b in names for t in tasks)


def expand_targets(config):
  """A tf.data map giving aux heads their task's labels and weights (identity without them)."""
  outputs = model_output_names(config)
  task_of = {name: tasks_lib.task_of(name).name for name in outputs}

  def expand(x, y, w):
    return x, {n: y[task_of[n]] for n in outputs}, {n: w[task_of[n]] for n in outputs}
  return expand


def _branch_embeddings(config, params, stats, frames):
  """{feature: input}, {feature: embedding}: one trunk per branch, or one shared trunk."""
  make_trunk = trunks.TRUNKS[config.model.trunk]
  inputs, embeddings, shared = {}, {}, None
  for name, p in params.items():
    mean, var = (stats or {}).get(name, (None, None))
    pretrained = name in musicnn_features.NETWORKS
    fine_tune = pretrained and not musicnn_features.is_embedding(p)
    inputs[name], x = branches.feature_branch(
        name, frames, features_lib.feature_bins(name, p), mean, var, normalize=not fine_tune)
    if fine_tune:  # the pretrained network itself, then the pooled trunk over its patches
      x = branches.pretrained_network_branch(x, name, p["network"])
    if pretrained:  # embeddings, not a spectrogram: no CRNN/Transformer, no shared trunk
      embeddings[name] = trunks.pretrained_pooled_trunk(x.shape[1:], config, f"{name}_pooled")(x)
    elif config.model.shared_trunk:
      x = branches.projection_stem(x, name, config.model.stem_width)
      shared = shared or make_trunk(x.shape[1:], config, f"shared_{config.model.trunk}")
      embeddings[name] = shared(x)
    else:
      embeddings[name] = make_trunk(x.shape[1:], config, f"{name}_{config.model.trunk}")(x)
  return inputs, embeddings


def build_model(config, params: dict, genre_names, stats: dict | None = None) -> keras.Model:
  """Inputs {feature: (frames, bins)} → outputs {head: prediction} for the configured tasks.

  `params` are the feature parameters (jmer.data.features.feature_params); `genre_names` the
  data's genre vocabulary (the genre head's classes); `stats` the training-split normalisation
  {feature: (mean, variance)}.
  """
  keras.utils.set_random_seed(config.seed)  # fixes the initial weights
  tasks = tasks_lib.output_names(config)
  inputs, embeddings = _branch_embeddings(config, params, stats,
                                          features_lib.segment_frames(config))
  mode = config.model.fusion
  if mode == "concat" or len(embeddings) == 1:
    outputs = heads.task_heads(fusion.concat_fusion(embeddings, config), tasks, genre_names)
    aux = len(model_output_names(config)) > len(tasks)
    per_branch = ({b: heads.branch_predictions(e, b, tasks, genre_names)
                   for b, e in embeddings.items()} if aux else {})
  else:
    per_branch = {b: heads.branch_predictions(e, b, tasks, genre_names)
                  for b, e in embeddings.items()}
    fused = fusion.fuse_predictions(per_branch, tasks, mode)
    outputs = {t: heads.output_activation(fused[t], t, name=t) for t in tasks}
  for name in model_output_names(config)[len(tasks):]:
    branch, task = name[len(tasks_lib.AUX_PREFIX) + 1:].rsplit("_", 1)
    outputs[name] = heads.output_activation(per_branch[branch][task], task, name=name)
  return keras.Model(inputs=inputs, outputs=outputs, name="jmer")


def pretrained_variables(model) -> list:
  """The trainable variables of the pretrained networks inside fine-tuned musicnn branches."""
  return [v for layer in model.layers if isinstance(layer, keras.layers.TimeDistributed)
          and layer.layer.name.endswith(branches.PRETRAINED_NETWORK_SUFFIX)
          for v in layer.layer.trainable_variables]


def inference_model(model, config) -> keras.Model:
  """The same model (shared weights) without the aux heads: what is evaluated and exported."""
  tasks = tasks_lib.output_names(config)
  if set(model.output) == set(tasks):
    return model
  return keras.Model(model.input, {t: model.output[t] for t in tasks}, name=model.name)
