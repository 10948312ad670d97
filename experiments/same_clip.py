r"""Genre and emotion on the same clips: 4Q's quadrant head beside a multi-label AllMusic genre
head, jointly or alone.

  JMER_DATA=../shared/data python -m jmer.experiments experiments/same_clip.py \
      --report-dir=experiments/results/real_music     # SAME_CLIP.md, same_clip_results.json

configs/same_clip_4q.py on 4q_dev's 450 clips, where every clip has a quadrant and AllMusic
genres: the joint model and each head alone see the same clips, folds and optimizer steps.
5 artist-grouped folds on each of split seeds 1-3 (the same_clip analysis,
jmer.experiments.analyses.same_clip, which also counts each genre's clips in 4q_dev's
metadata.csv).
"""

import os

CONFIG = "configs/same_clip_4q.py"

SUITE = dict(
    name="same_clip",
    description="4q_dev (450 clips, each with its quadrant and AllMusic genres; artist-grouped "
                "folds), frozen MSD-musicnn",
    repeats=dict(by="fold", n=5),
    split_seeds=(1, 2, 3),
    set={"data.source": "4q", "seed": 0, "features.workers": 1,
         "train.verbose": 2},
    cells={
        "joint": dict(config=CONFIG, label="joint (quadrant + genre tags)"),
        "quadrant": dict(config=CONFIG, set={"tasks.genre_tags": False},
                         label="quadrant head alone"),
        "genre_tags": dict(config=CONFIG, set={"tasks.emotion": "none"},
                           label="genre-tags head alone"),
    },
    experiments=[],
    # The analysis counts each genre's clips in 4q_dev/metadata.csv under the same data root.
    analyses=(("same_clip", dict(data=os.environ.get("JMER_DATA", "../shared/data"))),),
    quick=dict(variants="", repeats=2, set={"train.epochs": 2}),
)
