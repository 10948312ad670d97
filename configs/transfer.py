r"""Transfer: pretrain on genre, then fine-tune for arousal/valence from the genre run's weights.

Run the genre-only pretraining first, then this (both on the built-in corpus by default):

  jmer train --config=stl:task=genre       # its work dir: runs/stl_genre
  jmer train --config=transfer --workdir=runs/transfer

Compare with `stl:task=emotion` (the same emotion run from scratch). Add
`--config.train.freeze_transferred=True` to train only the emotion head on frozen features.
"""

from jmer import config as config_lib


def get_config(arg=None):
  config = config_lib.base_config()
  config.tasks.update(genre=False, emotion="av")  # the arousal/valence head alone
  # Start from the genre run's weights: layers matching by name and shape (the trunk) are
  # copied, and fine-tuned with the rest.
  config.train.update(init_from="runs/stl_genre", freeze_transferred=False)
  return config_lib.apply_variants(config, arg)
