"""Config files: the one way to load a config and set its keys (jmer.config.files), and the
run commands each shipped config's docstring gives."""

import ast
import pathlib
import re

import pytest

from jmer import config as config_lib
from jmer.cli import train as train_cli
from jmer.config import files as config_files
from tests.repo import test_docs_commands as docs_commands

REPO = pathlib.Path(__file__).resolve().parents[2]
CONFIG_FILES = sorted((REPO / "configs").glob("*.py"))


def test_overrides_convert_strings_to_the_key_type_and_ints_to_floats():
  config = config_files.load("mtl", {
      "train.epochs": "5", "train.lambda_emotion": 2, "model.aux_heads": "yes",
      "features.names": "('mel', 'mfcc')", "augment.noise.snr_db": "(5, 20)",
      "data.folder.quadrant_map": "happy:Q1", "data.source": "folder"})
  assert config.train.epochs == 5
  assert config.train.lambda_emotion == 2.0 and type(config.train.lambda_emotion) is float
  assert config.model.aux_heads is True
  assert config.features.names == ("mel", "mfcc")
  assert config.augment.noise.snr_db == (5, 20)
  assert config.data.folder.quadrant_map == ("happy:Q1",)  # one bare item: a 1-tuple
  assert config.data.source == "folder"


def test_an_unknown_key_is_named_with_the_closest_known_key():
  with pytest.raises(config_files.UnknownKeyError) as error:
    config_files.load("mtl", {"train.lambda_emotio": 0.5})
  assert str(error.value) == ("config.train.lambda_emotio: no such config key; did you mean "
                              "config.train.lambda_emotion?")
  assert error.value.closest == "train.lambda_emotion"
  with pytest.raises(config_files.UnknownKeyError, match="config.data.segment_seconds"):
    config_files.apply_overrides(config_lib.base_config(), {"segment_seconds": 5})


@pytest.mark.parametrize("key, value, message", [
    ("train.epochs", "abc", "config.train.epochs: expected an int, not 'abc'"),
    ("train.epochs", 1.5, "config.train.epochs: expected int (like 30), not 1.5"),
    ("model.aux_heads", "maybe", "config.model.aux_heads: expected true or false, not 'maybe'"),
    ("data", "x", "config.data: a section, not a key: set its keys, e.g. config.data.cache_dir"),
])
def test_a_value_its_key_cannot_hold_is_refused_naming_the_key(key, value, message):
  with pytest.raises(config_files.OverrideError) as error:
    config_files.apply_overrides(config_lib.base_config(), {key: value})
  assert str(error.value) == message


def test_setting_a_derived_key_stops_it_following():
  config = config_files.load("mtl", {"seed": 3})
  assert config.data.split_seed == 3
  config = config_files.load("mtl", {"data.split_seed": 1, "seed": 4})
  assert (config.seed, config.data.split_seed) == (4, 1)


def test_variants_join_a_spec_arg():
  assert config_files.with_variants("mtl", "runlocal") == "mtl:runlocal"
  assert config_files.with_variants("stl:task=emotion", "runlocal") == \
      "stl:task=emotion,runlocal"
  assert config_files.with_variants("configs/mtl.py", "") == "configs/mtl.py"


def test_an_option_error_names_the_config_argument():
  with pytest.raises(config_lib.ConfigError) as error:
    config_files.load("stl:task=mood")
  assert str(error.value) == ("--config=stl:task=mood: option task=mood: expected one of "
                              "genre|emotion|quadrant")


def _docstring_commands(path: pathlib.Path) -> list:
  """[(command, args, text)] of the jmer/python commands in a config file's docstring."""
  lines, pending = [], ""
  for line in ast.get_docstring(ast.parse(path.read_text())).splitlines():
    text = line.strip()
    if not (pending or re.match(r"(jmer|python) ", text)):
      continue
    if text.endswith("\\"):
      pending += text[:-1] + " "
      continue
    lines.append(pending + text)
    pending = ""
  found = [(docs_commands.jmer_command(tokens), text) for text in lines
           for tokens in docs_commands._segments(text)]
  return [(*command, text) for command, text in found if command]


@pytest.mark.parametrize("path", CONFIG_FILES, ids=lambda p: p.name)
def test_each_config_docstring_command_resolves(path, monkeypatch):
  """Each shipped config states how it is run, and that command works as written: a train
  command loads the config with its options, variants and overrides and validates; a script
  exists."""
  monkeypatch.chdir(REPO)
  commands = _docstring_commands(path)
  assert commands, f"{path.name}: its docstring gives no run command"
  assert any(path.stem in text for _, _, text in commands), f"{path.name}: no command runs it"
  for command, args, text in commands:
    if command.startswith("script:"):
      assert (REPO / command.split(":", 1)[1]).is_file(), text
      continue
    assert command == "train", text
    config_lib.validate(train_cli.resolved_config(args, prog="jmer train"))
