r"""The research question on the real development sets, family B: the planned architecture
trained from the audio (no pretrained network).

  JMER_DATA=../shared/data JMER_CACHE=~/.cache/jmer \
      python -m jmer.experiments experiments/real_audio.py   # 90 runs, ~100 min on 2 CPU cores
  python -m jmer.experiments experiments/real_audio.py --quick

Registered before the runs in experiments/preregistration/real_audio.md (its amendment 1 added
the matched-steps, transfer and 30-epoch cells before their runs). The data, folds and
split seed are experiments/real.py's (its family A asks the same questions over pretrained
embeddings). The model (configs/real_audio.py): 48-band log-mel at a 64 ms hop of 16 kHz audio
(and MFCC and chroma in the fused cell), a random 10 s crop of every clip per epoch, a small
CRNN (conv 16-32-32-32, BiLSTM 32) or Transformer (2 blocks, d_model 64) trunk per branch, 15
epochs evaluated at the last; test clips are averaged over their 10 s segments. The budget is
what fits 2 CPU cores beside family A: 1 split seed x 5 folds x 2 init seeds (the issue's
floor), so its tests have less power than family A's. The transfer cell starts each fold and
init from the genre cell's model of that fold and init.
"""

JOINT = "configs/real_audio.py"
GENRE, QUADRANT = f"{JOINT}:heads=genre", f"{JOINT}:heads=quadrant"
# Single-task heads at the joint model's optimizer steps: a joint epoch draws one 10 s crop of
# each of ~596 training clips (37 batches of 16), a genre epoch ~237 (14 batches), a quadrant
# epoch ~359 (22), so 15 joint epochs (~555 steps) are ~40 genre or ~25 quadrant epochs.
MATCHED_EPOCHS = {"genre": 40, "quadrant": 25}

SUITE = dict(
    name="real_audio",
    description="real GTZAN clips (gtzan_real, 296 usable, genre) and 4Q clips (4q_dev, 450, "
                "quadrant), folds by artist across both; log-mel / MFCC / chroma CRNN and "
                "Transformer trunks trained from the audio (family B)",
    protocol="real_music",  # 5 artist folds (jmer.experiments.protocols)
    split_seeds=(1,),
    inits=(0, 1),  # the budget (preregistration/real_audio.md)
    set={"train.epochs": 15},  # the budget, beside family A on 2 cores
    preregistration="experiments/preregistration/real_audio.md",
    sesoi={"genre macro-F1": 0.03, "quadrant macro-F1": 0.03},
    cells={
        "joint": dict(config=JOINT, label="joint, log-mel CRNN"),
        "genre": dict(config=GENRE, label="genre head only, log-mel CRNN"),
        "quadrant": dict(config=QUADRANT, label="quadrant head only, log-mel CRNN"),
        "joint_fused": dict(config=f"{JOINT}:fused",
                            label="joint, log-mel + MFCC + chroma CRNNs, gated late fusion"),
        "joint_transformer": dict(config=f"{JOINT}:trunk=transformer",
                                  label="joint, log-mel Transformer"),
        # Amendment 1 (registered before these runs).
        "genre_matched": dict(config=GENRE, set={"train.epochs": MATCHED_EPOCHS["genre"]},
                              label="genre head only, the joint model's optimizer steps"),
        "quadrant_matched": dict(config=QUADRANT,
                                 set={"train.epochs": MATCHED_EPOCHS["quadrant"]},
                                 label="quadrant head only, the joint model's optimizer steps"),
        "quadrant_30": dict(config=QUADRANT, set={"train.epochs": 30},
                            label="quadrant head only, 30 epochs (the transfer's total)"),
        "transfer": dict(config=QUADRANT, init_from="genre",
                         label="log-mel CRNN trained on GTZAN genre (cell genre), fine-tuned "
                               "on 4Q quadrants"),
    },
    experiments=[
        dict(title="Single-task vs multi-task",
             question="Does a log-mel CRNN trained on both tasks beat one trained per task, at "
                      "equal epochs and at equal optimizer steps?",
             pairs=[("joint", "genre"), ("joint", "quadrant"), ("joint", "genre_matched"),
                    ("joint", "quadrant_matched")]),
        dict(title="Log-mel vs late fusion of log-mel, MFCC and chroma",
             question="Do MFCC and chroma branches fused late beside log-mel beat log-mel alone?",
             pairs=[("joint_fused", "joint")]),
        dict(title="CRNN vs Transformer trunk",
             question="Does a Transformer trunk beat the CRNN on the same log-mel?",
             pairs=[("joint_transformer", "joint")]),
        dict(title="Transfer from genre to emotion",
             question="Does a log-mel CRNN trained on GTZAN genre, fine-tuned on 4Q, beat the "
                      "quadrant CRNN trained alone at equal 4Q epochs and at equal total "
                      "epochs, and joint training?",
             pairs=[("transfer", "quadrant"), ("transfer", "quadrant_30"),
                    ("transfer", "joint")]),
    ],
)
