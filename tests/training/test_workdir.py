"""jmer.training.workdir: which config changes a work dir lets a rerun resume with."""

import json

import pytest

from jmer import config as config_lib
from jmer.training import workdir as workdir_lib


def test_a_rerun_may_change_the_budget_and_the_device_layout(tmp_path):
  config = config_lib.base_config()
  workdir_lib.prepare_workdir(tmp_path / "run", config)
  config.train.epochs = 60
  config.distribution.data_parallel = False  # e.g. resumed on another machine
  config.distribution.multi_host = True
  workdir_lib.prepare_workdir(tmp_path / "run", config)
  assert json.loads((tmp_path / "run" / "config.json").read_text())["train"]["epochs"] == 60


def test_a_rerun_with_another_model_is_refused_naming_the_key(tmp_path):
  config = config_lib.base_config()
  workdir_lib.prepare_workdir(tmp_path / "run", config)
  before = (tmp_path / "run" / "config.json").read_text()
  config.model.dropout = 0.5
  config.train.precision = "mixed_bfloat16"  # changes the numerics mid-run: not resumable
  with pytest.raises(config_lib.ConfigError, match="model.dropout, train.precision differ"):
    workdir_lib.prepare_workdir(tmp_path / "run", config)
  assert (tmp_path / "run" / "config.json").read_text() == before  # the old run is kept
