"""jmer.config.names: each kind of name listed once; builders registered against the list."""

import pytest

from jmer.config import names


def test_an_unknown_name_is_refused_from_the_dict_that_knows_it():
  from jmer.models import build
  from jmer.models import trunks
  with pytest.raises(KeyError, match=r"Unrecognized trunk: 'lstm' \(expected one of "
                                     r"\('crnn', 'transformer'\)\)"):
    names.lookup(trunks.TRUNKS, "trunk", "lstm")
  assert tuple(build.FUSIONS) == names.FUSIONS == ("mean", "gated", "concat")


def test_builders_must_cover_exactly_the_listed_names():
  assert list(names.builders(("a", "b"), "toy", b=2, a=1).items()) == [("a", 1), ("b", 2)]
  with pytest.raises(ValueError, match=r"toy builders \['a'\] do not match the toy names "
                                       r"\['a', 'b'\]"):
    names.builders(("a", "b"), "toy", a=1)
  with pytest.raises(ValueError, match="toy builders"):
    names.builders(("a",), "toy", a=1, c=3)


def test_config_validation_takes_its_names_from_the_same_lists(tiny_config):
  from jmer import config as config_lib
  tiny_config.model.fusion = "sum"
  with pytest.raises(config_lib.ConfigError, match=r"model.fusion = 'sum': expected one of "
                                                   r"\('mean', 'gated', 'concat'\)"):
    config_lib.validate(tiny_config)
