"""Suites that name a protocol follow it: its repeats, split seeds, settings and --quick, each
overridable by the suite; an unknown protocol is refused naming the known ones."""

import pytest

from jmer.experiments import protocols
from jmer.experiments import suite as suite_lib

SUITE = """
SUITE = dict(name="p", protocol={protocol!r}, set={{"seed": 0, "train.verbose": 0}},
             inits=(), cells={{"a": dict(config="configs/test.py")}}, {extra})
"""


def _suite(tmp_path, protocol="real_music", extra="experiments=[]", quick=False):
  path = tmp_path / "suite.py"
  path.write_text(SUITE.format(protocol=protocol, extra=extra))
  return suite_lib.load_suite(path, quick=quick)


def test_a_suite_follows_its_protocol_and_overrides_what_it_sets(tmp_path):
  suite = _suite(tmp_path)
  assert suite["repeats"] == dict(by="fold", n=5) and suite["split_seeds"] == (1, 2, 3)
  # The protocol's settings, with the suite's own over them key by key.
  assert suite["set"] == {"features.workers": 1, "train.verbose": 0, "seed": 0}
  assert _suite(tmp_path, extra="experiments=[], split_seeds=(0, 1)")["split_seeds"] == (0, 1)
  quick = _suite(tmp_path, quick=True)
  assert quick["repeats"]["n"] == 2 and quick["split_seeds"] == (1,)
  assert quick["set"]["train.epochs"] == 2 and quick["variants"] == ""


def test_an_unknown_protocol_is_refused_naming_the_known_ones(tmp_path):
  with pytest.raises(suite_lib.SuiteError, match=r"suite.py: SUITE\['protocol'\] = 'real': no "
                     r"such protocol \(known: real_music\)"):
    _suite(tmp_path, protocol="real")


def test_a_suite_with_analyses_needs_no_experiments_entry(tmp_path):
  suite = _suite(tmp_path, extra="analyses=('levers',)")
  assert suite["experiments"] == [] and suite["analyses"][0][0] == "levers"
  with pytest.raises(suite_lib.SuiteError, match="no 'experiments' entry"):
    _suite(tmp_path, extra="description='neither'")


def test_the_protocol_table_is_not_changed_by_a_suite(tmp_path):
  before = repr(protocols.PROTOCOLS)
  _suite(tmp_path)
  assert repr(protocols.PROTOCOLS) == before


def test_the_protocol_runs_three_init_seeds_unless_a_suite_fixes_its_seed(tmp_path):
  path = tmp_path / "suite.py"
  path.write_text("SUITE = dict(name='p', protocol='real_music', experiments=[], "
                  "cells={'a': dict(config='configs/test.py')})\n")
  assert suite_lib.load_suite(path)["inits"] == (0, 1, 2)
  assert suite_lib.load_suite(path, quick=True)["inits"] == (0,)
  # A suite that fixes the seed must say it runs one init: the protocol's inits would
  # otherwise override it.
  path.write_text("SUITE = dict(name='p', protocol='real_music', experiments=[], "
                  "set={'seed': 0}, cells={'a': dict(config='configs/test.py')})\n")
  with pytest.raises(suite_lib.SuiteError, match=r"set inits=\(\) to keep one fixed seed"):
    suite_lib.load_suite(path)
