"""Builds data and model from a config, trains (resumably), and evaluates: one plain function."""

from jmer import tasks as tasks_lib
from jmer.training import callbacks as callbacks_lib
from jmer.training import checkpoints
from jmer import config as config_lib
from jmer.data import augment as augment_lib
from jmer.evaluation import evaluate
from jmer.models import model_file
from jmer.training import distribution
from jmer.training import losses
from jmer.training import optimizers
from jmer.training import workdir as workdir_lib
from jmer.training import transfer
from jmer.data import loading
from jmer.data import mixing
from jmer.data import pipeline
from jmer.data import normalisation
from jmer.models import build
from jmer.models import fusion


def build_and_compile(config, data, steps_per_epoch: int) -> tuple:
  """The configured model, with transferred weights if train.init_from is set, compiled.

  Args:
    config: the run's config.
    data: the run's data (jmer.data.loading.RunData): its training split
      gives the normalisation statistics, its test split the tracks a transfer source must not
      have trained on.
    steps_per_epoch: training batches per epoch, for the learning-rate schedule.
  Returns:
    (model, notes): `notes` is what the run record's data section gains, {} or
    {'transfer_leakage_check': ...} (jmer.training.transfer.check_test_overlap).
  """
  model_heads = tasks_lib.model_heads(config)  # the task heads, then any aux heads
  stats = normalisation.feature_stats(data.splits["train"], seed=config.seed)
  model = build.build_model(config, data.params, data.genre_names, stats)
  notes = {}
  if config.train.init_from:  # before compile: freezing changes what compile trains
    notes["transfer_leakage_check"] = transfer.check_test_overlap(
        config.train.init_from, data.splits["test"].tracks, config.train.allow_test_overlap)
    copied = transfer.load_matching_weights(model, config.train.init_from,
                                            freeze=config.train.freeze_transferred)
    print(f"Transferred {len(copied)} layer(s) from {config.train.init_from}"
          + (" (frozen)" if config.train.freeze_transferred else "") + ".")
  t = config.train
  optimizer = optimizers.make_optimizer(
      learning_rate=t.learning_rate, weight_decay=t.weight_decay, epochs=t.epochs,
      warmup_epochs=t.warmup_epochs, steps_per_epoch=steps_per_epoch)
  optimizer.exclude_from_weight_decay(var_list=optimizers.no_decay_variables(model))
  # A fine-tuned pretrained network learns at model.pretrained.learning_rate_scale x the rate.
  optimizer.scale_learning_rate(build.pretrained_variables(model),
                                config.model.pretrained.learning_rate_scale)
  model.compile(optimizer=optimizer,
                loss=losses.task_losses(model_heads, config),
                loss_weights=losses.loss_weights(model_heads, config),
                weighted_metrics=losses.task_metrics(tasks_lib.output_names(config)))
  return model, notes


def train_and_evaluate(config, workdir, augment=None) -> dict:
  """Trains the configured model in `workdir` (resuming a run found there) and evaluates it.

  Args:
    config: the run's config; validated first.
    workdir: the run's folder: checkpoints, logs, the model file and metrics.json.
    augment: a batch augmenter to use instead of the one config.augment describes
      (jmer.data.augment.make_augmenter's result).

  Returns:
    The report written to metrics.json.

  Raises:
    ConfigError for an unusable config. The work dir is refused (workdir.claim_workdir) if it is
    not writable, another process uses it, or it holds a run of another config.
  """
  config_lib.validate(config)
  with workdir_lib.claim_workdir(workdir, config) as workdir:
    return _train_and_evaluate_in(config, workdir, augment)


def _train_and_evaluate_in(config, workdir, augment) -> dict:
  """train_and_evaluate's body, in a claimed work dir: load, build, train (resuming), evaluate."""
  pipeline.hide_gpus_from_tensorflow()  # before the first tf.data op
  placement = distribution.configure(config)  # before any layer is built
  data = loading.load_run_data(config)
  _print_data_summary(data.description, placement)
  stream = _training_stream(config, data, augment)
  model, data_notes = build_and_compile(config, data, stream.steps_per_epoch)
  checkpoint_dir = workdir / "checkpoints"
  initial_epoch, state = _resume_state(model, checkpoint_dir, data, workdir)
  try:
    if not checkpoints.training_finished(state, config.train.epochs):
      _fit(model, config, data, stream, workdir, initial_epoch)
    else:
      print(f"Training already finished in {workdir}; evaluating its best checkpoint.")
  finally:
    stream.close()  # frees the training features that TensorFlow's registry would keep
  return _evaluate_best_checkpoint(model, config, data, workdir, data_notes)


def _print_data_summary(description: dict, placement: dict) -> None:
  """Prints one line: the data, its track counts per split, skipped files and device placement."""
  d = description
  print(f"jmer: data = {d['summary']}; tracks train/val/test = "
        f"{d['tracks']['train']}/{d['tracks']['val']}/{d['tracks']['test']}"
        + (f"; {len(d['skipped'])} file(s) skipped" if d["skipped"] else "")
        + (f"; data-parallel over {placement['devices']} devices" if placement["data_parallel"]
           else ""), flush=True)


def _training_stream(config, data, augment):
  """The training stream (jmer.data.mixing.train_stream), refused if one batch outgrows an epoch.

  `augment` None means the augmenter config.augment describes; other training clips serve as
  background noise. With several datasets the one stream mixes them by data.mix_weights.
  """
  if augment is None:
    augment = augment_lib.make_augmenter(config, data.splits["train"])
  stream = mixing.train_stream(data, config, augment=augment)
  if stream.samples_per_epoch < config.train.batch_size:
    raise config_lib.ConfigError(
        f"config.train.batch_size = {config.train.batch_size}: larger than one epoch's "
        f"{stream.samples_per_epoch} training segments; lower it or raise train.crops_per_track.")
  return stream


def _resume_state(model, checkpoint_dir, data, workdir) -> tuple:
  """Loads the last checkpoint into `model` if there is one, after checking it saw this data.

  Also records the training tracks in `workdir`. Returns (initial_epoch, state): the epochs
  already done (0 for a fresh run) and the checkpoint state (jmer.training.checkpoints.load_state).
  """
  state = checkpoints.load_state(checkpoint_dir)
  checkpoints.check_same_data(state, data.description["fingerprint"], checkpoint_dir)
  workdir_lib.write_train_tracks(workdir, data.splits["train"].tracks)
  initial_epoch = 0
  if state:
    model.optimizer.build(model.trainable_variables)  # so optimizer slots load too
    model.load_weights(checkpoint_dir / checkpoints.LAST)
    initial_epoch = state["epoch"]
    print(f"Resuming from {checkpoint_dir}: {initial_epoch} epoch(s) done, "
          f"best val_loss {state['best_val_loss']:.4f} at epoch {state['best_epoch']}.")
  return initial_epoch, state


def _fit(model, config, data, stream, workdir, initial_epoch: int) -> None:
  """Trains from `initial_epoch` to config.train.epochs (or early stop), checkpointing each epoch.

  Raises:
    FloatingPointError if the training loss becomes NaN/inf; the last good checkpoint is kept.
  """
  checkpoint_dir = workdir / "checkpoints"
  checkpointer = callbacks_lib.CheckpointAndResume(checkpoint_dir, config.train.patience,
                                                   config.train.epochs,
                                                   data.description["fingerprint"],
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
        + f". The last good checkpoint is kept in {checkpoint_dir}. Lower train.learning_rate "
        f"(now {config.train.learning_rate}) or check the input data.")


def _evaluate_best_checkpoint(model, config, data, workdir, data_notes: dict) -> dict:
  """Loads the best checkpoint, exports it as the model file, evaluates it and writes the report.

  Returns:
    The report written to metrics.json (with no test split and test_fraction 0 outside
    cross-validation, a final fit: the report without test metrics).
  """
  checkpoint_dir = workdir / "checkpoints"
  state = checkpoints.load_state(checkpoint_dir)
  model.load_weights(checkpoint_dir / checkpoints.BEST)
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
    return evaluate.report_without_test(data, config, workdir, extra=extra,  # a final fit
                                        data_notes=data_notes)
  return evaluate.evaluate_and_report(model, data, config, workdir, extra=extra,
                                      data_notes=data_notes)
