r"""Transfer: pretrain on genre, then fine-tune for arousal/valence from the genre run's weights.

Run the genre-only pretraining first, then this (both on the built-in corpus by default):

  jmer train --config=stl_genre --workdir=runs/stl_genre
  jmer train --config=transfer --workdir=runs/transfer

Compare with `configs/stl_emotion.py` (the same emotion run from scratch). Add
`--config.train.freeze_transferred=True` to train only the emotion head on frozen features.
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
  # Start from the genre run's weights: layers matching by name and shape (the trunk) are copied.
  config.train.init_from = "runs/stl_genre"
  config.train.freeze_transferred = False  # fine-tune them too
  return config_lib.apply_variants(config, arg)
