r"""The plain probe (frozen musicnn embeddings + logistic regression) on jmer's own 5 folds.

experiments/musicnn_probe.py draws its folds with scikit-learn directly; this runs the same
probe on exactly the folds `jmer.main --config.eval.folds=5` uses (jmer.data.folds, seed 0:
GTZAN usable clips by artist, 4q_dev by artist), so its row compares fold for fold with the
jmer rows of "Results on real music":

  PYTHONPATH=. nice python experiments/real_dev/probe_on_jmer_folds.py --data=../shared/data

Embeddings come from musicnn_probe's cache (/tmp/jmer_musicnn_probe), computed on first use. Only the
penultimate 200-d embedding (the one jmer's frozen musicnn branch caches) is probed.
"""

import argparse
import pathlib
import sys
import warnings

import numpy as np

from jmer import config as config_lib
from jmer.data import folds as folds_lib
from jmer.data.datasets import folder
from jmer.data.datasets import manifest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
import musicnn_probe  # pylint: disable=wrong-import-position

FOLDS = 5


def jmer_splits(tracks, paths, seed: int = 0) -> list:
  """[(train indices, test indices)] into `paths`, one per jmer fold of `tracks`."""
  fold_of = folds_lib.fold_ids(tracks, FOLDS, seed)
  by_path = {str(pathlib.Path(t.path).resolve()): fold_of[(t.dataset, t.track_id)]
             for t in tracks}
  missing = [p for p in paths if str(pathlib.Path(p).resolve()) not in by_path]
  if missing:
    raise ValueError(f"{len(missing)} probe clips are not among jmer's tracks, e.g. {missing[0]}")
  assignment = np.array([by_path[str(pathlib.Path(p).resolve())] for p in paths])
  return [(np.flatnonzero(assignment != k), np.flatnonzero(assignment == k))
          for k in range(FOLDS)]


def main():
  warnings.filterwarnings("ignore", category=FutureWarning, module="sklearn")
  parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
  parser.add_argument("--data", type=pathlib.Path, default=pathlib.Path("../shared/data"))
  parser.add_argument("--manifest", default="experiments/real_dev/gtzan_usable.csv",
                      help="written by make_gtzan_manifest.py")
  parser.add_argument("--split-seed", type=int, default=0,
                      help="jmer's data.split_seed of the folds (the README table uses 0)")
  args = parser.parse_args()
  config = config_lib.base_config()
  config.data.manifest.path = args.manifest
  config.data.folder.path, config.data.folder.task = str(args.data / "4q_dev"), "quadrant"

  paths, quadrants, artists = musicnn_probe.fourq_tracks(args.data)
  embeddings = musicnn_probe.feature_sets(musicnn_probe.track_embeddings(paths, "4q_dev"))
  splits = jmer_splits(folder.list_tracks(config).tracks, paths, args.split_seed)
  print("4q_dev, jmer folds (by artist):")
  for name in ("penultimate",):
    scores = musicnn_probe.probe_on_splits(embeddings[name], quadrants, splits, artists)
    print(f"  {name:<20} macro-F1 {scores['macro_f1'][0]:.3f} ± {scores['macro_f1'][1]:.3f}, "
          f"ROC-AUC {scores['macro_auc'][0]:.3f} ± {scores['macro_auc'][1]:.3f}")

  paths, genres = musicnn_probe.gtzan_tracks(args.data)
  embeddings = musicnn_probe.feature_sets(
      musicnn_probe.track_embeddings(paths, "gtzan_usable"))
  splits = jmer_splits(manifest.list_tracks(config).tracks, paths, args.split_seed)
  print("gtzan_real usable clips, jmer folds (by artist):")
  for name in ("penultimate",):
    scores = musicnn_probe.probe_on_splits(embeddings[name], genres, splits)
    print(f"  {name:<20} accuracy {scores['accuracy'][0]:.3f} ± {scores['accuracy'][1]:.3f}, "
          f"macro-F1 {scores['macro_f1'][0]:.3f} ± {scores['macro_f1'][1]:.3f}")


if __name__ == "__main__":
  main()
