r"""Genre beyond GTZAN, the confirmatory run (amendment 2 of its pre-registration): `beyond`
against `today` on the untouched split seeds 2-3.

  JMER_DATA=../shared/data python -m jmer.experiments experiments/genre_beyond_confirm.py \
      --report-dir=experiments/results/genre_beyond_confirm

The reported suite (experiments/genre_beyond.py, split seed 1) found GTZAN → 4Q +0.187 with
every fold up but Holm p 0.074, short of the registered level. Its pre-registration names this
run as the way to settle it: the same two primary cells, the same configs, folds, metrics and
Holm family, on split seeds 2 and 3 (10 folds, r = 2 × k = 5, corrected resampled t-test),
init seeds 0-2. Its decision (experiments/preregistration/genre_beyond.md, amendment 2) decides
whether `genre=beyond` becomes the shipped model's recipe.
"""

RECIPE = "configs/real_music.py"

SUITE = dict(
    name="genre_beyond_confirm",
    description="the genre head beyond GTZAN, confirmatory: GTZAN (gtzan_real, 296 usable, "
                "genre) and 4Q (4q_dev, 450, quadrant; AllMusic genres), folds by artist "
                "across both, split seeds 2-3",
    protocol="real_music",
    split_seeds=(2, 3),  # untouched by the selection (0) and the first report (1)
    preregistration="experiments/preregistration/genre_beyond.md",
    sesoi={"genre macro-F1": 0.03, "quadrant macro-F1": 0.03},
    cells={
        "today": dict(config=f"{RECIPE}:genre=gtzan",
                      label="the shipped recipe: genre head on GTZAN's genres"),
        "beyond": dict(config=f"{RECIPE}:genre=beyond", label="the recipe for genre beyond GTZAN"),
    },
    analyses=("cross_dataset_genre",),  # primary: beyond - today
)
