r"""Regenerates every committed suite report from its raw results and checks it has not drifted.

  PYTHONPATH=. python -P experiments/recompute.py            # check: exit 1 on any drift
  PYTHONPATH=. python -P experiments/recompute.py --write    # rewrite REPORT.md and figures/

The shipped real-music model's cross-validation (experiments/results/real_music, one recipe
rather than a suite) is checked by experiments/real_music/summarize.py, run from here too, and
so are that folder's other reports (LEVER_REPORTS), each by its own script's --check.
Each folder under experiments/results/ with a raw_results.json is rendered by
jmer.experiments.report from that file alone (no run dirs, no training); the Markdown must
equal the committed REPORT.md byte for byte. Figures are redrawn only with --write (their
bytes depend on the matplotlib build, so they are not compared).
"""

import argparse
import difflib
import pathlib
import subprocess
import sys

from jmer.experiments import raw_results
from jmer.experiments import report

RESULTS = pathlib.Path(__file__).resolve().parent / "results"
# experiments/real_music's other reports (levers of the recipe, the same-clip experiment, the
# learning curve, the linear-probe scan), each checked against its raw file.
LEVER_REPORTS = ("levers", "same_clip", "learning_curve", "probe_levers", "ensemble")


def folders(root: pathlib.Path) -> list:
  """The result folders under root that hold a raw-results file, sorted."""
  return sorted(p.parent for p in root.glob(f"*/{raw_results.FILE_NAME}"))


def recompute(folder: pathlib.Path, write: bool = False) -> list:
  """Renders folder's report from its raw results; returns the diff against REPORT.md
  (empty: no drift). With write, REPORT.md and its figures are rewritten instead."""
  raw = raw_results.load(folder / raw_results.FILE_NAME)
  if write:
    (folder / "REPORT.md").write_text(report.render(raw, folder))
    return []
  text = report.render(raw, folder, draw=False)
  committed = folder / "REPORT.md"
  old = committed.read_text() if committed.exists() else ""
  return list(difflib.unified_diff(old.splitlines(), text.splitlines(), str(committed),
                                   "regenerated", lineterm="", n=1))


def main(argv=None) -> int:
  parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
  parser.add_argument("folders", nargs="*", help="result folders (default: every folder under "
                      "experiments/results with a raw_results.json)")
  parser.add_argument("--write", action="store_true", help="rewrite the reports")
  args = parser.parse_args(argv)
  targets = [pathlib.Path(f) for f in args.folders] or folders(RESULTS)
  if not targets:
    print(f"no {raw_results.FILE_NAME} under {RESULTS}", file=sys.stderr)
    return 1
  drifted = 0
  if not args.folders:  # the shipped model's CV (one recipe, its own format) and model card
    summarize = pathlib.Path(__file__).resolve().parent / "real_music" / "summarize.py"
    drifted += subprocess.run([sys.executable, str(summarize)]
                              + ([] if args.write else ["--check"])).returncode != 0
    for name in LEVER_REPORTS:  # their reports render from raw only in --check
      script = summarize.with_name(f"{name}.py")
      drifted += subprocess.run([sys.executable, str(script), "--check"]).returncode != 0
  for folder in targets:
    diff = recompute(folder, write=args.write)
    if diff:
      drifted += 1
      print(f"DRIFT {folder}/REPORT.md differs from its {raw_results.FILE_NAME}:")
      print("\n".join(diff[:40]) + ("\n..." if len(diff) > 40 else ""))
    else:
      print(f"{'wrote' if args.write else 'ok   '} {folder}/REPORT.md")
  return 1 if drifted else 0


if __name__ == "__main__":
  sys.exit(main())
