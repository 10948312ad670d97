"""Config validation: bad values fail before any work, naming the key."""

import pathlib
import subprocess
import sys

import pytest

from jmer import config as config_lib
from jmer.config import files as config_files

REPO = pathlib.Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("key, value, expected", [
    ("train.lambda_emotion", -0.5, "config.train.lambda_emotion"),
    ("features.n_mels", 0, "config.features.n_mels"),
    ("data.segment_seconds", 45.0, "config.data.segment_seconds"),
    ("data.segment_seconds", 2.0, "config.data.segment_seconds"),
    ("tasks.emotion", "happy", "config.tasks.emotion"),
    ("model.trunk", "resnet", "config.model.trunk"),
    ("train.batch_size", 0, "config.train.batch_size"),
])
def test_invalid_values_name_the_key(key, value, expected):
  config = config_lib.base_config()
  section, name = key.split(".")
  config[section][name] = value
  with pytest.raises(config_lib.ConfigError, match=expected.replace(".", r"\.")):
    config_lib.validate(config)


def test_segment_longer_than_the_clips_is_rejected():
  config = config_lib.base_config()
  config.data.synthetic.clip_seconds = 8.0
  config.data.segment_seconds = 10.0
  with pytest.raises(config_lib.ConfigError, match=r"data\.segment_seconds.*clip_seconds"):
    config_lib.validate(config)


def test_eval_hop_follows_segment_length_unless_overridden():
  config = config_lib.base_config()
  config.data.segment_seconds = 5.0
  assert config.eval.hop_seconds == 5.0  # derived with get_ref
  config.eval.hop_seconds = 2.5
  assert config.eval.hop_seconds == 2.5
  # Overriding the hop must not write through to the segment length (a plain get_ref alias did).
  assert config.data.segment_seconds == 5.0
  config.data.segment_seconds = 6.0
  assert config.eval.hop_seconds == 2.5


def test_every_config_file_validates():
  """Every shipped config validates; one on your own data first asks for its data's path."""
  for path in sorted((REPO / "configs").glob("*.py")):
    config = config_files.load(str(path))
    for key in ("folder", "manifest"):  # the order validate checks them in
      if key in config_lib.parse_sources(config.data.source):
        with pytest.raises(config_lib.ConfigError, match=rf"config\.data\.{key}\.path = ''"):
          config_lib.validate(config)
        config.data[key].path = f"/my/{key}"
    config_lib.validate(config)


def test_unknown_variant_is_rejected():
  with pytest.raises(config_lib.ConfigError, match="bogus"):
    config_lib.apply_variants(config_lib.base_config(), "runlocal,bogus")


def _run_main(*args):
  return subprocess.run([sys.executable, "-m", "jmer.main", "--config=configs/test.py", *args],
                        cwd=REPO, capture_output=True, text=True, timeout=300)


def test_cli_rejects_unknown_key_and_bad_value_before_any_work(tmp_path):
  workdir = tmp_path / "run"
  unknown = _run_main("--config.train.lambda_emotio=0.5", f"--workdir={workdir}")
  assert unknown.returncode != 0
  assert "lambda_emotio" in unknown.stderr
  bad = _run_main("--config.train.lambda_emotion=-1", f"--workdir={workdir}")
  assert bad.returncode != 0
  assert "config.train.lambda_emotion" in bad.stderr
  assert not workdir.exists()  # nothing was created before the check


def test_every_numeric_default_has_bounds_and_lies_within_them():
  """Each bound recorded beside a default names a real key whose default it admits, and every
  numeric key but the fold index and the fractions checked on their own has one."""
  config = config_lib.base_config()
  bounds = config_lib.number_bounds()
  leaves = dict(config_files.leaf_items(config))
  for key, (low, high) in bounds.items():
    assert low <= leaves[key] <= high, key
  numeric = {k for k, v in leaves.items()
             if isinstance(v, (int, float)) and not isinstance(v, bool)}
  assert numeric - set(bounds) == {
      "data.val_fraction", "data.test_fraction", "model.dropout", "eval.fold",
      "model.crnn.batchnorm_momentum", "augment.gain.p", "augment.shift.p",
      "augment.shift.max_fraction", "augment.noise.p", "augment.specaugment.p",
      "augment.specaugment.max_time_fraction", "augment.specaugment.max_freq_fraction",
      "features.n_mfcc"}


def test_a_number_out_of_its_bounds_is_refused_with_them():
  config = config_lib.base_config()
  config.features.workers = 0
  with pytest.raises(config_lib.ConfigError) as error:
    config_lib.validate(config)
  assert str(error.value) == "config.features.workers = 0: expected a finite number in [1, 256]."
