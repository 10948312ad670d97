r"""The research question on the real development sets, under the shipped model's recipe.

  JMER_DATA=../shared/data JMER_CACHE=/tmp/realmusic_cache \
      python -m jmer.experiments experiments/real.py            # ~100 min of runs, 2 CPU cores
  python -m jmer.experiments experiments/real.py --quick        # 2 folds, 2 epochs: a smoke test

Two runners can share the work: start the same command twice (each claims runs the other has not).

Data (docs/data.md, "The real development sets"), the recipe's `gtzan` and `4q` datasets under
$JMER_DATA (e.g. ../shared/data), in its folders gtzan_real/ and 4q_dev/ (data.dirs):
- genre: gtzan_real's 296 usable clips (usable.txt: the fault-filtered exclusions left out),
  folds grouped by artist (gtzan_real/artists.csv), class-balanced weights;
- quadrant: 4q_dev (450 clips), folds grouped by artist (the Artist column of its metadata.csv);
- joint: both at once (data.source='gtzan+4q'); each clip trains only the head it has a label
  for. Every cell draws its folds over both sets (eval.fold_pool='gtzan+4q', artists matched
  across them: docs/data.md, "How the folds are drawn"), so a joint cell's GTZAN and 4Q test
  tracks in fold k are exactly those of the single-task cells' fold k, and no artist in both
  sets trains a transfer cell's source on its test clips.

Protocol: the recipe (configs/real_music.py: frozen MSD- and MTT-musicnn, concat late fusion,
whole 30 s clips, 40 epochs evaluated at the last, weight decay 0.05) was chosen on split seed 0;
this suite reports repeated cross-validation on split seeds 1-3 (3 x 5 artist-grouped folds),
which played no part in that choice, every cell on every fold.

The questions, on the frozen pretrained networks (on a few hundred real clips a from-scratch
log-mel CRNN does not beat a linear model on clip-averaged MFCCs, so comparing training schemes
on it would compare undertrained models):
1. single- vs multi-task: genre only, quadrant only, and joint with lambda in {0.3, 1, 3};
2. late fusion: MSD-musicnn alone vs MSD- + MTT-musicnn branches fused late by concat (the
   recipe), gated or mean fusion. Branches of MFCC and chroma trained from scratch beside them
   are not in this suite: at the recipe's 30 s clips and 40 epochs their frame-rate CRNNs cost
   hours per fold on 2 CPU cores (docs/results.md keeps the earlier, 10 s measurement as history);
3. the trunk (CRNN vs Transformer) is a question for spectrogram branches, which a frozen
   network's pooled embeddings do not have; experiments/builtin.py asks it;
4. transfer: the pooled trunks trained on GTZAN genre (cell genre_only, same fold), then frozen or
   fine-tuned on 4Q quadrants, against the quadrant head alone at the same 40 epochs and at the
   transfer's total of 80 epochs (40 of genre + 40 of quadrant), and against joint training.
"""

RECIPE = "configs/real_music.py"  # the shipped model's recipe (joint, lambda = 1)
GENRE, QUADRANT = f"{RECIPE}:heads=genre", f"{RECIPE}:heads=quadrant"  # one head, its data

SUITE = dict(
    name="real",
    description="real GTZAN clips (gtzan_real, 296 usable, genre; folds by artist) and the 4Q "
                "emotion clips (4q_dev, 450, quadrant; folds by artist), frozen MSD- and "
                "MTT-musicnn branches (the shipped model's recipe)",
    protocol="real_music",  # 5 artist folds x split seeds 1-3 x inits 0-2 (protocols.py)
    # The study's protocol (a DRAFT until the next session finalises and commits it) and its
    # smallest effects of interest: each primary test also gets TOST at ±SESOI.
    preregistration="experiments/preregistration/real.md",
    sesoi={"genre macro-F1": 0.03, "quadrant macro-F1": 0.03},
    cells={
        "genre_only": dict(config=GENRE, label="genre head only, GTZAN"),
        "quadrant_only": dict(config=QUADRANT, label="quadrant head only, 4Q"),
        "joint_l0.3": dict(config=RECIPE, set={"train.lambda_emotion": 0.3},
                           label="joint, λ = 0.3"),
        "joint_l1": dict(config=RECIPE,
                         label="joint, λ = 1 (the shipped recipe)"),
        "joint_l3": dict(config=RECIPE, set={"train.lambda_emotion": 3.0},
                         label="joint, λ = 3"),
        "msd_only": dict(config=RECIPE, set={"features.names": ("musicnn",)},
                         label="joint, MSD-musicnn alone (one branch)"),
        "fused_mean": dict(config=RECIPE, set={"model.fusion": "mean"},
                           label="joint, MSD + MTT, mean fusion"),
        "fused_gated": dict(config=RECIPE, set={"model.fusion": "gated"},
                            label="joint, MSD + MTT, gated fusion"),
        "quadrant_only_80": dict(config=QUADRANT, set={"train.epochs": 80},
                                 label="quadrant head only, 80 epochs (the transfer's total)"),
        "transfer_frozen": dict(config=QUADRANT, init_from="genre_only",
                                set={"train.freeze_transferred": True},
                                label="GTZAN-trained pooled trunks, frozen; quadrant head "
                                      "trained"),
        "transfer_full": dict(config=QUADRANT, init_from="genre_only",
                              label="GTZAN-trained pooled trunks, fine-tuned on 4Q"),
    },
    experiments=[
        dict(title="Single-task vs multi-task",
             question="Does training genre and emotion jointly beat a model per task?",
             pairs=[(j, s) for s in ("genre_only", "quadrant_only")
                    for j in ("joint_l0.3", "joint_l1", "joint_l3")]),
        dict(title="Late fusion of two pretrained networks",
             question="Do MSD- and MTT-musicnn branches fused late beat MSD-musicnn alone, and "
                      "does the fusion rule matter?",
             pairs=[("joint_l1", "msd_only"), ("fused_gated", "msd_only"),
                    ("fused_mean", "msd_only"), ("fused_gated", "joint_l1"),
                    ("fused_mean", "joint_l1")]),
        dict(title="Transfer from genre to emotion",
             question="Does a GTZAN-trained trunk help 4Q emotion, frozen or fine-tuned, "
                      "against emotion alone (at equal epochs of 4Q and at equal total epochs) "
                      "and against joint training?",
             pairs=[("transfer_frozen", "quadrant_only"), ("transfer_full", "quadrant_only"),
                    ("transfer_full", "quadrant_only_80"), ("transfer_frozen", "joint_l1"),
                    ("transfer_full", "joint_l1")]),
    ],
)
