r"""Genre beyond GTZAN (issue 32, item 1): the shipped recipe's genre head against the recipe
that learns beyond GTZAN, on the cross-dataset genre check and the in-GTZAN and quadrant scores.

  JMER_DATA=../shared/data python -m jmer.experiments experiments/genre_beyond.py \
      --report-dir=experiments/results/genre_beyond   # REPORT.md, cross_dataset_results.json
  python -m jmer.experiments experiments/genre_beyond.py --quick   # 2 folds, 2 epochs

configs/real_music.py on GTZAN's usable clips and 4q_dev, 5 folds drawn over both sets by artist
(eval.fold_pool='gtzan+4q'), so no 4Q test clip's artist trains. Each run's genre head also
predicts its test fold's 4Q clips; the cross_dataset_genre analysis
(jmer.experiments.analyses.cross_dataset_genre) scores those whose AllMusic genres map to a
GTZAN genre (GTZAN → 4Q, "pop or rock" a set-valued class), beside the in-GTZAN genre and the
quadrant macro-F1 of the same runs. Split seed 1, init seeds 0-2. Pre-registered in
experiments/preregistration/genre_beyond.md: the primary comparison is beyond − today; the
recipe `genre=beyond` was chosen on split seed 0 (experiments/genre_beyond_selection.py).
"""

RECIPE = "configs/real_music.py"
BEYOND = f"{RECIPE}:genre=beyond"

SUITE = dict(
    name="genre_beyond",
    description="the genre head beyond GTZAN: GTZAN (gtzan_real, 296 usable, genre) and 4Q "
                "(4q_dev, 450, quadrant; AllMusic genres), folds by artist across both, "
                "frozen MSD- and MTT-musicnn, pooled trunk",
    protocol="real_music",  # 5 artist folds, init seeds 0-2 (jmer.experiments.protocols)
    split_seeds=(1,),  # split seed 0 chose the recipe (experiments/genre_beyond_selection.py)
    preregistration="experiments/preregistration/genre_beyond.md",
    sesoi={"genre macro-F1": 0.03, "quadrant macro-F1": 0.03},
    cells={
        # genre=gtzan named, not left to the default, so `today` stays today's recipe when
        # the shipped model's default becomes genre=beyond (the same resolved config as the
        # committed runs').
        "today": dict(config=f"{RECIPE}:genre=gtzan",
                      label="the shipped recipe: genre head on GTZAN's genres"),
        "beyond": dict(config=BEYOND, label="the recipe for genre beyond GTZAN"),
        "beyond_no_4q": dict(config=BEYOND, set={"data.genre_labels.allmusic": "none"},
                             label="beyond without the 4Q genre labels (GTZAN -> 4Q proper)"),
        "reverse": dict(config=BEYOND, set={"data.genre_labels.own": False},
                        label="genre from the 4Q AllMusic labels alone (4Q -> GTZAN)"),
    },
    analyses=("cross_dataset_genre",),  # primary: beyond - today (the first two cells)
)
