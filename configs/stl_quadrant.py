r"""Single-task emotion quadrants: the quadrant head alone (Q1 happy, Q2 angry, Q3 sad, Q4 calm).

On the built-in corpus the quadrant of each clip's arousal/valence is the label; on your own
class folders (happy/angry/sad/calm, Q1..Q4, or names mapped by data.folder.quadrant_map) the
folder names are:

  jmer train --config=stl_quadrant:musicnn --workdir=runs/my_moods \
    --config.data.source=folder --config.data.folder.path=~/Music/by_mood
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
  config.tasks.emotion = "quadrant"  # the 4-way quadrant softmax head
  config.data.folder.task = "quadrant"  # a folder source holds quadrant labels, not genres
  return config_lib.apply_variants(config, arg)
