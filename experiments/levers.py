r"""Levers of the real-music recipe: each candidate recipe against the one it would replace.

  JMER_DATA=../shared/data python -m jmer.experiments experiments/levers.py \
      --report-dir=experiments/results/real_music                # LEVERS.md, levers_results.json

A candidate is configs/real_music.py with its cell's keys changed (the first cell is the
baseline); both are cross-validated like the recipe, 5 artist-grouped folds on each split seed,
GTZAN's usable clips and 4q_dev together (data.source 'gtzan+4q'). Split seed 0 is the
selection split (the choice of the recipe was made there); split seeds 1-3 report the effect
(the levers analysis, jmer.experiments.analyses.levers).
"""

RECIPE = "configs/real_music.py"

SUITE = dict(
    name="levers",
    description="the shipped recipe's levers on GTZAN's usable clips and 4q_dev (joint heads, "
                "artist-grouped folds)",
    protocol="real_music",  # 5 artist folds x split seeds 1-3 (jmer.experiments.protocols)
    inits=(),  # one init (seed 0, the recipe's) per fold, not the protocol's three
    split_seeds=(0, 1, 2, 3),  # 0 chose the recipe; 1-3 report the lever's effect
    # The recipe's own initialisation (seed 0) on every fold, as the recipe is cross-validated.
    set={"seed": 0},
    cells={
        "msd": dict(config=RECIPE, set={"features.names": ("musicnn",)},
                    label="MSD-musicnn alone (one branch)"),
        "msd_mtt": dict(config=RECIPE, set={"features.names": ("musicnn", "musicnn_mtt")},
                        label="MSD- + MTT-musicnn fused late (the recipe)"),
    },
    analyses=("levers",),
)
