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
  config.tasks.genre = False
  config.train.init_from = "runs/stl_genre"
  return config_lib.apply_variants(config, arg)
