r"""Essentia's five fine-tuned mood networks as a branch of the shipped recipe (issue 32, item 2):
do they raise 4Q quadrant macro-F1, and what do they cost?

  JMER_DATA=../shared/data JMER_CACHE=~/.cache/jmer \
      nice -n 10 python -m jmer.experiments experiments/mood_networks.py   # 30 runs
  python -m jmer.experiments experiments/mood_networks.py --quick          # 2 folds, 2 epochs

The protocol, arms, primary metric, smallest effect of interest and budget were registered
before the runs in experiments/preregistration/mood_networks.md (the report names its commit).

Data: `gtzan_real`'s 296 usable clips (genre) and `4q_dev`'s 450 clips (quadrant) under
$JMER_DATA, 5 folds grouped by artist across both (eval.fold_pool='gtzan+4q'), split seed 1,
init seeds 0-2 on every fold. The mood networks' weights are read from
$JMER_DATA/essentia_models/mood_networks (jmer.pretrained.mood_networks; not shipped).

Cells:
- recipe: configs/real_music.py as it ships: frozen MSD- and MTT-musicnn penultimate
  embeddings of each 3 s patch (11 per 30 s clip), a pooled trunk (mean and max over the
  patches) per network, concatenated (late fusion), joint genre and quadrant heads.
- moods: the same plus a third branch of the same kind over the five mood networks' ten sigmoid
  outputs per patch (feature `musicnn_moods`: mood_happy, mood_sad, mood_relaxed,
  mood_aggressive, danceability; configs/real_music.py:moods).

The mood_networks analysis, collected after the runs in the same invocation, times the five
networks against the shipped model's own two musicnn passes on the same real clips (interleaved,
one process: the cost ratio), and checks on 4q_dev that each network's output columns mean what
Essentia's metadata says (MOOD_NETWORKS.md).
"""

RECIPE = "configs/real_music.py"

SUITE = dict(
    name="mood_networks",
    description="the shipped recipe (frozen MSD- and MTT-musicnn, pooled trunks, concat late "
                "fusion, joint heads) with and without a branch over Essentia's five "
                "fine-tuned mood networks' outputs; GTZAN (gtzan_real, 296 usable, genre) and "
                "4Q (4q_dev, 450, quadrant), folds by artist across both",
    protocol="real_music",  # 5 artist folds, init seeds 0-2 (jmer.experiments.protocols)
    split_seeds=(1,),  # the budget: 2 cells x 5 folds x 3 inits = 30 runs
    # Batches of 32 (the recipe ships at 16), as experiments/real.py, whose joint_pooled cell
    # is this suite's recipe cell: half the steps, so the 30 runs fit the budget.
    set={"train.batch_size": 32},
    preregistration="experiments/preregistration/mood_networks.md",
    sesoi={"quadrant macro-F1": 0.03},
    cells={
        "recipe": dict(config=RECIPE, label="the shipped recipe (MSD- + MTT-musicnn branches)"),
        "moods": dict(config=f"{RECIPE}:moods",
                      label="the recipe + a branch over the five mood networks' outputs"),
    },
    experiments=[
        dict(title="Fine-tuned mood networks",
             question="Does a late-fused branch over the five fine-tuned mood networks' "
                      "per-patch outputs raise 4Q quadrant macro-F1 over the shipped recipe?",
             pairs=[("moods", "recipe")],
             primary=("quadrant macro-F1",)),
    ],
    analyses=("mood_networks",),
)
