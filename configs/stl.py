r"""Single-task baselines: one task's head alone, chosen by the option `task`.

  jmer train --config=stl:task=genre       # the genre head alone (the default task)
  jmer train --config=stl:task=emotion     # the arousal/valence head alone
  jmer train --config=stl:task=quadrant    # the quadrant head alone

Variants follow the option in the same argument, e.g. `stl:task=emotion,fused`. The work dir
defaults to runs/stl_<task>[_<variants>] (runs/stl_genre is what configs/transfer.py starts
from). The quadrants are Q1 happy, Q2 angry, Q3 sad, Q4 calm: on the built-in corpus each
clip's arousal/valence gives its quadrant; on your own class folders (happy/angry/sad/calm,
Q1..Q4, or names mapped by data.folder.quadrant_map) the folder names do:

  jmer train --config=stl:task=quadrant,musicnn --workdir=runs/my_moods \
    --config.data.source=folder --config.data.folder.path=~/Music/by_mood
"""

from jmer import config as config_lib

# Each task's head alone: the tasks.* keys it sets (no other head, so no loss to weigh).
HEADS = {
    "genre": dict(genre=True, emotion="none"),
    "emotion": dict(genre=False, emotion="av"),
    "quadrant": dict(genre=False, emotion="quadrant"),
}


def get_config(arg=None):
  arg = config_lib.parse_arg(arg, task=tuple(HEADS))
  config = config_lib.base_config()
  config.tasks.update(HEADS[arg.task])
  if arg.task == "quadrant":
    config.data.folder.task = "quadrant"  # a folder source holds quadrant labels, not genres
  return config_lib.apply_variants(config, arg.variants)
