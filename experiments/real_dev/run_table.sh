#!/usr/bin/env bash
# Every row of "Results on real music" (README), as 5-fold CV on the real development sets.
#
#   bash experiments/real_dev/run_table.sh [row ...]     # from the repository root; no row = all
#
# Rows run one after another (nice'd); each writes runs/real_dev/<row>/crossval.json, and every
# fold's metrics.json carries the linear MFCC baseline (baseline_mfcc_linear) on the same split.
# Same folds for every row: the same data and data.split_seed (= seed 0). GTZAN: the 296 usable
# clips, folds by artist (the manifest's artist column); 4Q folds are by artist (4q_dev/metadata.csv, picked up by the folder
# dataset). Env: DATA (default ../shared/data), PY (default python), ROOT (default runs/real_dev),
# JMER_CACHE (one feature cache for all rows), EPOCHS (default 10), CROPS (default 1), EXTRA
# (flags added to every row, e.g. EXTRA=--config.data.split_seed=1 ROOT=runs/real_dev_split1 for
# the table's fresh-folds column).
# PRETRAINED_SRC (default: this checkout) is where the musicnn rows take jmer's code from.
set -euo pipefail
DATA=${DATA:-../shared/data}
PY=${PY:-python}
ROOT=${ROOT:-runs/real_dev}
EPOCHS=${EPOCHS:-10}
CROPS=${CROPS:-1}
MANIFEST=experiments/real_dev/gtzan_usable.csv
$PY experiments/real_dev/make_gtzan_manifest.py --data="$DATA/gtzan_real" --out="$MANIFEST"

COMMON=(--config.eval.folds=5 --config.seed=0 --config.features.workers=1)
# Today's default segments: 10 s, CROPS random crops per training track per epoch.
LONG=(--config.data.segment_seconds=10 --config.train.crops_per_track="$CROPS"
      --config.train.epochs="$EPOCHS")
GTZAN=(--config=configs/stl.py:task=genre --config.data.source=manifest
       --config.data.manifest.path="$MANIFEST")
FOURQ=(--config=configs/stl.py:task=emotion --config.tasks.emotion=quadrant
       --config.data.source=folder --config.data.folder.path="$DATA/4q_dev"
       --config.data.folder.task=quadrant)
JOINT=(--config=configs/mtl.py --config.tasks.emotion=quadrant
       --config.data.source=manifest+folder --config.data.manifest.path="$MANIFEST"
       --config.data.folder.path="$DATA/4q_dev" --config.data.folder.task=quadrant)
# Best recipe for small real data, variant A: all four augmentations + more dropout.
AUG=(--config.augment.gain.enabled=True --config.augment.shift.enabled=True
     --config.augment.noise.enabled=True --config.augment.specaugment.enabled=True
     --config.model.dropout=0.5)
PRETRAINED_SRC=${PRETRAINED_SRC:-.}
# musicnn rows: frozen embeddings of non-overlapping 3 s patches (hop 187 frames: a third of the
# default 1 s hop's embedding cost), a pooled head; 20 epochs, as the head trains in seconds.
# The head as first measured: 10 s segments, the epoch of lowest validation loss, weight decay
# 1e-4 (pinned: the musicnn variant now carries the whole-clip recipe, row *_musicnn_clip_wd).
MUSICNN=(--config.features.musicnn_hop_frames=187 --config.train.epochs=20
         --config.data.segment_seconds=10 --config.train.crops_per_track="$CROPS"
         --config.train.select_on=val_loss --config.train.weight_decay=0.0001)
GTZAN_MUSICNN=(--config="$PRETRAINED_SRC/configs/stl.py:task=genre,musicnn" "${GTZAN[@]:1}")
FOURQ_MUSICNN=(--config="$PRETRAINED_SRC/configs/stl.py:task=emotion,musicnn" "${FOURQ[@]:1}")
# Whole-clip variants of the frozen musicnn head (a 30 s segment = the whole clip, as the plain
# probe averages every patch); later flags override the MUSICNN ones. CLIP_WD is the musicnn
# variant's default head since it was measured.
CLIP=(--config.data.segment_seconds=30)
CLIP_WD=("${CLIP[@]}" --config.train.select_on=last --config.train.epochs=40
         --config.train.weight_decay=0.05)
CLIP_REG=("${CLIP[@]}" --config.train.select_on=last --config.train.epochs=60
          --config.model.dropout=0.5 --config.model.embedding_dim=64)
# Variant B: 5 s segments, twice the crops per track per epoch (the same audio per epoch).
SHORT=(--config.data.segment_seconds=5 --config.train.crops_per_track=$((2 * CROPS))
       --config.train.epochs="$EPOCHS")

run() {  # run <row name> <args...>
  local name=$1; shift
  echo "=== $(date -u +%H:%M:%S) start $name" >&2
  # -P: jmer comes from PYTHONPATH (this checkout, or PRETRAINED_SRC), not from the cwd.
  local src=$PWD; [[ $name == *musicnn* ]] && src=$PRETRAINED_SRC
  PYTHONPATH=$src nice -n 10 $PY -P -m jmer.main "$@" --workdir="$ROOT/$name" >"$ROOT/$name.log" 2>&1 \
    && echo "=== $(date -u +%H:%M:%S) done $name" >&2 \
    || echo "=== $(date -u +%H:%M:%S) FAILED $name (see $ROOT/$name.log)" >&2
}

declare -A ROWS=(
  [gtzan_crnn]="${GTZAN[*]} ${COMMON[*]} ${LONG[*]}"
  [4q_crnn]="${FOURQ[*]} ${COMMON[*]} ${LONG[*]}"
  [gtzan_crnn_aug]="${GTZAN[*]} ${COMMON[*]} ${AUG[*]} ${LONG[*]}"
  [4q_crnn_aug]="${FOURQ[*]} ${COMMON[*]} ${AUG[*]} ${LONG[*]}"
  [gtzan_crnn_short]="${GTZAN[*]} ${COMMON[*]} ${SHORT[*]}"
  [4q_crnn_short]="${FOURQ[*]} ${COMMON[*]} ${SHORT[*]}"
  [gtzan_musicnn_frozen]="${GTZAN_MUSICNN[*]} ${COMMON[*]} ${MUSICNN[*]}"
  [4q_musicnn_frozen]="${FOURQ_MUSICNN[*]} ${COMMON[*]} ${MUSICNN[*]}"
  [gtzan_musicnn_finetuned]="${GTZAN_MUSICNN[*]} ${COMMON[*]} ${MUSICNN[*]} --config.model.pretrained.trainable=True"
  [4q_musicnn_finetuned]="${FOURQ_MUSICNN[*]} ${COMMON[*]} ${MUSICNN[*]} --config.model.pretrained.trainable=True"
  [gtzan_mel_musicnn]="${GTZAN_MUSICNN[*]/:musicnn/:mel_musicnn} ${COMMON[*]} ${MUSICNN[*]}"
  [4q_mel_musicnn]="${FOURQ_MUSICNN[*]/:musicnn/:mel_musicnn} ${COMMON[*]} ${MUSICNN[*]}"
  [joint_crnn]="${JOINT[*]} ${COMMON[*]} ${LONG[*]}"
  [gtzan_musicnn_clip]="${GTZAN_MUSICNN[*]} ${COMMON[*]} ${MUSICNN[*]} ${CLIP[*]}"
  [4q_musicnn_clip]="${FOURQ_MUSICNN[*]} ${COMMON[*]} ${MUSICNN[*]} ${CLIP[*]}"
  [gtzan_musicnn_clip_wd]="${GTZAN_MUSICNN[*]} ${COMMON[*]} ${MUSICNN[*]} ${CLIP_WD[*]}"
  [4q_musicnn_clip_wd]="${FOURQ_MUSICNN[*]} ${COMMON[*]} ${MUSICNN[*]} ${CLIP_WD[*]}"
  [gtzan_musicnn_clip_reg]="${GTZAN_MUSICNN[*]} ${COMMON[*]} ${MUSICNN[*]} ${CLIP_REG[*]}"
  [4q_musicnn_clip_reg]="${FOURQ_MUSICNN[*]} ${COMMON[*]} ${MUSICNN[*]} ${CLIP_REG[*]}"
)
ORDER=(gtzan_crnn 4q_crnn joint_crnn gtzan_crnn_aug 4q_crnn_aug gtzan_crnn_short 4q_crnn_short
       gtzan_musicnn_frozen 4q_musicnn_frozen gtzan_musicnn_finetuned 4q_musicnn_finetuned
       gtzan_mel_musicnn 4q_mel_musicnn gtzan_musicnn_clip 4q_musicnn_clip gtzan_musicnn_clip_wd
       4q_musicnn_clip_wd gtzan_musicnn_clip_reg 4q_musicnn_clip_reg)
mkdir -p "$ROOT"
for name in "${@:-${ORDER[@]}}"; do
  [[ -n "${ROWS[$name]:-}" ]] || { echo "unknown row $name; rows: ${ORDER[*]}" >&2; exit 2; }
  # shellcheck disable=SC2086  # the row's arguments (and EXTRA's) hold no spaces
  run "$name" ${ROWS[$name]} ${EXTRA:-}
done
