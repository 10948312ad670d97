r"""Single-task baseline: the arousal/valence head alone (no genre loss).

  jmer train --config=stl_emotion
"""

from jmer import config as config_lib


def get_config(arg=None):
  config = config_lib.base_config()
  # What defines this experiment (everything else: jmer.config.base_config).
  config.features.names = ("mel",)  # one log-mel branch
  config.model.trunk = "crnn"
  config.data.segment_seconds = 10.0  # training crops and evaluation tiles
  config.train.epochs = 30  # at most: early stopping on val_loss picks the epoch
  config.tasks.genre = False
  config.tasks.emotion = "av"  # the arousal/valence regression head
  return config_lib.apply_variants(config, arg)
