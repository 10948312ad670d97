r"""What more labelled emotion data buys: the recipe's quadrant head with fewer training clips.

  JMER_DATA=../shared/data python -m jmer.experiments experiments/learning_curve.py \
      --report-dir=experiments/results/real_music     # LEARNING_CURVE.md, learning_curve.json

The quadrant head of configs/real_music.py alone on 4q_dev, 5 artist-grouped folds on each of
split seeds 1-3, with 80 / 160 / 240 training clips per fold (data.train_tracks: a seeded,
quadrant-balanced subset) and with all 360; each fold's 90 test clips are the same at every size
(the learning_curve analysis, jmer.experiments.analyses.learning_curve).
"""

QUADRANT = "configs/real_music.py:heads=quadrant"  # the quadrant head alone, on 4Q

SUITE = dict(
    name="learning_curve",
    description="the recipe's quadrant head on 4q_dev (450 clips, artist-grouped folds) with "
                "fewer training clips",
    protocol="real_music",  # 5 artist folds x split seeds 1-3 (jmer.experiments.protocols)
    inits=(),  # one init (seed 0) per fold: the factor is the training-set size
    set={"seed": 0},  # the recipe's own initialisation on every fold
    cells={
        **{f"train_{n}": dict(config=QUADRANT, set={"data.train_tracks": n},
                              label=f"{n} training clips per fold") for n in (80, 160, 240)},
        "train_all": dict(config=QUADRANT, label="every training clip (360 per fold)"),
    },
    analyses=("learning_curve",),
)
