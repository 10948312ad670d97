r"""Single-task baseline: the arousal/valence head alone (no genre loss).

  jmer train --config=stl_emotion
"""

from jmer import config as config_lib


def get_config(arg=None):
  config = config_lib.base_config()
  config.tasks.genre = False
  return config_lib.apply_variants(config, arg)
