#!/bin/bash
# The same-clip experiment (configs/same_clip_4q.py): joint vs single-task heads on 4q_dev, where
# every clip has a quadrant and AllMusic genres. 5 artist-grouped folds on each of split seeds
# 1-3, the same folds for all three arms. Then: python experiments/real_music/same_clip.py
#   bash experiments/real_music/same_clip.sh [data folder, default ../shared/data] [runs folder]
set -euo pipefail
DATA=$(realpath "${1:-../shared/data}")
RUNS=${2:-runs/same_clip}
declare -A ARMS=([joint]="" [quadrant]="--config.tasks.genre_tags=False"
                 [genre_tags]="--config.tasks.emotion=none")
for seed in 1 2 3; do
  for arm in joint quadrant genre_tags; do
    if [ -f "$RUNS/${arm}_seed$seed/crossval.json" ]; then continue; fi  # done before
    echo "=== $(date -u +%T) $arm seed $seed"
    python -m jmer.main --config=configs/same_clip_4q.py --workdir="$RUNS/${arm}_seed$seed" \
      --config.data.folder.path="$DATA/4q_dev" --config.eval.folds=5 \
      --config.data.split_seed=$seed --config.train.verbose=0 ${ARMS[$arm]}
  done
done
