r"""A CPU-sized multi-task run for tests and smoke checks: a tiny corpus, a tiny CRNN, seconds.

  jmer train --config=test --workdir=/tmp/jmer_test
"""

from jmer import config as config_lib


def get_config(arg=None):
  config = config_lib.base_config()
  config.data.source = "synthetic"  # never pick up real data from $JMER_DATA in tests
  return config_lib.apply_variants(config, ",".join(filter(None, ["runlocal", arg])))
