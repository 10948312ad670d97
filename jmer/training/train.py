"""Builds data and model from a config, trains (resumably), and evaluates: one plain function."""

import keras

from jmer import tasks as tasks_lib
from jmer.training import callbacks as callbacks_lib
from jmer import config as config_lib
from jmer.data import augment as augment_lib
from jmer.evaluation import evaluate
from jmer.models import model_file
from jmer.training import distribution
from jmer.training import losses
from jmer.training import optimizers
from jmer.training import workdir as workdir_lib
from jmer.training import transfer
from jmer.data import experiment
from jmer.data import mixing
from jmer.data import pipeline
from jmer.models import build
from jmer.models import fusion


def make_optimizer(config, steps_per_epoch: int) -> keras.optimizers.Optimizer:
  """AdamW with a linear warm-up then cosine decay over the configured epochs."""
  t = config.train
  total = max(1, t.epochs * steps_per_epoch)
  warmup = min(total - 1, t.warmup_epochs * steps_per_epoch)
  schedule = keras.optimizers.schedules.CosineDecay(
      initial_learning_rate=t.learning_rate / 10, decay_steps=total - warmup, alpha=0.01,
      warmup_target=t.learning_rate, warmup_steps=warmup)
  return optimizers.ScaledAdamW(learning_rate=schedule, weight_decay=t.weight_decay)


def no_decay_variables(model) -> list:
  """Biases, norm scales/offsets (every vector) and fusion gate logits: decaying them toward
  zero only fights the normalisation they do (AdamW's usual exclusions)."""
  return [v for v in model.trainable_variables
          if len(v.shape) <= 1 or v.path.endswith("gate_logits")]


def build_and_compile(config, data, steps_per_epoch: int) -> keras.Model:
  names = build.model_output_names(config)  # the task heads, then any aux heads
  stats = pipeline.feature_stats(data.splits["train"], seed=config.seed)
  model = build.build_model(config, data.params, data.genre_names, stats)
  if config.train.init_from:  # before compile: freezing changes what compile trains
    data.description["transfer_leakage_check"] = transfer.check_test_overlap(
        config.train.init_from, data.splits["test"].tracks, config.train.allow_test_overlap)
    copied = transfer.load_matching_weights(model, config.train.init_from,
                                            freeze=config.train.freeze_transferred)
    print(f"Transferred {len(copied)} layer(s) from {config.train.init_from}"
          + (" (frozen)" if config.train.freeze_transferred else "") + ".")
  optimizer = make_optimizer(config, steps_per_epoch)
  optimizer.exclude_from_weight_decay(var_list=no_decay_variables(model))
  # A fine-tuned pretrained network learns at model.pretrained.learning_rate_scale x the rate.
  optimizer.scale_learning_rate(build.pretrained_variables(model),
                                config.model.pretrained.learning_rate_scale)
  model.compile(optimizer=optimizer,
                loss=losses.task_losses(names, config),
                loss_weights=losses.loss_weights(names, config),
                weighted_metrics=losses.task_metrics(tasks_lib.output_names(config)))
  return model


def train_and_evaluate(config, workdir, augment=None) -> dict:
  """Trains the configured model in `workdir` (resuming a run found there) and evaluates it.

  Returns the report written to metrics.json. Refuses a work dir another process is using.
  """
  config_lib.validate(config)
  with workdir_lib.claim_workdir(workdir, config) as workdir:
    return _train_and_evaluate_in(config, workdir, augment)


def _train_and_evaluate_in(config, workdir, augment) -> dict:
  placement = distribution.configure(config)  # before any layer is built
  data = experiment.load_experiment_data(config)
  d = data.description
  print(f"jmer: data = {d['summary']}; tracks train/val/test = "
        f"{d['tracks']['train']}/{d['tracks']['val']}/{d['tracks']['test']}"
        + (f"; {len(d['skipped'])} file(s) skipped" if d["skipped"] else "")
        + (f"; data-parallel over {placement['devices']} devices" if placement["data_parallel"]
           else ""), flush=True)

  if augment is None:  # config.augment; other training clips serve as background noise
    augment = augment_lib.make_augmenter(config, data.splits["train"])
  # One stream; with several datasets it mixes them by data.mix_weights.
  stream = mixing.train_stream(data, config, augment=augment)
  if stream.samples_per_epoch < config.train.batch_size:
    raise config_lib.ConfigError(
        f"config.train.batch_size = {config.train.batch_size}: larger than one epoch's "
        f"{stream.samples_per_epoch} training segments; lower it or raise train.crops_per_track.")
  steps_per_epoch = stream.steps_per_epoch
  model = build_and_compile(config, data, steps_per_epoch)
  checkpoints = workdir / "checkpoints"
  state = callbacks_lib.load_state(checkpoints)
  fingerprint = d["fingerprint"]
  callbacks_lib.check_same_data(state, fingerprint, checkpoints)
  workdir_lib.write_train_tracks(workdir, data.splits["train"].tracks)
  initial_epoch = 0
  if state:
    model.optimizer.build(model.trainable_variables)  # so optimizer slots load too
    model.load_weights(checkpoints / "last.weights.h5")
    initial_epoch = state["epoch"]
    print(f"Resuming from {checkpoints}: {initial_epoch} epoch(s) done, "
          f"best val_loss {state['best_val_loss']:.4f} at epoch {state['best_epoch']}.")

  if not callbacks_lib.training_finished(state, config.train.epochs):
    checkpointer = callbacks_lib.CheckpointAndResume(checkpoints, config.train.patience,
                                                     config.train.epochs, fingerprint,
                                                     select_on=config.train.select_on)
    val = data.splits["val"]
    expand = build.expand_targets(config)  # aux heads learn their task's labels
    model.fit(
        stream.dataset().map(expand), epochs=config.train.epochs, initial_epoch=initial_epoch,
        validation_data=pipeline.eval_dataset(val, config).map(expand) if val.tracks else None,
        verbose=config.train.verbose, shuffle=False,  # the stream shuffles, seeded per epoch
        callbacks=[
            callbacks_lib.SeedEpoch(stream),
            fusion.GateLogger(),  # before the loggers, so they record the gate weights
            # history before the checkpoint: a kill between them makes the rerun redo the
            # epoch, and HistoryLogger drops its row, rather than losing the row for good.
            callbacks_lib.HistoryLogger(workdir / "history.csv", initial_epoch),
            checkpointer,
            callbacks_lib.EpochTensorBoard(str(workdir / "tensorboard"), write_graph=False),
        ])
    if checkpointer.nan_at:
      epoch, batch = checkpointer.nan_at
      raise FloatingPointError(
          f"Training loss became NaN/inf in epoch {epoch}" + (f", batch {batch}" if batch else "")
          + f". The last good checkpoint is kept in {checkpoints}. Lower train.learning_rate "
          f"(now {config.train.learning_rate}) or check the input data.")
  else:
    print(f"Training already finished in {workdir}; evaluating its best checkpoint.")

  state = callbacks_lib.load_state(checkpoints)
  model.load_weights(checkpoints / "best.keras")
  gates = fusion.gate_weights(model)
  model = build.inference_model(model, config)  # without aux heads
  # The best weights with their feature settings and labels: all `jmer.inference.predict` needs.
  model_file.export_model(model, config, data.genre_names, workdir / model_file.MODEL_FILENAME)
  extra = dict(training=dict(epochs_done=state["epoch"], best_epoch=state["best_epoch"],
                             select_on=config.train.select_on,
                             best_val_loss=state["best_val_loss"],
                             stopped_early=state["stopped_early"]))
  if gates:  # which feature each task relies on
    extra["fusion_gates"] = gates
  if not data.splits["test"].tracks and config.data.test_fraction == 0 and config.eval.fold < 0:
    return evaluate.report_without_test(data, config, workdir, extra=extra)  # a final fit
  return evaluate.evaluate_and_report(model, data, config, workdir, extra=extra)
