"""A config file's own options (jmer.config.options.parse_arg), read from its arg string."""

import pytest

from jmer import config as config_lib


def test_options_are_typed_by_their_defaults_and_variants_kept_in_order():
  arg = config_lib.parse_arg("task=quadrant,musicnn,epochs=7,rate=0.5,quick,fused",
                             task=("genre", "emotion", "quadrant"), epochs=3, rate=1.0,
                             quick=False, name="x")
  assert (arg.task, arg.epochs, arg.rate, arg.quick, arg.name) == ("quadrant", 7, 0.5, True, "x")
  assert type(arg.epochs) is int and type(arg.rate) is float
  assert arg.variants == "musicnn,fused"


def test_defaults_apply_when_the_arg_is_empty():
  for arg in (None, ""):
    parsed = config_lib.parse_arg(arg, task=("genre", "emotion"), quick=True)
    assert (parsed.task, parsed.quick, parsed.variants) == ("genre", True, "")
  assert config_lib.parse_arg("quick=false", quick=True).quick is False


def test_an_unknown_option_is_refused_naming_the_known_ones():
  with pytest.raises(config_lib.UnknownOptionError) as error:
    config_lib.parse_arg("tsk=genre", task=("genre", "emotion"), epochs=3)
  assert str(error.value) == ("unknown option 'tsk' (did you mean 'task'?); the options are "
                              "task=genre|emotion, epochs=3")
  assert "\n" not in str(error.value)
  with pytest.raises(config_lib.UnknownOptionError, match="this config has no options"):
    config_lib.parse_arg("task=genre")


@pytest.mark.parametrize("arg, message", [
    ("task=mood", "option task=mood: expected one of genre|emotion"),
    ("epochs=many", "option epochs=many: expected int, like 3"),
    ("quick=maybe", "option quick=maybe: expected true or false"),
    ("task", "option 'task' needs a value: task=genre|emotion"),
    ("epochs=1,epochs=2", "option 'epochs' given twice"),
])
def test_a_value_its_option_cannot_take_is_refused(arg, message):
  with pytest.raises(config_lib.ConfigError) as error:
    config_lib.parse_arg(arg, task=("genre", "emotion"), epochs=3, quick=False)
  assert str(error.value) == message


def test_a_config_without_options_refuses_one():
  with pytest.raises(config_lib.UnknownOptionError, match="'task'"):
    config_lib.apply_variants(config_lib.base_config(), "runlocal,task=genre")
