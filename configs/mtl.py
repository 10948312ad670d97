r"""Multi-task CRNN: genre + arousal/valence from 10 s log-mel segments (the default experiment).

Run (built-in corpus, ~10 min on 2 CPU cores):

  jmer train --config=mtl      (the same: python -m jmer.main --config=configs/mtl.py)

Variants (`mtl:<arg>`, comma-separated): `transformer` (Transformer trunk), `fused`
(mel + MFCC + chroma, gated late fusion), `augment` (all four augmentations), `runlocal` (a
quick smoke run).
Override any key, e.g. `--config.train.lambda_emotion=0.5 --config.data.segment_seconds=5`.
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
  config.tasks.emotion = "av"  # the arousal/valence regression head
  config.train.lambda_emotion = 1.0  # L = L_genre + lambda * L_emotion
  return config_lib.apply_variants(config, arg)
