r"""Multi-task CRNN: genre + arousal/valence from 10 s log-mel segments (the default experiment).

Run (built-in corpus, ~10 min on 2 CPU cores):

  jmer train --config=mtl --workdir=runs/mtl
  python -m jmer.main --config=configs/mtl.py    # the same, by the file's path

Variants (`mtl:<arg>`, comma-separated): `transformer` (Transformer trunk), `fused`
(mel + MFCC + chroma, gated late fusion), `augment` (all four augmentations), `runlocal` (a
quick smoke run).
Override any key, e.g. `--config.train.lambda_emotion=0.5 --config.data.segment_seconds=5`.
"""

from jmer import config as config_lib


def get_config(arg=None):
  # jmer.config.base_config() is this experiment (one log-mel branch, a CRNN trunk, 10 s
  # segments, at most 30 epochs); what defines it is its two heads, weighed as
  # L = L_genre + train.lambda_emotion * L_emotion (lambda 1).
  config = config_lib.base_config()
  config.tasks.update(genre=True, emotion="av")  # the genre and arousal/valence heads
  return config_lib.apply_variants(config, arg)
