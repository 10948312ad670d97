r"""Genre beyond GTZAN (issue 32, item 1): the cross-dataset genre check of the shipped recipe.

  JMER_DATA=../shared/data python -m jmer.experiments experiments/genre_beyond.py \
      --report-dir=experiments/results/genre_beyond   # REPORT.md, cross_dataset_results.json
  python -m jmer.experiments experiments/genre_beyond.py --quick   # 2 folds, 2 epochs

configs/real_music.py on GTZAN's usable clips and 4q_dev, 5 folds drawn over both sets by artist
(eval.fold_pool='gtzan+4q'), so no 4Q test clip's artist trains. Each run's genre head also
predicts its test fold's 4Q clips; the cross_dataset_genre analysis
(jmer.experiments.analyses.cross_dataset_genre) scores those whose AllMusic genres map to a
GTZAN genre (GTZAN → 4Q, "pop or rock" a set-valued class), beside the in-GTZAN genre and the
quadrant macro-F1 of the same runs. Split seed 1, init seeds 0-2 (the study protocol's; split
seed 0 chose the shipped recipe and is kept for choices).
"""

RECIPE = "configs/real_music.py"

SUITE = dict(
    name="genre_beyond",
    description="the genre head beyond GTZAN: GTZAN (gtzan_real, 296 usable, genre) and 4Q "
                "(4q_dev, 450, quadrant; AllMusic genres for the check), folds by artist "
                "across both, frozen MSD- and MTT-musicnn, pooled trunk",
    protocol="real_music",  # 5 artist folds, init seeds 0-2 (jmer.experiments.protocols)
    split_seeds=(1,),
    cells={
        "today": dict(config=RECIPE, label="the shipped recipe: genre head on GTZAN's genres"),
    },
    analyses=("cross_dataset_genre",),
)
