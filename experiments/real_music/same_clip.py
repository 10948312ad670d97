r"""Genre and emotion on the same clips: raw results of the 4Q same-clip experiment, then its report.

  bash experiments/real_music/same_clip.sh ../shared/data runs/same_clip   # the runs (3 arms)
  python experiments/real_music/same_clip.py --runs=runs/same_clip          # collect + report
  python experiments/real_music/same_clip.py --check                        # report from raw only

configs/same_clip_4q.py trains, on 4q_dev's 450 clips, a quadrant head and a multi-label
AllMusic-genre head (genre_tags), jointly or alone. Every clip has both labels, so the arms see
the same clips, the same artist-grouped folds and the same number of optimizer steps: the
comparison is compute-matched by construction. Split seeds 1-3 × 5 folds (15 paired folds);
nothing was chosen on them (λ = 1 and the head recipe are the shipped musicnn head's).

Primary metrics, one per head: quadrant macro-F1 and genre-tags mAP; the question "does the
other head help?" is one Holm family of those two tests (corrected resampled t-test, Nadeau &
Bengio 2003). Secondary metrics are shown without tests.
"""

import argparse
import json
import math
import pathlib
import sys

import numpy as np

REPO = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import generated  # noqa: E402
from jmer.experiments import stats  # noqa: E402

OUT = REPO / "experiments" / "results" / "real_music"
RAW, REPORT, FIGURE = (OUT / "same_clip_results.json", OUT / "SAME_CLIP.md",
                       OUT / "same_clip_differences.png")
SEEDS = (1, 2, 3)
ARMS = {"joint": "joint (quadrant + genre tags)", "quadrant": "quadrant head alone",
        "genre_tags": "genre-tags head alone"}
# head -> (primary metric, secondary metrics), keys of the fold's metrics.json entry
HEADS = {"quadrant": ("macro_f1", ("accuracy", "roc_auc_ovr")),
         "genre_tags": ("mean_average_precision", ("roc_auc_macro", "micro_f1", "macro_f1"))}
LABELS = {"macro_f1": "macro-F1", "accuracy": "accuracy", "roc_auc_ovr": "ROC-AUC",
          "mean_average_precision": "mAP", "roc_auc_macro": "ROC-AUC (macro)",
          "micro_f1": "micro-F1"}


def _clean(value):
  return None if value is None or (isinstance(value, float) and not math.isfinite(value)) \
      else round(float(value), 4)


def collect(runs: pathlib.Path) -> dict:
  """Every <arm>_seed<k>/fold_<i>/metrics.json under `runs` as one raw-results dict."""
  out = []
  for fold_dir in sorted(runs.glob("*_seed*/fold_*")):
    if not (fold_dir / "metrics.json").is_file():
      continue  # still training
    arm, seed = fold_dir.parent.name.rsplit("_seed", 1)
    report = json.loads((fold_dir / "metrics.json").read_text())
    entry = dict(arm=arm, seed=int(seed), fold=int(fold_dir.name.split("_")[1]),
                 n_train=report["data"]["per_dataset"]["folder"]["train"]["tracks"], heads={})
    for head, (primary, secondary) in HEADS.items():
      m = report["metrics"].get(head)
      if m is not None:
        entry["heads"][head] = dict({k: _clean(m.get(k)) for k in (primary, *secondary)},
                                    n_test=m["n"])
        if head == "genre_tags":
          entry["heads"][head]["per_class_ap"] = {
              g: _clean(v["average_precision"]) for g, v in m["per_class"].items()}
    out.append(entry)
  if not out:
    raise FileNotFoundError(f"{runs}: no <arm>_seed<k>/fold_<i> runs")
  return dict(format=1, source="experiments/real_music/same_clip.sh (configs/same_clip_4q.py)",
              runs=out)


def _values(raw, arm, head, metric) -> dict:
  return {(r["seed"], r["fold"]): r["heads"][head][metric] for r in raw["runs"]
          if r["arm"] == arm and r["seed"] in SEEDS and head in r["heads"]
          and r["heads"][head].get(metric) is not None}


def _cell(values) -> str:
  mean, sd, n = stats.mean_sd(list(values))
  return "–" if n == 0 else f"{mean:.3f} ± {sd:.3f}"


def comparisons(raw) -> list:
  """[(head, metric, test dict)] of joint − alone on the primary metric, Holm-adjusted."""
  rows = []
  for head, (metric, _) in HEADS.items():
    joint, alone = _values(raw, "joint", head, metric), _values(raw, head, head, metric)
    keys = sorted(set(joint) & set(alone))
    runs = [r for r in raw["runs"] if r["arm"] == "joint" and r["seed"] in SEEDS]
    ratio = stats.correction_ratio([r["n_train"] for r in runs],
                                   [r["heads"][head]["n_test"] for r in runs])
    rows.append((head, metric, stats.resampled_t_test([joint[k] - alone[k] for k in keys],
                                                      test_train_ratio=ratio)))
  for (_, _, t), adjusted in zip(rows, stats.holm([t["p"] for _, _, t in rows])):
    t["p_holm"] = adjusted
  return rows


def verdict(t: dict) -> str:
  if not t["p_holm"] < stats.ALPHA:
    return f"not detected (could detect ≥ {t['mde']:.3f})"
  return "joint better" if t["mean"] > 0 else "single-task better"


def render(raw: dict) -> str:
  lines = ["# Same clips, both labels: joint vs single-task on 4q_dev", "",
           "Generated by `experiments/real_music/same_clip.py` from `same_clip_results.json`. "
           "450 clips, each with its quadrant and its AllMusic genres; 5 artist-grouped folds "
           f"on each of split seeds {', '.join(map(str, SEEDS))}. Mean ± SD (ddof 1) over the "
           "15 folds. Every arm sees the same clips and folds and takes the same optimizer "
           "steps (40 epochs of the same 360 training clips), so the comparison is "
           "compute-matched.", ""]
  for head, (primary, secondary) in HEADS.items():
    metrics = (primary, *secondary)
    lines += [f"## {head}", "", "| arm | " + " | ".join(LABELS[m] for m in metrics) + " |",
              "|---|" + "---|" * len(metrics)]
    for arm in ("joint", head):
      lines.append(f"| {ARMS[arm]} | " + " | ".join(
          _cell(_values(raw, arm, head, m).values()) for m in metrics) + " |")
    lines.append("")
  lines += ["## Does the other head help? (primary metrics)", "",
            "Corrected resampled t-test over the 15 paired folds; Holm over the two tests.", "",
            "![joint − alone per fold](same_clip_differences.png)", "",
            "| head | metric | joint − alone [95% CI] | d_z | p | p (Holm) | verdict |",
            "|---|---|---|---|---|---|---|"]
  for head, metric, t in comparisons(raw):
    lines.append(f"| {head} | {LABELS[metric]} | {t['mean']:+.3f} [{t['ci_low']:+.3f}, "
                 f"{t['ci_high']:+.3f}] | {t['dz']:+.2f} | {t['p']:.3f} | {t['p_holm']:.3f} | "
                 f"{verdict(t)} |")
  lines += ["", "## Genre tags: average precision per AllMusic genre (joint arm)", "",
            "| genre | clips | AP (mean over folds with positives) |", "|---|---|---|"]
  per_class = [r["heads"]["genre_tags"]["per_class_ap"] for r in raw["runs"]
               if r["arm"] == "joint" and r["seed"] in SEEDS and "genre_tags" in r["heads"]]
  for genre in sorted(per_class[0] if per_class else (),
                      key=lambda g: -np.nanmean([p[g] if p[g] is not None else np.nan
                                                 for p in per_class])):
    values = [p[genre] for p in per_class if p[genre] is not None]
    lines.append(f"| {genre} | {raw.get('clips_per_genre', {}).get(genre, '')} | "
                 f"{np.mean(values):.3f} ({len(values)} folds) |" if values else
                 f"| {genre} | | – |")
  return "\n".join(lines) + "\n"


def draw(raw: dict, path: pathlib.Path) -> None:
  """Per-fold joint − alone differences of each head's primary metric, with the mean and its
  corrected 95% CI; the axis is the differences' own scale, with 0 marked."""
  import matplotlib
  matplotlib.use("Agg")
  import matplotlib.pyplot as plt
  fig, ax = plt.subplots(figsize=(6.4, 3.4))
  for row, (head, metric, t) in enumerate(comparisons(raw)):
    joint, alone = _values(raw, "joint", head, metric), _values(raw, head, head, metric)
    diffs = [joint[k] - alone[k] for k in sorted(set(joint) & set(alone))]
    jitter = np.linspace(-0.12, 0.12, len(diffs))
    ax.scatter(diffs, row + jitter, s=12, alpha=0.5, color="grey",
               label="one fold" if row == 0 else None)
    ax.errorbar([t["mean"]], [row], xerr=[[t["mean"] - t["ci_low"]], [t["ci_high"] - t["mean"]]],
                fmt="o", color="C0", capsize=5,
                label="mean, corrected 95% CI" if row == 0 else None)
  heads = [f"{h} ({LABELS[m]})" for h, m, _ in comparisons(raw)]
  ax.set_yticks(range(len(heads)), heads)
  ax.axvline(0, color="black", lw=0.8)
  ax.set_xlabel("joint − single-task, per fold")
  ax.set_title("Same 4Q clips: does training the other head help?")
  ax.set_ylim(-0.5, len(heads) - 0.5)
  ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.22), ncol=2, fontsize=8, frameon=False)
  fig.tight_layout()
  fig.savefig(path, dpi=120)
  plt.close(fig)


def clips_per_genre(data: pathlib.Path) -> dict:
  import csv
  counts = {}
  with (data / "4q_dev" / "metadata.csv").open(newline="", encoding="utf-8-sig") as fh:
    for row in csv.DictReader(fh):
      for g in row["GenresStr"].split(";"):
        if g.strip():
          counts[g.strip()] = counts.get(g.strip(), 0) + 1
  return counts


def main(argv=None) -> int:
  parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
  parser.add_argument("--runs", default="runs/same_clip")
  parser.add_argument("--data", default="../shared/data")
  parser.add_argument("--check", action="store_true")
  args = parser.parse_args(argv)
  if args.check:
    return generated.check(RAW, REPORT, render)
  raw = collect(pathlib.Path(args.runs))
  raw["clips_per_genre"] = clips_per_genre(pathlib.Path(args.data).expanduser())
  return generated.write(raw, RAW, REPORT, render, draw, FIGURE)


if __name__ == "__main__":
  sys.exit(main())
