r"""Genre and emotion on the same clips: 4Q's quadrant head beside a multi-label AllMusic genre head.

Every 4q_dev clip has both labels (its quadrant folder, and metadata.csv `GenresStr`: one or
several AllMusic genres), so joint training here is the research question without a second data
set: does learning the clip's genres help its emotion, and the reverse? Both heads read frozen
MSD-musicnn embeddings through the `musicnn` variant's pooled trunk (whole 30 s clips, one row
per 3 s patch, 40 epochs evaluated at the last, so nothing is held out for validation).

  jmer train --config=same_clip_4q --workdir=runs/same_clip \
    --config.data.folder.path=../shared/data/4q_dev --config.eval.folds=5

Single-task arms of the comparison (the same clips, folds and optimizer steps):

  ... --config.tasks.genre_tags=False     (the quadrant head alone)
  ... --config.tasks.emotion=none          (the genre-tags head alone)

The suite experiments/same_clip.py runs all three arms on split seeds 1-3.
"""

from jmer import config as config_lib


def get_config(arg=None):
  config = config_lib.apply_variants(config_lib.base_config(), "musicnn")
  config.tasks.genre = False  # the single-label GTZAN head: 4Q's genres are multi-label
  config.tasks.genre_tags = True
  config.tasks.emotion = "quadrant"
  config.data.source = "folder"
  config.data.folder.task = "quadrant"
  config.features.musicnn_hop_frames = 187  # non-overlapping 3 s patches
  config.features.one_row_per_patch = True
  config.train.crops_per_track = 1  # a 30 s segment is the whole clip: one per epoch
  return config_lib.apply_variants(config, arg)
