"""Data-parallel training, mixed precision, and the optimizer's weight-decay exclusions.

XLA fixes the number of CPU devices when JAX starts, so each data-parallel run happens in a
subprocess started with XLA_FLAGS=--xla_force_host_platform_device_count=N.
"""

import csv
import json
import os
import subprocess
import sys

import numpy as np
import pytest

from jmer import config as config_lib
from jmer.training import distribution

from tests.conftest import REPO

RUN = """
import json, sys
sys.path.insert(0, {repo!r})
from jmer.config import files as config_files
from jmer.training import train
config = config_files.load({repo!r} + "/configs/test.py")
config.data.cache_dir = {cache!r}
config.train.batch_size = 4
config.train.epochs = 2
config.train.precision = {precision!r}
config.model.dropout = 0.0  # dropout masks are drawn per device shard, not globally
report = train.train_and_evaluate(config, {workdir!r})
print("REPORT" + json.dumps(report["metrics"]))
"""


def _train_in_subprocess(tmp_path, devices: int, precision="float32"):
  workdir = tmp_path / f"run{devices}{precision}"
  env = dict(os.environ, KERAS_BACKEND="jax", PYTHONPATH=str(REPO),
             XLA_FLAGS=f"--xla_force_host_platform_device_count={devices}")
  script = RUN.format(repo=str(REPO), cache=str(tmp_path / "cache"), workdir=str(workdir),
                      precision=precision)
  done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True,
                        timeout=900)
  assert done.returncode == 0, done.stderr[-3000:]
  metrics = json.loads(done.stdout.split("REPORT", 1)[1].splitlines()[0])
  with open(workdir / "history.csv") as fh:
    history = list(csv.DictReader(fh))
  return done.stdout, metrics, history


@pytest.mark.slow
def test_data_parallel_run_matches_the_single_device_run(tmp_path):
  out1, metrics1, history1 = _train_in_subprocess(tmp_path, 1)
  out2, metrics2, history2 = _train_in_subprocess(tmp_path, 2)
  assert "data-parallel over 2 devices" in out2
  assert "data-parallel" not in out1
  # The same global batch, sharded: the same sums up to float reduction order.
  for row1, row2 in zip(history1, history2, strict=True):
    assert float(row2["loss"]) == pytest.approx(float(row1["loss"]), rel=1e-3)
    assert float(row2["val_loss"]) == pytest.approx(float(row1["val_loss"]), rel=1e-3)
  assert metrics2["genre"]["accuracy"] == pytest.approx(metrics1["genre"]["accuracy"], abs=0.11)


@pytest.mark.slow
def test_mixed_bfloat16_run_trains_to_finite_losses(tmp_path):
  _, metrics, history = _train_in_subprocess(tmp_path, 1, precision="mixed_bfloat16")
  assert all(np.isfinite(float(row["loss"])) for row in history)
  assert 0.0 <= metrics["genre"]["accuracy"] <= 1.0


def test_batch_that_does_not_divide_over_the_devices_is_refused(monkeypatch):
  config = config_lib.apply_variants(config_lib.base_config(), "runlocal")
  config.train.batch_size = 5
  monkeypatch.setattr(distribution.keras.distribution, "list_devices", lambda: ["cpu:0", "cpu:1"])
  with pytest.raises(ValueError, match="train.batch_size = 5.*2 devices"):
    distribution.configure(config)


def test_unknown_precision_is_refused_naming_the_key():
  config = config_lib.apply_variants(config_lib.base_config(), "runlocal")
  config.train.precision = "float16"
  with pytest.raises(config_lib.ConfigError, match="train.precision"):
    config_lib.validate(config)


def test_weight_decay_spares_biases_norms_and_gates(tiny_config):
  import keras
  from jmer.tasks import labels
  from jmer.data import features as features_lib
  from jmer.models import build
  from jmer.training import optimizers
  tiny_config.features.names = ("mel", "chroma")
  tiny_config.model.fusion = "gated"
  model = build.build_model(tiny_config, features_lib.feature_params(tiny_config),
                            labels.GTZAN_GENRES)
  t = tiny_config.train
  optimizer = optimizers.make_optimizer(
      learning_rate=t.learning_rate, weight_decay=t.weight_decay, epochs=t.epochs,
      warmup_epochs=t.warmup_epochs, steps_per_epoch=10)
  optimizer.exclude_from_weight_decay(var_list=optimizers.no_decay_variables(model))
  decayed = {v.path for v in model.trainable_variables if optimizer._use_weight_decay(v)}
  spared = {v.path for v in model.trainable_variables} - decayed
  assert any(p.endswith("gate_logits") for p in spared)
  assert any(p.endswith("bias") for p in spared) and any(p.endswith("gamma") for p in spared)
  assert all(not p.endswith(("bias", "gamma", "beta", "gate_logits")) for p in decayed)
  assert any(p.endswith("kernel") for p in decayed)
  assert isinstance(optimizer, keras.optimizers.AdamW)
