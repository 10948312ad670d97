r"""The four experiments on the built-in corpus, 3 seeds per cell (the split held fixed).

  python -m jmer.experiments experiments/builtin.py          # the suite (see README for times)
  python -m jmer.experiments experiments/builtin.py --quick  # a tiny smoke version (minutes)

Scaled to run on 2 shared CPU cores in well under 90 minutes: a 120-clip corpus of 12 s clips,
3 s segments, 64 mel bands and a fixed budget of 10 epochs per run. Every run is evaluated at its
last epoch (train.select_on='last'), so every cell gets the same, principled selection rule.
"""

JOINT = "configs/mtl.py"

SUITE = dict(
    name="builtin",
    description="the built-in synthetic corpus (genre, arousal/valence and their quadrant on "
                "every clip)",
    repeats=dict(by="seed", n=3),
    split_seed=0,
    set={
        "data.source": "synthetic",
        "data.synthetic.clips_per_genre": 12,
        "data.synthetic.clip_seconds": 12.0,
        "data.segment_seconds": 3.0,
        "data.val_fraction": 0.15,
        "data.test_fraction": 0.3,
        "features.n_mels": 64,
        "tasks.emotion": "both",
        "train.epochs": 10,
        "train.select_on": "last",
        "train.verbose": 2,
    },
    cells={
        # tasks.emotion is set for every cell above: the genre-only cell sets it back.
        "genre_only": dict(config="configs/stl.py:task=genre", set={"tasks.emotion": "none"},
                           label="genre head only"),
        "emotion_only": dict(config="configs/stl.py:task=emotion",
                             label="emotion heads only (AV + quadrant), from scratch"),
        "joint_l0.3": dict(config=JOINT, set={"train.lambda_emotion": 0.3},
                           label="joint, λ = 0.3"),
        "joint_l1": dict(config=JOINT, label="joint, λ = 1 (mel CRNN)"),
        "joint_l3": dict(config=JOINT, set={"train.lambda_emotion": 3.0}, label="joint, λ = 3"),
        "fused_mean": dict(config=f"{JOINT}:fused", set={"model.fusion": "mean"},
                           label="mel+MFCC+chroma, mean fusion"),
        "fused_gated": dict(config=f"{JOINT}:fused", label="mel+MFCC+chroma, gated fusion"),
        "fused_concat": dict(config=f"{JOINT}:fused", set={"model.fusion": "concat"},
                             label="mel+MFCC+chroma, concat fusion"),
        "transformer": dict(config=f"{JOINT}:transformer", label="joint, Transformer trunk"),
        "transfer_frozen": dict(config="configs/transfer.py", init_from="genre_only",
                                set={"train.freeze_transferred": True},
                                label="genre-pretrained trunk, frozen; emotion heads trained"),
        "transfer_full": dict(config="configs/transfer.py", init_from="genre_only",
                              label="genre-pretrained trunk, fully fine-tuned on emotion"),
    },
    experiments=[
        dict(title="Single-task vs multi-task",
             question="Does training genre and emotion jointly beat a model per task?",
             pairs=[("joint_l0.3", "genre_only"), ("joint_l1", "genre_only"),
                    ("joint_l3", "genre_only"), ("joint_l0.3", "emotion_only"),
                    ("joint_l1", "emotion_only"), ("joint_l3", "emotion_only")]),
        dict(title="Mel vs Mel+MFCC+Chroma with late fusion",
             question="Do extra feature branches, fused late, beat log-mel alone?",
             pairs=[("fused_mean", "joint_l1"), ("fused_gated", "joint_l1"),
                    ("fused_concat", "joint_l1")]),
        dict(title="CRNN vs Transformer trunk",
             question="Does a Transformer encoder beat the CRNN (BiLSTM) trunk?",
             pairs=[("transformer", "joint_l1")]),
        dict(title="Transfer from genre to emotion",
             question="Does a genre-pretrained trunk help emotion, frozen or fine-tuned, against "
                      "emotion from scratch and against joint training?",
             pairs=[("transfer_frozen", "emotion_only"), ("transfer_full", "emotion_only"),
                    ("transfer_frozen", "joint_l1"), ("transfer_full", "joint_l1")]),
    ],
    # --quick: configs/test.py-sized models and corpus (the 'runlocal' variant; the data keys
    # again, since `set` above overrides the variant's), 2 seeds.
    quick=dict(variants="runlocal", repeats=2, set={
        "train.epochs": 2, "data.synthetic.clips_per_genre": 4,
        "data.synthetic.clip_seconds": 4.0, "features.n_mels": 32, "data.val_fraction": 0.25,
        "data.test_fraction": 0.25}),
)
