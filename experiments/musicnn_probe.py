"""Linear probes on frozen pretrained MSD_musicnn embeddings: 4Q emotion and GTZAN genre.

Measures how much emotion (4Q quadrants) and genre (GTZAN) information the shipped musicnn
network already carries, before anyone fine-tunes it inside jmer: per track, the embeddings of
its non-overlapping 3 s patches are averaged; a standardised logistic regression is then
cross-validated on them (5 folds; 4Q grouped by artist, as its README asks). The regularisation
strength C is chosen inside each training fold by an inner CV of the same kind, so the reported
test folds never pick it.

  PYTHONPATH=. nice python experiments/musicnn_probe.py [--data /work/shared/data]

Per-track embeddings are cached in /tmp/jmer_musicnn_probe/<set>.npz, so reruns are fast.

Measured (mean ± std over the 5 outer folds, seed 0):
  4Q (300 clips)     penultimate 200-d      macro-F1 0.714 ± 0.066, macro AUC 0.912 ± 0.020
                     mean_pool+max_pool     macro-F1 0.704 ± 0.064, macro AUC 0.903 ± 0.021
                     taggram 50-d           macro-F1 0.687 ± 0.040, macro AUC 0.896 ± 0.030
  GTZAN (140 clips)  penultimate            accuracy 0.871 ± 0.036, macro-F1 0.862 ± 0.042
                     mean_pool+max_pool     accuracy 0.886 ± 0.042, macro-F1 0.882 ± 0.043
                     taggram                accuracy 0.850 ± 0.027, macro-F1 0.837 ± 0.017
"""

import argparse
import csv
import pathlib
import warnings

import numpy as np
from sklearn.linear_model import LogisticRegressionCV
from sklearn.metrics import accuracy_score, f1_score, roc_auc_score
from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from jmer.data import musicnn_input
from jmer.pretrained import musicnn

CACHE = pathlib.Path("/tmp/jmer_musicnn_probe")
REPO = pathlib.Path(__file__).resolve().parents[1]
CS = (1e-3, 1e-2, 1e-1, 1.0, 10.0)
FOLDS = 5
SEED = 0


def fourq_tracks(data: pathlib.Path):
  """(paths, quadrant labels, artist groups) of 4q_dev, from its metadata.csv."""
  root = data / "4q_dev"
  with open(root / "metadata.csv", newline="", encoding="utf-8") as handle:
    rows = list(csv.DictReader(handle))
  paths = [root / row["Quadrant"] / f"{row['Song']}.mp3" for row in rows]
  missing = [path for path in paths if not path.is_file()]
  if missing:
    raise FileNotFoundError(f"{len(missing)} 4Q clips missing, e.g. {missing[0]}")
  return paths, [row["Quadrant"] for row in rows], [row["Artist"] for row in rows]


def gtzan_tracks(data: pathlib.Path):
  """(paths, genre labels) of the balanced 140-clip GTZAN subset (genre = parent folder)."""
  root = data / "gtzan_real"
  lines = (root / "balanced_140.txt").read_text().split()
  paths = [root / line for line in lines]
  return paths, [path.parent.name for path in paths]


def track_embeddings(paths, name: str) -> dict:
  """Patch-averaged taggram, penultimate, mean_pool and max_pool per track (cached)."""
  cache = CACHE / f"{name}.npz"
  if cache.is_file():
    cached = np.load(cache)
    if list(cached["paths"]) == [str(path) for path in paths]:
      return {key: cached[key] for key in musicnn.OUTPUT_NAMES}
  model = musicnn.load_pretrained(musicnn.build_musicnn(musicnn.OUTPUT_NAMES))
  rows = {key: [] for key in musicnn.OUTPUT_NAMES}
  for index, path in enumerate(paths):
    patches = musicnn_input.patches(musicnn_input.load_log_mel(path))
    outputs = model.predict(patches, batch_size=len(patches), verbose=0)
    for key in musicnn.OUTPUT_NAMES:
      rows[key].append(np.asarray(outputs[key]).mean(axis=0))
    if (index + 1) % 50 == 0:
      print(f"  {name}: {index + 1}/{len(paths)} tracks embedded", flush=True)
  embeddings = {key: np.stack(value).astype(np.float32) for key, value in rows.items()}
  CACHE.mkdir(parents=True, exist_ok=True)
  np.savez(cache, paths=np.array([str(path) for path in paths]), **embeddings)
  return embeddings


def feature_sets(embeddings: dict) -> dict:
  """The embeddings compared: penultimate (200), mean+max pool (1506), taggram (50)."""
  return {
      "penultimate": embeddings["penultimate"],
      "mean_pool+max_pool": np.concatenate([embeddings["mean_pool"], embeddings["max_pool"]], 1),
      "taggram": embeddings["tags"],
  }


def probe(features, labels, groups=None) -> dict:
  """Outer 5-fold CV of a standardised logistic regression whose C an inner CV picks."""
  labels = np.asarray(labels)
  if groups is None:
    splitter = StratifiedKFold(FOLDS, shuffle=True, random_state=SEED)
    splits = splitter.split(features, labels)
  else:
    groups = np.asarray(groups)
    splitter = StratifiedGroupKFold(FOLDS, shuffle=True, random_state=SEED)
    splits = splitter.split(features, labels, groups)
  return probe_on_splits(features, labels, splits, groups)


def probe_on_splits(features, labels, splits, groups=None) -> dict:
  """probe() on given outer (train, test) index splits, e.g. a jmer run's own folds."""
  labels = np.asarray(labels)
  groups = None if groups is None else np.asarray(groups)
  scores = {"macro_f1": [], "accuracy": [], "macro_auc": []}
  for train, test in splits:
    inner = (list(StratifiedKFold(4, shuffle=True, random_state=SEED).split(
        features[train], labels[train])) if groups is None else
             list(StratifiedGroupKFold(4, shuffle=True, random_state=SEED).split(
                 features[train], labels[train], groups[train])))
    classifier = make_pipeline(StandardScaler(), LogisticRegressionCV(
        Cs=list(CS), cv=inner, scoring="f1_macro", max_iter=5000))
    classifier.fit(features[train], labels[train])
    predicted = classifier.predict(features[test])
    scores["macro_f1"].append(f1_score(labels[test], predicted, average="macro"))
    scores["accuracy"].append(accuracy_score(labels[test], predicted))
    scores["macro_auc"].append(roc_auc_score(
        labels[test], classifier.predict_proba(features[test]), multi_class="ovr",
        average="macro", labels=classifier.classes_))
  return {name: (float(np.mean(values)), float(np.std(values))) for name, values in scores.items()}


def report(title: str, features: dict, labels, groups, metrics) -> None:
  print(f"\n{title}")
  for name, matrix in features.items():
    scores = probe(matrix, labels, groups)
    cells = ", ".join(f"{metric} {scores[metric][0]:.3f} ± {scores[metric][1]:.3f}"
                      for metric in metrics)
    print(f"  {name:<20} ({matrix.shape[1]:>4}-d): {cells}")


def main():
  # scikit-learn 1.8 announces LogisticRegressionCV API changes on every fit; none affect this.
  warnings.filterwarnings("ignore", category=FutureWarning, module="sklearn")
  parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
  parser.add_argument("--data", type=pathlib.Path, default=REPO.parent / "shared/data",
                      help="the shared real-data folder (holds 4q_dev/, gtzan_real/)")
  args = parser.parse_args()
  data = args.data if args.data.is_dir() else pathlib.Path("/work/shared/data")

  paths, quadrants, artists = fourq_tracks(data)
  fourq = feature_sets(track_embeddings(paths, "4q_dev"))
  paths, genres = gtzan_tracks(data)
  gtzan = feature_sets(track_embeddings(paths, "gtzan_balanced_140"))
  report(f"4Q emotion (4q_dev, {len(quadrants)} clips, 5-fold StratifiedGroupKFold by artist)",
         fourq, quadrants, artists, ("macro_f1", "macro_auc"))
  report(f"GTZAN genre (balanced_140, {len(genres)} clips, 5-fold StratifiedKFold)",
         gtzan, genres, None, ("accuracy", "macro_f1"))


if __name__ == "__main__":
  main()
