r"""The shipped real-music model: genre and emotion-quadrant heads trained jointly on real clips.

One model, two heads, one masked loss (L = L_genre + λ·L_quadrant): each real clip trains the
head it has a label for. Genre: the 10 GTZAN genres from `gtzan_real`'s usable clips (the
fault-filtered exclusions left out; folds grouped by artist; class-balanced weights, as blues
and jazz have 100 and 87 clips and reggae 9). Emotion: the four arousal–valence quadrants from
`4q_dev` (450 clips, folds grouped by artist). Both heads read the frozen embeddings of two of
musicnn's shipped networks, MSD-musicnn and MTT-musicnn, one branch each merged by late fusion
(concatenation), of non-overlapping 3 s patches (`features.musicnn_hop_frames=187`, one row per
patch) through the pooled trunk of the `musicnn` variant: whole 30 s segments, a fixed epoch
budget evaluated at the last epoch, so no track is held out for validation. The second network
was chosen on the selection split over MSD-musicnn alone; its effect on the reported split seeds
is in experiments/results/real_music/LEVERS.md.

Rebuild the shipped model (jmer/resources/models/real_music.keras) from the development sets,
or from any folders in the same layout (docs/model_card.md):

  python tools/build_real_model.py --data=../shared/data

Cross-validate the recipe (5 artist-grouped folds per split seed; what the model card reports):

  python tools/build_real_model.py --data=../shared/data --cv --split-seeds=1,2,3

The data paths (`data.manifest.path`: a manifest with path, genre, artist columns;
`data.folder.path`: quadrant folders Q1..Q4 with a metadata.csv naming each song's artist) are
set by the tool; any other key can be overridden with `--config.<key>=...` as usual. The same
recipe trains on your own manifest and folders directly:

  jmer train --config=real_music --workdir=runs/my_real_music \
    --config.data.manifest.path=~/Music/genres.csv --config.data.folder.path=~/Music/by_mood
"""

from jmer import config as config_lib
from jmer.config import files as config_files


def get_config(arg=None):
  # joint_own_data (genre and quadrant heads, genres from the manifest, quadrants from the
  # folders) on the `musicnn2` variant's front end (jmer.config.variants): frozen MSD- and
  # MTT-musicnn branches on musicnn's 16 kHz / 256-hop grid, concatenated by late fusion,
  # non-overlapping 3 s patches (hop 187 frames) read once each, 30 s segments, 40 epochs
  # evaluated at the last, weight decay 0.05.
  config = config_files.load("joint_own_data:musicnn2")
  # A 30 s segment is the whole clip: one per epoch; and GTZAN's real clips are unbalanced.
  config.train.update(crops_per_track=1, class_balance=True)
  return config_lib.apply_variants(config, arg)
