r"""Does averaging several heads pay? The recipe's quadrant head from three initialisations.

  JMER_DATA=../shared/data python -m jmer.experiments experiments/ensemble.py \
      --report-dir=experiments/results/real_music     # ENSEMBLE.md, ensemble_results.json

The quadrant head of configs/real_music.py alone on 4q_dev, trained from init seeds 0 (the
recipe's), 1 and 2 on the same clips and folds (5 artist-grouped folds on each of split seeds
1-3); the ensemble analysis (jmer.experiments.analyses.ensemble) loads each fold's three models,
averages their quadrant probabilities on the fold's test clips and tests the ensemble against
init seed 0 alone.
"""

QUADRANT = "configs/real_music.py:heads=quadrant"  # the quadrant head alone, on 4Q

SUITE = dict(
    name="ensemble",
    description="the recipe's quadrant head on 4q_dev (450 clips, artist-grouped folds) from "
                "three initialisations",
    protocol="real_music",  # 5 artist folds x split seeds 1-3 (jmer.experiments.protocols)
    inits=(),  # the init seed is the arm itself (one cell per init)
    cells={f"init_{s}": dict(config=QUADRANT, set={"seed": s}, label=f"init seed {s}")
           for s in (0, 1, 2)},
    analyses=("ensemble",),
)
