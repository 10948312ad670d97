r"""Converts a REPORT.md written before raw_results.json existed into that raw-results file.

  PYTHONPATH=. python -P experiments/legacy_raw.py experiments/results/real_dev \
      experiments/real.py --split-seed 0

The run dirs of the earlier suites are gone; what survives is each report's appendix (every
run's metrics, rounded to 3 decimals, epochs and wall time), its data and method text, the
per-fold track counts of the first fold, and the McNemar discordant counts of its comparison
tables. This script keeps exactly that, says so in the raw file's `source`, and names the
figures that were drawn from the run dirs (kept as they are, not regenerable). Per-track
predictions, per-class F1, confusion matrices and loss histories are not recoverable.
"""

import argparse
import os
import pathlib
import re
import sys
import tempfile

from jmer.experiments import raw_results
from jmer.experiments import results
from jmer.experiments import suite as suite_lib

# Which task a dataset of the earlier suites carries.
DATASET_TASKS = {"manifest": ("genre",), "folder": ("quadrant",),
                 "synthetic": ("genre", "quadrant", "emotion_av")}
TRACKS_LINE = re.compile(r"- \*\*(\w+)\*\* tracks per split \(first [^)]*\): train (\d+), "
                         r"val (\d+), test (\d+)\.")
MCNEMAR = re.compile(r"\| `([^`]+)` vs `([^`]+)` \| (\w+) [^|]*\|.*McNemar on (\d+) tracks: "
                     r"(\d+) right only by [^,]+, (\d+) only by ")
KEPT = {"confusion_genre.png": "Genre confusion matrices of each cell's pooled per-track "
                               "predictions (rows: true), drawn from the original run dirs",
        "confusion_quadrant.png": "Quadrant confusion matrices of each cell's pooled per-track "
                                  "predictions (rows: true), drawn from the original run dirs",
        "av_scatter.png": "True vs predicted arousal (red) and valence (blue) per test track, "
                          "drawn from the original run dirs",
        "learning_curves.png": "Training (orange) and validation (blue) loss per epoch, one "
                               "line per repeat, drawn from the original run dirs",
        "fusion_gates.png": "Gated fusion: mean weight each task gives each feature branch, "
                            "drawn from the original run dirs"}


def section(lines: list, title: str) -> list:
  """The lines of `## title` up to the next `## ` heading."""
  start = lines.index(f"## {title}")
  end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")),
             len(lines))
  return lines[start:end]


def table_rows(lines: list, header_start: str) -> list:
  start = next(i for i, line in enumerate(lines) if line.startswith(header_start))
  header = [c.strip() for c in lines[start].strip("|").split("|")]
  rows = []
  for line in lines[start + 2:]:
    if not line.startswith("|"):
      break
    rows.append(dict(zip(header, [c.strip() for c in line.strip("|").split("|")])))
  return rows


def convert(report_path, suite_path, split_seed: int) -> dict:
  """The raw-results dict of an earlier REPORT.md (see the module docstring)."""
  report_path = pathlib.Path(report_path)
  lines = report_path.read_text().splitlines()
  suite = suite_lib.load_suite(suite_path)
  counts = {}
  for line in section(lines, "Data"):
    match = TRACKS_LINE.fullmatch(line.strip())
    if match:
      for task in DATASET_TASKS[match[1]]:
        counts[task] = (int(match[2]), int(match[4]))
  runs = []
  for row in table_rows(lines, "| run | best / total epochs"):
    cell, repeat = row["run"].strip("`").split("/")
    best, total = (int(x) for x in row["best / total epochs"].split("/"))
    metrics = {m.label: float(row[m.label]) for m in results.report_metrics()
               if row.get(m.label, "–") not in ("–", "")}
    tasks = {results.metrics_by_label()[label].task for label in metrics}
    wall = row.get("wall s", "–")
    runs.append(dict(cell=cell, repeat=repeat, split_seed=split_seed, best_epoch=best,
                     epochs_done=total, wall_seconds=None if wall == "–" else float(wall),
                     n_train={t: counts[t][0] for t in sorted(tasks)},
                     n_test={t: counts[t][1] for t in sorted(tasks)},
                     metrics=metrics, per_class_f1={}, confusion={}))
  per_track = {}
  for line in lines:
    match = MCNEMAR.match(line)
    if match:
      a, b, task = match[1], match[2], match[3]
      per_track[(a, b, task)] = dict(a=a, b=b, task=task, n=int(match[4]),
                                     only_a=int(match[5]), only_b=int(match[6]))
  command = re.search(r"run as `([^`]+)`", "\n".join(lines))[1]
  cells = {c: {k: spec[k] for k in ("label", "config", "init_from") if k in spec}
           for c, spec in suite["cells"].items()}
  footer = [l for l in lines if l.startswith("**Package versions**")] + [""] + [
      l for l in lines if l.startswith("**Suite:**")] + [""]
  method = section(lines, "Method")
  demo = re.search(r"\[([^\]]+)\]\(\1\)", "\n".join(lines[:12]))
  figure_dir = report_path.parent / "figures"
  return dict(
      format=raw_results.FORMAT,
      suite=dict(name=suite["name"], file=str(suite_path), command=command, quick=False,
                 description=suite["description"], repeats=suite["repeats"],
                 split_seed=split_seed, cells=cells, experiments=suite["experiments"]),
      source=(f"the appendix of the earlier `{report_path.name}` of this folder (per-run "
              "metrics rounded to 3 decimals; n_train/n_test per fold are the first fold's "
              "counts of its data section; McNemar counts from its comparison tables), "
              "converted by `experiments/legacy_raw.py`: the run dirs are gone, so per-track "
              "predictions, per-class F1, confusion matrices and histories are not in the "
              "raw file"),
      text=dict(data=section(lines, "Data"), method=method, footer=footer),
      runs=runs, predictions=dict(columns=list(raw_results.PREDICTION_COLUMNS), runs={}),
      per_track_counts=list(per_track.values()),
      kept_figures={name: caption for name, caption in KEPT.items()
                    if (figure_dir / name).is_file()},
      **({"demo_video": demo[1]} if demo else {}))


def main(argv=None):
  parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
  parser.add_argument("folder", help="experiments/results/<suite>, holding REPORT.md")
  parser.add_argument("suite", help="the suite file the report came from")
  parser.add_argument("--split-seed", type=int, default=0)
  args = parser.parse_args(argv)
  os.environ.setdefault("JMER_CACHE", tempfile.mkdtemp())  # real.py writes a manifest there
  folder = pathlib.Path(args.folder)
  raw = convert(folder / "REPORT.md", args.suite, args.split_seed)
  path = raw_results.write(raw, folder / raw_results.FILE_NAME)
  print(f"Wrote {path}: {len(raw['runs'])} runs, {len(raw['per_track_counts'])} McNemar counts")
  return 0


if __name__ == "__main__":
  sys.exit(main())
