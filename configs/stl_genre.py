r"""Single-task baseline: the genre head alone (no emotion loss).

  jmer train --config=stl_genre
"""

from jmer import config as config_lib


def get_config(arg=None):
  config = config_lib.base_config()
  # What defines this experiment (everything else: jmer.config.base_config).
  config.features.names = ("mel",)  # one log-mel branch
  config.model.trunk = "crnn"
  config.data.segment_seconds = 10.0  # training crops and evaluation tiles
  config.train.epochs = 30  # at most: early stopping on val_loss picks the epoch
  config.tasks.genre = True
  config.tasks.emotion = "none"  # no emotion head, so train.lambda_emotion has no effect
  return config_lib.apply_variants(config, arg)
