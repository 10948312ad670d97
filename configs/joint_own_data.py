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
  # The genre and 4-way quadrant heads: L = L_genre + train.lambda_emotion * L_quadrant.
  config.tasks.update(genre=True, emotion="quadrant")
  config.data.source = "manifest+folder"  # genres from the CSV, quadrants from the folders
  config.data.folder.task = "quadrant"
  return config_lib.apply_variants(config, arg)
