r"""Which pretrained networks and clip statistics carry the most: a linear-probe scan of the levers.

  python experiments/real_music/probe_levers.py --data=../shared/data      # scan, then report
  python experiments/real_music/probe_levers.py --check                    # report from raw only

A cheap first look, on the *selection* split only (split seed 0; the 5 artist-grouped folds the
jmer runs use, from jmer.data.folds): a standardised logistic regression (class-balanced, L2
strength C) on per-clip statistics of the frozen embeddings of each network the wheel ships
(MSD/MTT musicnn penultimate, MSD/MTT VGG pool5), alone and concatenated. Statistics over a
clip's 3 s patches: mean; mean and max; mean and std; mean and the tag layer's mean (musicnn
only). Scored by macro-F1 per fold. The jmer head candidates that the scan points to are then
cross-validated by tools/build_real_model.py (REPORT "Levers"), and only those runs' split seeds
1-3 are reported as results.

Needs the feature caches of the four networks at patch hop 187 (tools/build_real_model.py --cv
--set=features.names=<network> builds them). Raw results: experiments/results/real_music/
probe_levers.json; the table in PROBE_LEVERS.md is generated from it (--check: regenerate and
compare, exit 1 on drift).
"""

import argparse
import itertools
import pathlib
import sys

import numpy as np

REPO = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import generated  # noqa: E402
sys.path.insert(0, str(REPO / "tools"))
OUT = REPO / "experiments" / "results" / "real_music"
RAW, TABLE = OUT / "probe_levers.json", OUT / "PROBE_LEVERS.md"
NETWORKS = ("musicnn", "musicnn_mtt", "musicnn_vgg", "musicnn_vgg_mtt")
COMBINATIONS = [(n,) for n in NETWORKS] + [
    ("musicnn", "musicnn_mtt"), ("musicnn", "musicnn_vgg"),
    ("musicnn", "musicnn_mtt", "musicnn_vgg"), NETWORKS]
STATISTICS = (("mean",), ("mean", "max"), ("mean", "std"), ("mean", "tags"))
C_VALUES = (0.003, 0.01, 0.03)
SELECTION_SEED, FOLDS = 0, 5
TASKS = {"quadrant": "folder", "genre": "manifest"}  # task -> dataset name


def patch_rows(per_frame: np.ndarray) -> np.ndarray:
  """One row per patch of a cached per-frame embedding (runs of equal rows collapsed)."""
  keep = np.ones(len(per_frame), bool)
  keep[1:] = np.any(per_frame[1:] != per_frame[:-1], axis=1)
  return per_frame[keep].astype(np.float32)


def clip_vector(patches: dict, combination, stats) -> np.ndarray | None:
  from jmer.data import musicnn_features
  parts = []
  for name in combination:
    p = patches[name]
    for s in stats:
      if s == "tags":
        if "vgg" in name:
          return None  # the VGGs' tag layers are not ported: no such candidate
        parts.append(musicnn_features.tag_probabilities(p, musicnn_features.NETWORKS[name])
                     .mean(0))
      else:
        parts.append(getattr(p, s)(0))
  return np.concatenate(parts)


def load(data: pathlib.Path, workdir: pathlib.Path):
  """{task: (tracks, labels, fold ids, {track_id: {network: patches}})} of the selection split.
  The GTZAN manifest goes where tools/build_real_model.py writes it (its cache keys depend on
  the manifest's path)."""
  import build_real_model
  from jmer.data import features as features_lib
  from jmer.data import folds as folds_lib
  from jmer.data import loading
  manifest = workdir / "gtzan_usable.csv"
  manifests = build_real_model._load(REPO / "experiments" / "real_dev" / "make_gtzan_manifest.py",
                                     "manifest")
  manifests.write_manifest(manifests.manifest_rows(data / "gtzan_real"), manifest)
  out = {}
  for task, dataset in TASKS.items():
    config = build_real_model.recipe_config(data, manifest, task)
    config.features.names = NETWORKS
    _, _, listings = loading.list_datasets(config)
    tracks = listings[dataset].tracks
    params = features_lib.feature_params(config)
    cache = features_lib.default_cache_root(config)
    fold_of = folds_lib.fold_ids(tracks, FOLDS, SELECTION_SEED)
    patches = {t.track_id: {n: patch_rows(a) for n, a in
                            features_lib.load_track_features(t, params, cache).items()}
               for t in tracks}
    labels = [t.quadrant if task == "quadrant" else t.genre for t in tracks]
    out[task] = (tracks, np.array(labels), np.array([fold_of[(t.dataset, t.track_id)]
                                                     for t in tracks]), patches)
  return out


def scan(data: pathlib.Path, workdir: pathlib.Path) -> dict:
  from sklearn.linear_model import LogisticRegression
  from sklearn.metrics import f1_score
  from sklearn.pipeline import make_pipeline
  from sklearn.preprocessing import StandardScaler
  rows = []
  for task, (tracks, labels, fold, patches) in load(data, workdir).items():
    for combination, stats, c in itertools.product(COMBINATIONS, STATISTICS, C_VALUES):
      vectors = [clip_vector(patches[t.track_id], combination, stats) for t in tracks]
      if vectors[0] is None:
        continue
      x, scores = np.stack(vectors), []
      for k in range(FOLDS):
        model = make_pipeline(StandardScaler(), LogisticRegression(
            C=c, max_iter=3000, class_weight="balanced"))
        model.fit(x[fold != k], labels[fold != k])
        scores.append(float(f1_score(labels[fold == k], model.predict(x[fold == k]),
                                     average="macro")))
      rows.append(dict(task=task, networks=list(combination), statistics=list(stats), C=c,
                       fold_macro_f1=scores))
      print(f"{task:8s} {'+'.join(combination):48s} {'/'.join(stats):9s} C={c:<5} "
            f"{np.mean(scores):.3f}", flush=True)
  return dict(protocol=dict(split_seed=SELECTION_SEED, folds=FOLDS, model="StandardScaler + "
                            "LogisticRegression(class_weight='balanced', max_iter=3000)",
                            metric="macro-F1 per fold"), rows=rows)


def render(raw: dict) -> str:
  lines = ["# Linear-probe scan of the pretrained networks and clip statistics",
           "", "Generated by `experiments/real_music/probe_levers.py` from `probe_levers.json`; "
           "selection split (split seed 0, 5 artist-grouped folds) only. Mean ± SD (ddof 1) of "
           "macro-F1 over folds; each cell the best C of "
           f"{', '.join(str(c) for c in C_VALUES)} (so slightly optimistic: C is chosen on these "
           "folds).", ""]
  for task in TASKS:
    stats_names = ["/".join(s) for s in STATISTICS]
    lines += [f"## {task}", "", "| networks | " + " | ".join(stats_names) + " |",
              "|---|" + "---|" * len(stats_names)]
    for combination in COMBINATIONS:
      cells = []
      for stats in STATISTICS:
        found = [r["fold_macro_f1"] for r in raw["rows"] if r["task"] == task and
                 tuple(r["networks"]) == combination and tuple(r["statistics"]) == stats]
        best = max(found, key=np.mean) if found else None
        cells.append(f"{np.mean(best):.3f} ± {np.std(best, ddof=1):.3f}" if best else "–")
      lines.append(f"| {' + '.join(combination)} | " + " | ".join(cells) + " |")
    lines.append("")
  return "\n".join(lines)


def main(argv=None) -> int:
  parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
  parser.add_argument("--data", default="../shared/data")
  parser.add_argument("--workdir", default="runs/real_music",
                      help="tools/build_real_model.py's --workdir (its GTZAN manifest)")
  parser.add_argument("--check", action="store_true",
                      help="regenerate the table from the committed raw results and compare")
  args = parser.parse_args(argv)
  if args.check:
    return generated.check(RAW, TABLE, render)
  raw = scan(pathlib.Path(args.data).expanduser().resolve(), pathlib.Path(args.workdir))
  return generated.write(raw, RAW, TABLE, render)


if __name__ == "__main__":
  sys.exit(main())
