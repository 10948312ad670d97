r"""What more labelled emotion data buys: the recipe's quadrant head with fewer training clips.

  JMER_DATA=../shared/data python -m jmer.experiments experiments/learning_curve.py \
      --report-dir=experiments/results/real_music     # LEARNING_CURVE.md, learning_curve.json

The quadrant head of configs/real_music.py alone on 4q_dev, 5 artist-grouped folds on each of
split seeds 1-3, with 80 / 160 / 240 training clips per fold (data.train_tracks: a seeded,
quadrant-balanced subset) and with all 360; each fold's 90 test clips are the same at every size
(the learning_curve analysis, jmer.experiments.analyses.learning_curve).
"""

RECIPE = "configs/real_music.py"

SUITE = dict(
    name="learning_curve",
    description="the recipe's quadrant head on 4q_dev (450 clips, artist-grouped folds) with "
                "fewer training clips",
    repeats=dict(by="fold", n=5),
    split_seeds=(1, 2, 3),
    set={"data.source": "4q", "tasks.genre": False, "seed": 0,
         "features.workers": 1, "train.verbose": 2},
    cells={
        **{f"train_{n}": dict(config=RECIPE, set={"data.train_tracks": n},
                              label=f"{n} training clips per fold") for n in (80, 160, 240)},
        "train_all": dict(config=RECIPE, label="every training clip (360 per fold)"),
    },
    experiments=[],
    analyses=("learning_curve",),
    quick=dict(variants="", repeats=2, set={"train.epochs": 2}),
)
