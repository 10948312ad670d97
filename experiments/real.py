r"""The four experiments on the shared real sets, 5-fold cross-validation (not run in CI).

  python -m jmer.experiments experiments/real.py            # JMER_REAL_DATA=/work/shared/data
  python -m jmer.experiments experiments/real.py --quick    # tiny models, 2 folds, to smoke-test

Data (see /work/shared/data/README.md):
- genre: the real GTZAN clips in gtzan_real/genres/<genre>/ as a class-folder dataset;
- emotion: the 4Q clips (Panda et al. 2018), quadrant labels from 4q_dev/metadata.csv, written
  here into a manifest with a `group` column holding each song's Artist, so that folds never put
  one artist on both sides (`Track.group`, added alongside this suite; without grouping support
  the column is read as an extra label and the folds are by track only, which the report shows);
- joint: both at once (folder+manifest); each clip trains only the head it has a label for.

Folds are computed over each cell's own tracks, so the joint cell's fold k is not the genre cell's
fold k; the repeat-level tests pair folds as repeats, and the per-track tests pair every track,
each tested exactly once per cell.
"""

import csv
import os
import pathlib

DATA = pathlib.Path(os.environ.get("JMER_REAL_DATA", "/work/shared/data"))
GENRES = DATA / "gtzan_real" / "genres"
CACHE = pathlib.Path(os.environ.get("JMER_CACHE", "~/.cache/jmer")).expanduser()


def four_q_manifest() -> str:
  """A manifest (path, quadrant, group=Artist) of the 4Q clips, written once into the cache."""
  source = DATA / "4q_dev" / "metadata.csv"
  target = CACHE / "manifests" / "4q_dev.csv"
  if source.is_file() and not target.is_file():
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(source, newline="") as fh:
      rows = list(csv.DictReader(fh))
    tmp = target.with_suffix(".tmp")
    with open(tmp, "w", newline="") as fh:
      writer = csv.writer(fh)
      writer.writerow(["path", "track_id", "quadrant", "group"])
      for row in rows:
        path = DATA / "4q_dev" / row["Quadrant"] / f"{row['Song']}.mp3"
        writer.writerow([str(path), row["Song"], row["Quadrant"], row["Artist"]])
    os.replace(tmp, target)
  return str(target)


GENRE_DATA = {"data.source": "folder", "data.folder.path": str(GENRES)}
EMOTION_DATA = {"data.source": "manifest", "data.manifest.path": four_q_manifest()}
JOINT_DATA = {"data.source": "folder+manifest", "data.folder.path": str(GENRES),
              "data.manifest.path": EMOTION_DATA["data.manifest.path"]}
JOINT = "configs/mtl.py"

SUITE = dict(
    name="real",
    description="real GTZAN clips (gtzan_real, genre) and the 4Q emotion clips (4q_dev, "
                "quadrant, artist-grouped folds)",
    repeats=dict(by="fold", n=5),
    split_seed=0,
    set={"tasks.emotion": "quadrant", "train.epochs": 30, "train.select_on": "last",
         "data.segment_seconds": 10.0},
    cells={
        "genre_only": dict(config="configs/stl_genre.py", set={**GENRE_DATA,
                                                              "tasks.emotion": "none"},
                           label="genre head only, GTZAN"),
        "quadrant_only": dict(config="configs/stl_emotion.py", set=EMOTION_DATA,
                              label="quadrant head only, 4Q, from scratch"),
        "joint_l0.3": dict(config=JOINT, set={**JOINT_DATA, "train.lambda_emotion": 0.3},
                           label="joint, λ = 0.3"),
        "joint_l1": dict(config=JOINT, set=JOINT_DATA, label="joint, λ = 1 (mel CRNN)"),
        "joint_l3": dict(config=JOINT, set={**JOINT_DATA, "train.lambda_emotion": 3.0},
                         label="joint, λ = 3"),
        "fused_mean": dict(config=f"{JOINT}:fused", set={**JOINT_DATA, "model.fusion": "mean"},
                           label="mel+MFCC+chroma, mean fusion"),
        "fused_gated": dict(config=f"{JOINT}:fused", set=JOINT_DATA,
                            label="mel+MFCC+chroma, gated fusion"),
        "fused_concat": dict(config=f"{JOINT}:fused",
                             set={**JOINT_DATA, "model.fusion": "concat"},
                             label="mel+MFCC+chroma, concat fusion"),
        "transformer": dict(config=f"{JOINT}:transformer", set=JOINT_DATA,
                            label="joint, Transformer trunk"),
        "transfer_frozen": dict(config="configs/transfer.py", init_from="genre_only",
                                set={**EMOTION_DATA, "train.freeze_transferred": True},
                                label="GTZAN-pretrained trunk, frozen; quadrant head trained"),
        "transfer_full": dict(config="configs/transfer.py", init_from="genre_only",
                              set=EMOTION_DATA,
                              label="GTZAN-pretrained trunk, fully fine-tuned on 4Q"),
    },
    experiments=[
        dict(title="Single-task vs multi-task",
             question="Does training genre and emotion jointly beat a model per task?",
             pairs=[(j, s) for s in ("genre_only", "quadrant_only")
                    for j in ("joint_l0.3", "joint_l1", "joint_l3")]),
        dict(title="Mel vs Mel+MFCC+Chroma with late fusion",
             question="Do extra feature branches, fused late, beat log-mel alone?",
             pairs=[("fused_mean", "joint_l1"), ("fused_gated", "joint_l1"),
                    ("fused_concat", "joint_l1")]),
        dict(title="CRNN vs Transformer trunk",
             question="Does a Transformer encoder beat the CRNN (BiLSTM) trunk?",
             pairs=[("transformer", "joint_l1")]),
        dict(title="Transfer from genre to emotion",
             question="Does a GTZAN-pretrained trunk help 4Q emotion, frozen or fine-tuned, "
                      "against emotion from scratch and against joint training?",
             pairs=[("transfer_frozen", "quadrant_only"), ("transfer_full", "quadrant_only"),
                    ("transfer_frozen", "joint_l1"), ("transfer_full", "joint_l1")]),
    ],
    quick=dict(variants="runlocal", repeats=2,
               set={"train.epochs": 2, "data.segment_seconds": 3.0}),
)
