r"""Regenerates every committed report from its raw results and checks it has not drifted.

  PYTHONPATH=. python -P experiments/recompute.py            # check: exit 1 on any drift
  PYTHONPATH=. python -P experiments/recompute.py --write    # rewrite the reports and figures

One code path per kind of result folder under experiments/results/, both from raw files alone
(no run dirs, no training, no script per report):
- a suite folder (raw_results.json) is rendered by jmer.experiments.report into REPORT.md;
- an analysis folder (analyses.json, e.g. real_music/) maps each report to its analysis
  (jmer.experiments.analyses) and raw file; each is rendered by the registry's analysis, and so
  is any generated block of a document it names (the model card's numbers).
The Markdown must equal the committed files byte for byte. Figures are redrawn only with
--write (their bytes depend on the matplotlib build, so they are not compared).
"""

import argparse
import difflib
import pathlib
import sys

from jmer.experiments import raw_results
from jmer.experiments import report
from jmer.experiments.analyses import files as analysis_files

REPO = pathlib.Path(__file__).resolve().parent.parent
RESULTS = REPO / "experiments" / "results"


def folders(root: pathlib.Path) -> list:
  """The result folders under root that hold a raw-results file or an analyses.json, sorted."""
  return sorted({p.parent for name in (raw_results.FILE_NAME, analysis_files.MANIFEST)
                 for p in root.glob(f"*/{name}")})


def recompute(folder: pathlib.Path, write: bool = False) -> list:
  """Renders a suite folder's report from its raw results; returns the diff against REPORT.md
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


def check_folder(folder: pathlib.Path, write: bool = False) -> list:
  """[(path, diff lines)] of every report (and document) of a result folder that drifted;
  with write, everything is rewritten and [] returned."""
  drifted = []
  if (folder / raw_results.FILE_NAME).is_file():
    diff = recompute(folder, write=write)
    drifted += [(folder / "REPORT.md", diff)] if diff else []
  if write:
    for entry in analysis_files.read_manifest(folder):
      analysis_files.render_entry(folder, entry, REPO)
  else:
    drifted += analysis_files.check(folder, REPO)
  return drifted


def checked_files(folder: pathlib.Path) -> list:
  """The reports and documents check_folder compares for a folder."""
  paths = [folder / "REPORT.md"] if (folder / raw_results.FILE_NAME).is_file() else []
  for entry in analysis_files.read_manifest(folder):
    paths += [folder / entry["report"]] + [REPO / d for d in entry.get("documents", ())]
  return paths


def main(argv=None) -> int:
  parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
  parser.add_argument("folders", nargs="*", help="result folders (default: every folder under "
                      f"experiments/results with a {raw_results.FILE_NAME} or "
                      f"{analysis_files.MANIFEST})")
  parser.add_argument("--write", action="store_true", help="rewrite the reports")
  args = parser.parse_args(argv)
  targets = [pathlib.Path(f) for f in args.folders] or folders(RESULTS)
  if not targets:
    print(f"no {raw_results.FILE_NAME} or {analysis_files.MANIFEST} under {RESULTS}",
          file=sys.stderr)
    return 1
  drifted = 0
  for folder in targets:
    if not checked_files(folder):
      drifted += 1
      print(f"NOTHING {folder} holds neither {raw_results.FILE_NAME} nor {analysis_files.MANIFEST}")
      continue
    found = dict(check_folder(folder, write=args.write))
    for path in checked_files(folder):
      if path in found:
        drifted += 1
        print(f"DRIFT {path} differs from what its raw results give:")
        print("\n".join(found[path][:40]) + ("\n..." if len(found[path]) > 40 else ""))
      else:
        print(f"{'wrote' if args.write else 'ok   '} {path}")
  return 1 if drifted else 0


if __name__ == "__main__":
  sys.exit(main())
