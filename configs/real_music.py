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

Train the recipe on the development sets without building a shipped model file (or on your own
folders in the same layout, under another data.root):

  jmer train --config=real_music --config.data.root=../shared/data --workdir=runs/real_music

Options: `heads=joint` (the default, what ships), `heads=genre` (the genre head alone, on GTZAN)
or `heads=quadrant` (the quadrant head alone, on 4Q): the single-task arms of the studies, e.g.
`--config=real_music:heads=quadrant`. `trunk=pooled` (the default, what ships: mean and max
over each network's 3 s patch embeddings, 11 per 30 s clip), `trunk=crnn` (a Conv1D and a
BiLSTM over them) or `trunk=transformer` (an encoder over them): trunks shared by both heads
that learn the patches' order. `spectral` adds log-mel, MFCC and chroma branches (each 3 s
patch's mean and SD) beside the networks, merged by the same late fusion, e.g.
`--config=real_music:trunk=crnn,spectral`. `moods` adds a branch over the ten outputs of
Essentia's five fine-tuned mood networks on the same patches (feature `musicnn_moods`, weights
read from $JMER_DATA/essentia_models/mood_networks: not shipped), fused by the same late fusion:
the arm of experiments/mood_networks.py.

`genre=gtzan` (the default, what ships today): the genre head learns GTZAN's genres alone, each
class balanced by clip. `genre=beyond`: the recipe for genre beyond GTZAN (issue 32): 4Q clips
whose AllMusic genres name a GTZAN genre train the genre head too (Pop/Rock towards the set
{pop, rock}: the loss maximises p(pop) + p(rock)), and every class is balanced by artist, not
by clip (GENRE_RECIPES below; jmer.data.genre_labels). Build the shipped model with it:

  python tools/build_real_model.py --data=../shared/data --config=real_music:genre=beyond

Cross-validate the recipe (5 artist-grouped folds per split seed; what the model card reports).
Every `heads` option draws the folds over both datasets (`eval.fold_pool='gtzan+4q'`), so the
single-task arms test the joint arm's clips and no artist (normalised across GTZAN and 4Q) is on
both sides of a fold; `heads=genre` lists 4Q only to fold it:

  JMER_DATA=../shared/data python -m jmer.experiments experiments/shipped_recipe.py

The data are the `gtzan` and `4q` datasets under `data.root` (which the tool and the suites
set), in the folders `data.dirs` names: gtzan_real/ (genres/<genre>/<clip>, usable.txt,
artists.csv) and 4q_dev/ (Q1..Q4/<clip>, metadata.csv naming each song's artist). Neither has
a published split here (`data.split='random'`: seeded, by artist). Any key can be overridden
with `--config.<key>=...` as usual.
"""

from jmer import config as config_lib
from jmer.config import files as config_files
from jmer.config import names


# The heads a run trains, and the data each reads: the joint model as it ships, or one head on
# its own data set (the single-task arms the joint model is compared with).
HEADS = {
    "joint": dict(source="gtzan+4q", genre=True, emotion="quadrant"),
    "genre": dict(source="gtzan", genre=True, emotion="none"),
    "quadrant": dict(source="4q", genre=False, emotion="quadrant"),
}


# What the genre head learns from: {dotted key: value} over the recipe. 'gtzan' is today's
# recipe; 'beyond' adds 4Q's AllMusic genres as genre labels and balances classes by artist:
# the candidate the pre-registered rule chose on split seed 0
# (experiments/genre_beyond_selection.py, experiments/preregistration/genre_beyond.md).
GENRE_RECIPES = {
    "gtzan": {},
    "beyond": {"data.genre_labels.allmusic": "sets", "train.balance_unit": "artist"},
}


def get_config(arg=None):
  arg = config_lib.parse_arg(arg, heads=tuple(HEADS), trunk=names.ROW_TRUNKS, spectral=False,
                             moods=False, genre=tuple(GENRE_RECIPES))
  heads = HEADS[arg.heads]
  # The `musicnn2` variant (jmer.config.variants): frozen MSD- and MTT-musicnn branches on
  # musicnn's 16 kHz / 256-hop grid, concatenated by late fusion, non-overlapping 3 s patches
  # (hop 187 frames) read once each, 30 s segments, 40 epochs evaluated at the last, weight
  # decay 0.05.
  config = config_lib.apply_variants(config_lib.base_config(), "musicnn2")
  config.tasks.update(genre=heads["genre"], emotion=heads["emotion"])
  config.train.lambda_emotion = 1.0  # L = L_genre + lambda * L_quadrant
  config.data.source = heads["source"]
  config.data.dirs = ("gtzan:gtzan_real", "4q:4q_dev")  # the development sets' folder names
  config.data.split = "random"  # usable.txt is the filter; splits and folds by artist
  # Every arm draws its folds over both datasets (jmer.data.fold_pool): the single-task arms
  # are tested on the joint arm's clips, and the 9 artists in both sets never cross a fold.
  config.eval.fold_pool = "gtzan+4q"
  # A 30 s segment is the whole clip: one per epoch; and GTZAN's real clips are unbalanced.
  config.train.update(crops_per_track=1, class_balance=True)
  # The trunk over each network's patch embeddings: 'pooled' (mean and max, what ships), or
  # one that learns their order, 'crnn' or 'transformer' (jmer.config.names.ROW_TRUNKS).
  config.model.rows.trunk = arg.trunk
  if arg.spectral:  # log-mel, MFCC and chroma beside the networks, summarised per patch
    config.features.names += ("mel", "mfcc", "chroma")
    config.model.rows.window = 187
  if arg.moods:  # the mood networks' per-patch outputs, a row branch like the networks'
    config.features.names += ("musicnn_moods",)
  config_files.apply_overrides(config, GENRE_RECIPES[arg.genre])
  return config_lib.apply_variants(config, arg.variants)
