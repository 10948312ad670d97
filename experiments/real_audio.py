r"""The research question on the real development sets, family B: the planned architecture
trained from the audio (no pretrained network).

  JMER_DATA=../shared/data JMER_CACHE=~/.cache/jmer \
      python -m jmer.experiments experiments/real_audio.py   # 50 runs, ~45 min on 2 CPU cores
  python -m jmer.experiments experiments/real_audio.py --quick

Registered before the runs in experiments/preregistration/real_audio.md. The data, folds and
split seed are experiments/real.py's (its family A asks the same questions over pretrained
embeddings). The model (configs/real_audio.py): 48-band log-mel at a 64 ms hop of 16 kHz audio
(and MFCC and chroma in the fused cell), a random 10 s crop of every clip per epoch, a small
CRNN (conv 16-32-32-32, BiLSTM 32) or Transformer (2 blocks, d_model 64) trunk per branch, 15
epochs evaluated at the last; test clips are averaged over their 10 s segments. The budget is
what fits 2 CPU cores beside family A: 1 split seed x 5 folds x 2 init seeds (the issue's
floor), so its tests have less power than family A's.
"""

JOINT = "configs/real_audio.py"

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
        "genre": dict(config=f"{JOINT}:heads=genre", label="genre head only, log-mel CRNN"),
        "quadrant": dict(config=f"{JOINT}:heads=quadrant",
                         label="quadrant head only, log-mel CRNN"),
        "joint_fused": dict(config=f"{JOINT}:fused",
                            label="joint, log-mel + MFCC + chroma CRNNs, gated late fusion"),
        "joint_transformer": dict(config=f"{JOINT}:trunk=transformer",
                                  label="joint, log-mel Transformer"),
    },
    experiments=[
        dict(title="Single-task vs multi-task",
             question="Does a log-mel CRNN trained on both tasks beat one trained per task?",
             pairs=[("joint", "genre"), ("joint", "quadrant")]),
        dict(title="Log-mel vs late fusion of log-mel, MFCC and chroma",
             question="Do MFCC and chroma branches fused late beside log-mel beat log-mel alone?",
             pairs=[("joint_fused", "joint")]),
        dict(title="CRNN vs Transformer trunk",
             question="Does a Transformer trunk beat the CRNN on the same log-mel?",
             pairs=[("joint_transformer", "joint")]),
    ],
)
