r"""The shipped real-music model's recipe, cross-validated: the joint model against its single-task
counterparts, what the model card reports and what chose the joint model to ship.

  JMER_DATA=../shared/data JMER_CACHE=/tmp/realmusic_cache \
      python -m jmer.experiments experiments/shipped_recipe.py
  python -m jmer.experiments experiments/shipped_recipe.py --quick   # 2 folds, 2 epochs

Data: configs/real_music.py's `gtzan` and `4q` datasets under $JMER_DATA (the folder
holding gtzan_real/ and 4q_dev/, e.g. ../shared/data): gtzan_real's 296 usable clips (genre) and 4q_dev's 450 clips (quadrant),
folded together by artist (5 folds per split seed over both sets, eval.fold_pool='gtzan+4q'),
every cell on the same folds. Split seed 0 chose the recipe, so the suite runs split seeds 1-3.

Cells (each was `tools/build_real_model.py --cv --heads=<cell>` before that tool only built the
model; the runs now start from seed = split seed, as every suite's do, where the tool kept seed
0: the same folds, other initial weights):
- joint: the recipe as it ships, genre and quadrant heads, one masked loss;
- genre, quadrant: one head on its own data set;
- genre_by_track: the genre head with GTZAN folded by track instead of by artist
  (data.group_folds_by='track'): the older protocol, whose same-artist clips on both sides of a
  fold it is here to measure;
- genre_matched, quadrant_matched: the single-task heads trained for the joint model's number
  of optimizer steps (a joint epoch covers both data sets).

The calibration analysis needs only the joint cell (`--cell=joint`): its fold models' out-of-fold
probabilities, from which the shipped model's temperatures are fitted (tools/calibrate_model.py).
"""

RECIPE = "configs/real_music.py"
GENRE, QUADRANT = f"{RECIPE}:heads=genre", f"{RECIPE}:heads=quadrant"  # one head, its data
# Epochs at which a single-task head takes the joint model's optimizer steps: on a fold's
# training clips (batch 16) the joint model takes ~37 steps an epoch (GTZAN's ~237 + 4Q's 360
# clips), the genre head alone ~14 and the quadrant head alone 22, so 40 joint epochs are ~105
# genre and 67 quadrant epochs.
MATCHED_EPOCHS = {"quadrant": 67, "genre": 105}

SUITE = dict(
    name="shipped_recipe",
    description="the shipped model's recipe (frozen MSD- and MTT-musicnn, concat late fusion) "
                "on the real development sets, joint against single-task heads; GTZAN "
                "(gtzan_real, 296 usable, genre) and 4Q (4q_dev, 450, quadrant), folds by "
                "artist",
    protocol="real_music",  # 5 artist folds x split seeds 1-3 (jmer.experiments.protocols)
    cells={
        "joint": dict(config=RECIPE, label="joint genre + quadrant heads (the shipped recipe)"),
        "genre": dict(config=GENRE, label="genre head only, GTZAN"),
        "quadrant": dict(config=QUADRANT, label="quadrant head only, 4Q"),
        "genre_by_track": dict(config=GENRE, set={"data.group_folds_by": "track"},
                               label="genre head only, GTZAN folded by track (artists leak)"),
        "genre_matched": dict(config=GENRE, set={"train.epochs": MATCHED_EPOCHS["genre"]},
                              label="genre head only, the joint model's optimizer steps"),
        "quadrant_matched": dict(config=QUADRANT,
                                 set={"train.epochs": MATCHED_EPOCHS["quadrant"]},
                                 label="quadrant head only, the joint model's optimizer steps"),
    },
    # The shipped_recipe analysis asks the questions (joint against each head alone at equal
    # epochs and at equal optimizer steps; GTZAN folds by track against by artist) and writes
    # REPORT.md, crossval_results.json and the model card's numbers (the committed ones in
    # experiments/results/real_music/), so the generic suite report is not written. The
    # calibration analysis reads the joint cell's fold models again for their out-of-fold
    # probabilities (CALIBRATION.md, the model card's calibration numbers and the shipped
    # temperatures' raw file).
    experiments=[],
    analyses=("shipped_recipe", "calibration"),
)
