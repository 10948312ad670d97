r"""Genre beyond GTZAN, the selection (split seed 0): which recipe `genre=beyond` is.

  JMER_DATA=../shared/data python -m jmer.experiments experiments/genre_beyond_selection.py \
      --report-dir=experiments/results/genre_beyond_selection

Candidates for configs/real_music.py's `genre=beyond` (GENRE_RECIPES), each the shipped recipe
with the keys below changed, on split seed 0 (the selection split, which the reported numbers
never touch), init seed 0, 5 folds over GTZAN and 4Q by artist. The rule that picks one, fixed
before any run, is in experiments/preregistration/genre_beyond.md; the report
(jmer.experiments.analyses.cross_dataset_genre) gives every candidate's GTZAN → 4Q, in-GTZAN and
quadrant macro-F1, with no primary comparison (nothing is reported from this split). The chosen
recipe is then cross-validated on split seed 1: experiments/genre_beyond.py.
"""

RECIPE = "configs/real_music.py"
SETS = {"data.genre_labels.allmusic": "sets"}
ARTIST = {"train.balance_unit": "artist"}

SUITE = dict(
    name="genre_beyond_selection",
    description="the choice of the genre-beyond-GTZAN recipe on the selection split: GTZAN "
                "(gtzan_real, 296 usable, genre) and 4Q (4q_dev, 450, quadrant; AllMusic "
                "genres), folds by artist across both",
    protocol="real_music",
    split_seeds=(0,),  # the selection split: the reported suite runs split seed 1
    inits=(0,),
    preregistration="experiments/preregistration/genre_beyond.md",
    cells={
        "today": dict(config=f"{RECIPE}:genre=gtzan", label="the shipped recipe (reference)"),
        "sets_clip": dict(config=RECIPE, set=SETS, label="+ 4Q AllMusic genres, Pop/Rock as "
                                                         "{pop, rock}"),
        "sets_artist": dict(config=RECIPE, set={**SETS, **ARTIST},
                            label="+ 4Q AllMusic genres, classes balanced by artist"),
        "singles_artist": dict(config=RECIPE, set={"data.genre_labels.allmusic": "singles",
                                                   **ARTIST},
                               label="+ 4Q AllMusic genres but Pop/Rock unlabelled, by artist"),
        "sets_artist_dropout": dict(config=RECIPE, set={**SETS, **ARTIST, "model.dropout": 0.5},
                                    label="+ 4Q AllMusic genres, by artist, dropout 0.5"),
        "artist_only": dict(config=RECIPE, set=ARTIST,
                            label="classes balanced by artist, no 4Q genre labels (not "
                                  "eligible)"),
    },
    analyses=(("cross_dataset_genre", dict(primary="none")),),
)
