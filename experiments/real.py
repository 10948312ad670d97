r"""The four experiments on the shared real sets, 5-fold CV, on the frozen musicnn branch.

  JMER_REAL_DATA=../shared/data JMER_CACHE=/tmp/realmusic_cache \
      python -m jmer.experiments experiments/real.py            # 77 min on 2 CPU cores
  python -m jmer.experiments experiments/real.py --quick        # 2 folds, 2 epochs: a smoke test

Data: the same clips and folds as README's "Results on real music" (experiments/real_dev/):
- genre: gtzan_real's 296 usable clips (the fault-filtered exclusions left out), 5 folds grouped
  by artist (gtzan_real/artists.csv, via the manifest's artist column);
- quadrant: 4q_dev (450 clips), 5 folds grouped by artist (the folder dataset reads the Artist
  column of 4q_dev/metadata.csv itself);
- joint: both at once (manifest+folder); each clip trains only the head it has a label for, and
  each dataset keeps its own folds, so the joint cell's GTZAN and 4Q test tracks in fold k are
  exactly those of the single-task cells' fold k.

Why musicnn and not the from-scratch mel CRNN of experiments/builtin.py: on these few hundred real
clips the from-scratch CRNN does not beat a linear model on clip-averaged MFCCs (README, "Results
on real music"), so comparing training schemes on it would compare undertrained models; and its
cells would cost ~18 h on 2 CPU cores. The frozen, MSD-pretrained musicnn embeddings (cached per
clip) are the model a user would train on real data of this size, and every cell here trains in
about a minute per fold. The questions map onto it as follows:
1. single- vs multi-task: the heads over the shared pooled musicnn trunk, λ ∈ {0.3, 1, 3};
2. late fusion: musicnn (a log-mel network) alone vs musicnn + MFCC + chroma branches trained from
   scratch, fused by mean, gated or concat;
3. trunk: the CRNN vs the Transformer as the trunk of the fused model's from-scratch branches;
4. transfer: the pooled trunk trained on GTZAN genre, then frozen or fine-tuned on 4Q quadrants.
Every run trains a fixed 20 epochs and is evaluated at its last epoch (train.select_on='last'), so
no cell is judged on an accidental early epoch of a 35-track validation set.
"""

import importlib.util
import os
import pathlib

DATA = pathlib.Path(os.environ.get("JMER_REAL_DATA", "../shared/data")).expanduser().resolve()
CACHE = pathlib.Path(os.environ.get("JMER_CACHE", "~/.cache/jmer")).expanduser()
REAL_DEV = pathlib.Path(__file__).resolve().parent / "real_dev"


def gtzan_manifest() -> str:
  """The usable-clips GTZAN manifest with artists (absolute paths, so written per machine)."""
  target = CACHE / "manifests" / "gtzan_usable.csv"
  if (DATA / "gtzan_real").is_dir() and not target.is_file():
    spec = importlib.util.spec_from_file_location(
        "make_gtzan_manifest", REAL_DEV / "make_gtzan_manifest.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.write_manifest(module.manifest_rows(DATA / "gtzan_real"), target)
  return str(target)


GENRE_DATA = {"data.source": "manifest", "data.manifest.path": gtzan_manifest()}
QUADRANT_DATA = {"data.source": "folder", "data.folder.path": str(DATA / "4q_dev"),
                 "data.folder.task": "quadrant"}
JOINT_DATA = {**GENRE_DATA, **QUADRANT_DATA, "data.source": "manifest+folder"}
JOINT = "configs/mtl.py:musicnn"
FUSED = {**JOINT_DATA, "features.names": ("musicnn", "mfcc", "chroma")}

SUITE = dict(
    name="real",
    description="real GTZAN clips (gtzan_real, 296 usable, genre; folds by artist) and the 4Q "
                "emotion clips (4q_dev, quadrant; folds by artist), frozen musicnn branch",
    repeats=dict(by="fold", n=5),
    # JMER_REAL_SPLIT_SEED=1 (with another --root) replicates cells on fresh folds.
    split_seed=int(os.environ.get("JMER_REAL_SPLIT_SEED", "0")),
    set={"tasks.emotion": "quadrant", "train.epochs": 20, "train.select_on": "last",
         "data.segment_seconds": 10.0, "train.crops_per_track": 1,
         "features.musicnn_hop_frames": 187, "features.workers": 1, "train.verbose": 2,
         # Pinned, so that a change of the defaults cannot mix two heads within one suite root.
         "model.dropout": 0.3, "model.embedding_dim": 128, "train.weight_decay": 1e-4},
    cells={
        "genre_only": dict(config="configs/stl_genre.py:musicnn",
                           set={**GENRE_DATA, "tasks.emotion": "none"},
                           label="genre head only, GTZAN (musicnn)"),
        "quadrant_only": dict(config="configs/stl_emotion.py:musicnn", set=QUADRANT_DATA,
                              label="quadrant head only, 4Q (musicnn)"),
        "joint_l0.3": dict(config=JOINT, set={**JOINT_DATA, "train.lambda_emotion": 0.3},
                           label="joint, λ = 0.3"),
        "joint_l1": dict(config=JOINT, set=JOINT_DATA, label="joint, λ = 1 (musicnn)"),
        "joint_l3": dict(config=JOINT, set={**JOINT_DATA, "train.lambda_emotion": 3.0},
                         label="joint, λ = 3"),
        "fused_mean": dict(config=JOINT, set={**FUSED, "model.fusion": "mean"},
                           label="musicnn+MFCC+chroma, mean fusion"),
        "fused_gated": dict(config=JOINT, set={**FUSED, "model.fusion": "gated"},
                            label="musicnn+MFCC+chroma, gated fusion (CRNN branches)"),
        "fused_concat": dict(config=JOINT, set={**FUSED, "model.fusion": "concat"},
                             label="musicnn+MFCC+chroma, concat fusion"),
        # Tokens of 8 frames (0.13 s), not 2: 78 tokens per 10 s instead of 312, which on 2 busy
        # CPU cores cost 1.5-2 min an epoch across the two branches.
        "fused_transformer": dict(config=JOINT, set={**FUSED, "model.fusion": "gated",
                                                     "model.trunk": "transformer",
                                                     "model.transformer.patch_frames": 8},
                                  label="musicnn+MFCC+chroma, gated, Transformer branches"),
        "transfer_frozen": dict(config="configs/transfer.py:musicnn", init_from="genre_only",
                                set={**QUADRANT_DATA, "train.freeze_transferred": True},
                                label="GTZAN-trained pooled trunk, frozen; quadrant head trained"),
        "transfer_full": dict(config="configs/transfer.py:musicnn", init_from="genre_only",
                              set=QUADRANT_DATA,
                              label="GTZAN-trained pooled trunk, fine-tuned on 4Q"),
    },
    experiments=[
        dict(title="Single-task vs multi-task",
             question="Does training genre and emotion jointly beat a model per task?",
             pairs=[(j, s) for s in ("genre_only", "quadrant_only")
                    for j in ("joint_l0.3", "joint_l1", "joint_l3")]),
        dict(title="musicnn vs musicnn+MFCC+Chroma with late fusion",
             question="Do extra feature branches, fused late, beat the (log-mel) musicnn branch "
                      "alone?",
             pairs=[("fused_mean", "joint_l1"), ("fused_gated", "joint_l1"),
                    ("fused_concat", "joint_l1")]),
        dict(title="CRNN vs Transformer trunk",
             question="Does a Transformer encoder beat the CRNN (BiLSTM) as the trunk of the "
                      "from-scratch MFCC and chroma branches?",
             pairs=[("fused_transformer", "fused_gated")]),
        dict(title="Transfer from genre to emotion",
             question="Does a GTZAN-trained trunk help 4Q emotion, frozen or fine-tuned, "
                      "against emotion alone and against joint training?",
             pairs=[("transfer_frozen", "quadrant_only"), ("transfer_full", "quadrant_only"),
                    ("transfer_frozen", "joint_l1"), ("transfer_full", "joint_l1")]),
    ],
    quick=dict(variants="runlocal", repeats=2,
               set={"train.epochs": 2, "data.segment_seconds": 3.0}),
)
