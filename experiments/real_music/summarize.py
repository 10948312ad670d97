r"""The shipped real-music model's cross-validation: raw results, then its report from them.

  # 1. the runs (tools/build_real_model.py --cv), per split seed and heads:
  python tools/build_real_model.py --data=../shared/data --cv --split-seeds=0,1,2,3 --heads=joint
  python tools/build_real_model.py --data=../shared/data --cv --split-seeds=0,1,2,3 --heads=genre
  python tools/build_real_model.py --data=../shared/data --cv --split-seeds=0,1,2,3 --heads=quadrant
  # 2. collect them (per-fold metrics, per-track predictions) and write the report:
  python experiments/real_music/summarize.py --runs=runs/real_music
  # 3. regenerate the report (and the model card's numbers) from the committed raw file
  #    (experiments/results/real_music/crossval_results.json) alone; exit 1 if either drifted:
  python experiments/real_music/summarize.py --check

Protocol: split seed 0 is the *selection* split (joint vs single-task heads were compared
there to choose what ships); the reported numbers are split seeds 1–3 (3 × 5 artist-grouped
folds), which played no part in the choice. Comparisons use the corrected resampled t-test
(Nadeau & Bengio 2003; jmer.experiments.significance), macro-F1 primary, "mean ± SD" with the sample
SD over folds, and say "not detected (MDE x)" where the test cannot tell.
"""

import argparse
import csv
import json
import math
import pathlib
import sys

import numpy as np

REPO = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import generated  # noqa: E402
from jmer.tasks import labels  # noqa: E402
from jmer.experiments import significance  # noqa: E402

OUT = REPO / "experiments" / "results" / "real_music"
RAW = OUT / "crossval_results.json"  # one recipe's CV, not a suite (experiments/recompute.py)
REPORT = OUT / "REPORT.md"
SELECTION_SEEDS, REPORTED_SEEDS = (0,), (1, 2, 3)
# task -> (dataset key in metrics.json per_dataset, label of the data set, class names)
TASKS = {"genre": ("manifest", "gtzan_real (296 usable clips, 97 artists)", labels.GTZAN_GENRES),
         "quadrant": ("folder", "4q_dev (450 clips, 343 artists)", labels.QUADRANTS)}
HEADS = {"joint": "joint (both heads, masked loss): shipped",
         "genre": "genre head alone", "quadrant": "quadrant head alone",
         "genre_matched": "genre head alone, the joint model's optimizer steps",
         "quadrant_matched": "quadrant head alone, the joint model's optimizer steps"}
# The single-task arms at equal epochs (40) and at the joint model's optimizer steps: the joint
# model takes ~37 steps an epoch (GTZAN's ~237 + 4Q's 360 training clips, batch 16), the genre
# head alone ~14 and the quadrant head alone 22, so the matched arms train 105 and 67 epochs.
MATCHED_EPOCHS = {"genre": 105, "quadrant": 67}
BY_TRACK = "genre_by_track"  # the genre head alone, GTZAN folds by track (artists leak)
METRICS = ("macro_f1", "accuracy", "roc_auc_ovr")


def collect(runs: pathlib.Path) -> dict:
  """Reads every cv_<heads>_seed<k>/fold_<i> run under `runs` into the raw-results dict."""
  out, predictions = [], {}
  for fold_dir in sorted(runs.glob("cv_*_seed*/fold_*")):
    if not (fold_dir / "metrics.json").is_file():
      continue  # still training
    heads, seed = fold_dir.parent.name[3:].rsplit("_seed", 1)
    report = json.loads((fold_dir / "metrics.json").read_text())
    per = report["data"]["per_dataset"]
    entry = dict(heads=heads, seed=int(seed), fold=int(fold_dir.name.split("_")[1]), tasks={})
    for task, (dataset, _, _) in TASKS.items():
      m = report["per_dataset"].get(dataset, {}).get(task)
      if m is None:
        continue
      entry["tasks"][task] = dict(
          {k: _clean(m.get(k)) for k in METRICS}, n_test=m["n"],
          n_train=per[dataset]["train"]["tracks"], confusion=m["confusion_matrix"])
    out.append(entry)
    with (fold_dir / "test_predictions.csv").open(newline="") as f:
      rows = [[r["dataset"], r["track_id"].split("/")[-1], r["true_genre"] or r["true_quadrant"],
               r["pred_genre"] if r["dataset"] == "manifest" else r["pred_quadrant"]]
              for r in csv.DictReader(f)]
    predictions[f"{heads}/{seed}/{entry['fold']}"] = rows
  if not out:
    raise FileNotFoundError(f"{runs}: no cv_<heads>_seed<k>/fold_<i> runs")
  return dict(format=1, source=f"tools/build_real_model.py --cv runs ({runs.name})",
              runs=out, predictions=dict(columns=["dataset", "clip", "true", "pred"],
                                         runs=predictions))


def _clean(value):
  return None if value is None or (isinstance(value, float) and not math.isfinite(value)) \
      else round(float(value), 4)


def _values(raw, heads, task, metric, seeds) -> dict:
  """{(seed, fold): value} of one metric."""
  return {(r["seed"], r["fold"]): r["tasks"][task][metric] for r in raw["runs"]
          if r["heads"] == heads and r["seed"] in seeds and task in r["tasks"]
          and r["tasks"][task][metric] is not None}


def _pooled_f1(raw, heads, task, seeds) -> list:
  """Macro-F1 of each seed's 5 folds pooled into one confusion matrix (every class present)."""
  out = []
  for seed in seeds:
    mats = [np.array(r["tasks"][task]["confusion"]) for r in raw["runs"]
            if r["heads"] == heads and r["seed"] == seed and task in r["tasks"]]
    if len(mats) < 5:
      continue
    total = sum(mats)
    tp, rows, cols = np.diag(total), total.sum(1), total.sum(0)
    present = rows > 0
    f1 = 2 * tp[present] / np.maximum(rows[present] + cols[present], 1)
    out.append(float(f1.mean()))
  return out


def _cell(values) -> str:
  mean, sd, n = significance.mean_sd(list(values))
  if n == 0:
    return "–"
  return f"{mean:.3f} (n=1)" if n == 1 else f"{mean:.3f} ± {sd:.3f} (n={n})"


def card_block(raw: dict) -> str:
  """The model card's numbers (docs/model_card.md, between its CARD markers), from raw."""
  rows = ["| task (data, artist-grouped folds) | macro-F1 | accuracy | ROC-AUC | "
          "pooled macro-F1 |", "|---|---|---|---|---|"]
  for task, (_, data, _) in TASKS.items():
    pooled = _pooled_f1(raw, "joint", task, REPORTED_SEEDS)
    rows.append(f"| {task} ({data}) | "
                + " | ".join(_cell(_values(raw, "joint", task, m, REPORTED_SEEDS).values())
                             for m in METRICS) + f" | {_cell(pooled)} |")
  folds = len({(r["seed"], r["fold"]) for r in raw["runs"]
               if r["heads"] == "joint" and r["seed"] in REPORTED_SEEDS})
  expect = []
  for task, what in (("quadrant", "4Q-like 30 s previews"), ("genre", "the 10 GTZAN genres")):
    mean, sd, _ = significance.mean_sd(list(_values(raw, "joint", task, "macro_f1",
                                             REPORTED_SEEDS).values()))
    pooled, _, _ = significance.mean_sd(_pooled_f1(raw, "joint", task, REPORTED_SEEDS))
    low, high = f"{min(mean, pooled):.2f}", f"{max(mean, pooled):.2f}"
    expect.append(f"- **{task}** ({what}): macro-F1 about "
                  + (low if low == high else f"{low}–{high} (pooled to per-fold mean)")
                  + f", a fold's score varying by about ±{sd:.2f}.")
  return "\n".join([f"Split seeds {', '.join(map(str, REPORTED_SEEDS))} ({folds} folds, none "
                    "used to choose anything), mean ± SD over folds:", ""] + rows
                   + ["", "Expected on songs by artists it has not heard (the claim a larger "
                      "set by other artists can test):", ""] + expect)


CARD = REPO / "docs" / "model_card.md"
CARD_START, CARD_END = "<!-- CARD:start (experiments/real_music/summarize.py) -->", "<!-- CARD:end -->"


def card_text(raw: dict, card: str) -> str:
  """`card` with the block between its markers replaced by card_block(raw)."""
  head, rest = card.split(CARD_START, 1)
  _, tail = rest.split(CARD_END, 1)
  return f"{head}{CARD_START}\n{card_block(raw)}\n{CARD_END}{tail}"


def _comparison(raw, task, seeds, alone_heads) -> dict | None:
  """The corrected resampled t-test of joint − `alone_heads` on `task`'s macro-F1."""
  runs = [r["tasks"][task] for r in raw["runs"] if r["heads"] == "joint" and r["seed"] in seeds
          and task in r["tasks"]]
  if not runs:
    return None
  t = generated.paired_fold_test(_values(raw, "joint", task, "macro_f1", seeds),
                                 _values(raw, alone_heads, task, "macro_f1", seeds),
                                 n_train=[r["n_train"] for r in runs],
                                 n_test=[r["n_test"] for r in runs])
  return t if t["n"] >= 2 else None


def _comparison_rows(raw, seeds) -> list:
  """Joint − single-task rows at both budgets, Holm over the rows (one question)."""
  tests = [(task, budget, _comparison(raw, task, seeds, heads))
           for task in TASKS for budget, heads in (("equal epochs", task),
                                                   ("equal steps", f"{task}_matched"))]
  tests = [(task, budget, t) for task, budget, t in tests if t is not None]
  rows = []
  for (task, budget, t), p_holm in zip(tests, significance.holm([t["p"] for _, _, t in tests])):
    verdict = (("joint better" if t["mean"] > 0 else "single-task better")
               if p_holm < significance.ALPHA else f"not detected (MDE {t['mde']:.3f})")
    rows.append(f"| {task} | {budget} | {t['mean']:+.3f} [{t['ci_low']:+.3f}, "
                f"{t['ci_high']:+.3f}] | {t['p']:.3f} | {p_holm:.3f} | {t['n']} | {verdict} |")
  return rows


def render(raw: dict) -> str:
  """REPORT.md from the raw results alone."""
  lines = ["# The shipped real-music model: cross-validation", "",
           "Generated by `experiments/real_music/summarize.py` from `crossval_results.json` "
           "(do not edit). Recipe: `configs/real_music.py` (frozen MSD- and MTT-musicnn "
           "embeddings, one pooled branch each, late fusion, genre + quadrant heads, 40 epochs evaluated at the last, "
           "class-balanced genre loss). Folds: 5 per split seed, grouped by artist on both "
           "sets; each dataset keeps its own folds, so joint and single-task rows of one "
           "seed score exactly the same test clips.", "",
           "**Protocol.** Split seed 0 is the selection split: the choices of the recipe "
           "(joint or single-task heads; one pretrained network or two, LEVERS.md) were made "
           "there. The headline is split seeds 1–3 "
           "(15 folds), which played no part in any choice. Cells are mean ± SD (sample SD, "
           "ddof = 1) over folds; macro-F1 averages the classes present in a fold's test "
           "clips. *Pooled* macro-F1 pools a seed's 5 test folds into one confusion matrix "
           "(every class present), then averages over seeds.", ""]
  for title, seeds in (("Reported: split seeds 1–3", REPORTED_SEEDS),
                       ("Selection: split seed 0", SELECTION_SEEDS)):
    lines += [f"## {title}", "", "| heads | task (data) | macro-F1 | accuracy | ROC-AUC | "
              "pooled macro-F1 |", "|---|---|---|---|---|---|"]
    for heads, label in HEADS.items():
      for task, (_, data, _) in TASKS.items():
        if heads not in ("joint", task, f"{task}_matched"):
          continue
        pooled = _pooled_f1(raw, heads, task, seeds)
        if not _values(raw, heads, task, "macro_f1", seeds):
          continue
        lines.append(f"| {label} | {task} ({data}) | "
                     + " | ".join(_cell(_values(raw, heads, task, m, seeds).values())
                                  for m in METRICS)
                     + f" | {_cell(pooled)} |")
    lines += ["", "Joint − single-task, macro-F1, corrected resampled t-test (95% CI), Holm "
              "over the rows; the single-task head trained for the same 40 epochs, or for the "
              f"joint model's optimizer steps ({MATCHED_EPOCHS['genre']} epochs genre, "
              f"{MATCHED_EPOCHS['quadrant']} quadrant):", "",
              "| task | single-task budget | difference [95% CI] | p | p (Holm) | folds | "
              "verdict |", "|---|---|---|---|---|---|---|"]
    lines += _comparison_rows(raw, seeds) + [""]
  lines += _track_vs_artist(raw, REPORTED_SEEDS)
  lines += _confusions(raw, REPORTED_SEEDS)
  return "\n".join(lines) + "\n"


def _pooled_accuracy(raw, heads, task, seeds) -> list:
  out = []
  for seed in seeds:
    mats = [np.array(r["tasks"][task]["confusion"]) for r in raw["runs"]
            if r["heads"] == heads and r["seed"] == seed and task in r["tasks"]]
    if len(mats) == 5:
      total = sum(mats)
      out.append(float(np.trace(total) / total.sum()))
  return out


def _track_vs_artist(raw, seeds) -> list:
  """How much GTZAN folds by track overstate the genre head (the older protocol)."""
  done = [s for s in seeds if len(_pooled_f1(raw, BY_TRACK, "genre", (s,))) == 1
          and len(_pooled_f1(raw, "genre", "genre", (s,))) == 1]
  if not done:
    return []
  lines = ["## GTZAN folds by track vs by artist (genre head alone)", "",
           "The same 296 usable clips and recipe; only the folds differ: by track (artists can "
           "sit on both sides, the older protocol) or grouped by artist. Each seed's 5 test "
           "folds cover every clip once, so the pooled scores of one seed compare the same "
           f"clips; difference = by track − by artist, per seed (split seeds {done}).", "",
           "| metric | folds by track | folds by artist | difference per seed | mean difference |",
           "|---|---|---|---|---|"]
  for label, fn in (("pooled macro-F1", _pooled_f1), ("pooled accuracy", _pooled_accuracy)):
    by_track, by_artist = fn(raw, BY_TRACK, "genre", done), fn(raw, "genre", "genre", done)
    diffs = [a - b for a, b in zip(by_track, by_artist)]
    lines.append(f"| {label} | {_cell(by_track)} | {_cell(by_artist)} | "
                 + ", ".join(f"{d:+.3f}" for d in diffs) + f" | {np.mean(diffs):+.3f} |")
  per_fold = _values(raw, BY_TRACK, "genre", "macro_f1", done)
  lines += ["", f"Per-fold macro-F1 with folds by track: {_cell(per_fold.values())}. With "
            f"{len(done)} seed(s) this is a measured size, not a test.", ""]
  return lines


def _confusions(raw, seeds) -> list:
  lines = ["## Confusions of the shipped (joint) recipe, split seeds 1–3 pooled", ""]
  for task, (_, data, names) in TASKS.items():
    mats = [np.array(r["tasks"][task]["confusion"]) for r in raw["runs"]
            if r["heads"] == "joint" and r["seed"] in seeds and task in r["tasks"]]
    if not mats:
      continue
    total = sum(mats)
    lines += [f"**{task}** ({data}; rows true, columns predicted; counts over "
              f"{len(mats)} folds):", "",
              "| | " + " | ".join(names) + " | recall |", "|---" * (len(names) + 2) + "|"]
    for i, name in enumerate(names):
      recall = total[i, i] / total[i].sum() if total[i].sum() else float("nan")
      lines.append(f"| {name} | " + " | ".join(str(int(v)) for v in total[i])
                   + f" | {recall:.2f} |")
    off = [(int(total[i, j] + total[j, i]), names[i], names[j]) for i in range(len(names))
           for j in range(i + 1, len(names))]
    worst = ", ".join(f"{a} ↔ {b} ({n})" for n, a, b in sorted(off, reverse=True)[:3])
    lines += ["", f"Most confused pairs: {worst}.", ""]
  return lines


def main(argv=None) -> int:
  parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
  parser.add_argument("--runs", help="collect runs from this folder (else read the raw file)")
  parser.add_argument("--check", action="store_true",
                      help="regenerate REPORT.md and the model card's numbers from the raw file; exit 1 "
                      "if either differs")
  args = parser.parse_args(argv)
  if args.runs:
    OUT.mkdir(parents=True, exist_ok=True)
    RAW.write_text(json.dumps(collect(pathlib.Path(args.runs)), indent=0) + "\n")
  raw = json.loads(RAW.read_text())
  text, card = render(raw), card_text(raw, CARD.read_text())
  if args.check:
    stale = [p for p, t in ((REPORT, text), (CARD, card)) if p.read_text() != t]
    for path in stale:
      print(f"{path} differs from what {RAW.name} gives: regenerate it", file=sys.stderr)
    if not stale:
      print(f"{REPORT} and {CARD}'s numbers recompute from {RAW.name}")
    return 1 if stale else 0
  REPORT.write_text(text)
  CARD.write_text(card)
  print(f"Wrote {REPORT}" + (f" and {RAW}" if args.runs else ""))
  return 0


if __name__ == "__main__":
  sys.exit(main())
