r"""Genre and emotion quadrants at once on your own data: genres from a CSV manifest, quadrants
from class folders, one model with both heads (each track trains the heads it has labels for).

  jmer train --config=joint_own_data:musicnn --workdir=runs/my_joint \
    --config.data.manifest.path=~/Music/genres.csv --config.data.folder.path=~/Music/by_mood

The manifest has a `path` column (relative to the CSV's folder) and a `genre` column; the
folders are named by quadrant (happy/angry/sad/calm, Q1..Q4, or data.folder.quadrant_map). Both
paths are required: validation names the one missing.
"""

from jmer import config as config_lib


def get_config(arg=None):
  config = config_lib.base_config()
  # What defines this experiment (everything else: jmer.config.base_config).
  config.features.names = ("mel",)  # one log-mel branch
  config.model.trunk = "crnn"
  config.data.segment_seconds = 10.0  # training crops and evaluation tiles
  config.train.epochs = 30  # at most: early stopping on val_loss picks the epoch
  config.data.source = "manifest+folder"  # genres from the CSV, quadrants from the folders
  config.data.folder.task = "quadrant"
  config.tasks.genre = True
  config.tasks.emotion = "quadrant"  # the 4-way quadrant softmax head
  config.train.lambda_emotion = 1.0  # L = L_genre + lambda * L_quadrant
  return config_lib.apply_variants(config, arg)
