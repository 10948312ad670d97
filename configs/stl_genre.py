r"""Single-task baseline: the genre head alone (no emotion loss).

  jmer train --config=stl_genre
"""

from jmer import config as config_lib


def get_config(arg=None):
  config = config_lib.base_config()
  config.tasks.emotion = "none"
  return config_lib.apply_variants(config, arg)
