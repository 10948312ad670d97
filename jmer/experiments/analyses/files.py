"""The one writer and checker of analysis results: a folder's analyses.json maps each committed
file to the analysis that renders it.

analyses.json: {"analyses": [{"analysis": name, "raw": raw file, "report": Markdown file,
"figure": figure file (optional), "documents": [repo-relative files with a generated block]
(optional)}]}. `write` stores one analysis's raw results, renders its report (and figure and
documents) from them and records the entry; `check` re-renders every entry from its raw file
alone and returns what drifted, which is what experiments/recompute.py runs.
"""

import difflib
import json
import pathlib

from jmer.experiments import analyses as registry

MANIFEST = "analyses.json"
ABOUT = ("Which analysis (jmer.experiments.analyses) renders each report of this folder from "
         "which raw file; experiments/recompute.py re-renders them all and fails on drift.")


def read_manifest(folder) -> list:
  """The entries of a folder's analyses.json ([] without one).

  Args:
    folder: a results folder.

  Returns:
    A list of entry dicts, each naming a known analysis.

  Raises:
    UnknownAnalysis: an entry names an analysis the registry does not have.
  """
  path = pathlib.Path(folder) / MANIFEST
  if not path.is_file():
    return []
  entries = json.loads(path.read_text())["analyses"]
  for entry in entries:
    registry.check_name(entry["analysis"])
  return entries


def _write_manifest(folder: pathlib.Path, entries: list) -> None:
  text = json.dumps(dict(about=ABOUT, analyses=entries), ensure_ascii=False, indent=1)
  (folder / MANIFEST).write_text(text + "\n")


def entry_for(name: str, documents=()) -> dict:
  """A manifest entry with the analysis's own file names.

  Args:
    name: the analysis.
    documents: repo-relative files whose generated block the analysis writes.

  Returns:
    The entry dict.
  """
  analysis = registry.get(name)
  entry = dict(analysis=name, raw=analysis.raw_file, report=analysis.report_file)
  if analysis.figure_file:
    entry["figure"] = analysis.figure_file
  if documents:
    entry["documents"] = list(documents)
  return entry


def write(folder, name: str, raw: dict, repo=".") -> list:
  """Writes one analysis's raw results and everything rendered from them; records the entry.

  An entry already in the folder's analyses.json keeps its file names and documents.

  Args:
    folder: the results folder (created if missing).
    name: the analysis.
    raw: its raw results (the analysis's collect).
    repo: the folder the entry's documents are relative to.

  Returns:
    The paths written.
  """
  folder = pathlib.Path(folder)
  folder.mkdir(parents=True, exist_ok=True)
  entries = read_manifest(folder)
  entry = next((e for e in entries if e["analysis"] == name), None)
  if entry is None:
    entry = entry_for(name)
    entries.append(entry)
  analysis = registry.get(name)
  raw_path = folder / entry["raw"]
  raw_path.write_text(json.dumps(raw, indent=analysis.raw_indent) + "\n")
  _write_manifest(folder, entries)
  return [raw_path, *render_entry(folder, entry, repo)]


def render_entry(folder, entry: dict, repo=".") -> list:
  """Rewrites an entry's report, figure and documents from its raw file; returns their paths."""
  folder, analysis = pathlib.Path(folder), registry.get(entry["analysis"])
  raw = json.loads((folder / entry["raw"]).read_text())
  report = folder / entry["report"]
  report.write_text(analysis.render(raw))
  written = [report]
  if entry.get("figure") and analysis.draw is not None:
    analysis.draw(raw, folder / entry["figure"])
    written.append(folder / entry["figure"])
  for document in entry.get("documents", ()):
    path = pathlib.Path(repo) / document
    path.write_text(analysis.update_document(raw, path.read_text()))
    written.append(path)
  return written


def check(folder, repo=".") -> list:
  """Re-renders every entry of a folder's analyses.json from its raw file alone.

  Args:
    folder: the results folder.
    repo: the folder the entries' documents are relative to.

  Returns:
    [(path, unified diff lines)] of each report or document that differs from what its raw
    file gives; [] when nothing drifted. Figures are not compared.
  """
  folder, drifted = pathlib.Path(folder), []
  for entry in read_manifest(folder):
    analysis = registry.get(entry["analysis"])
    raw = json.loads((folder / entry["raw"]).read_text())
    targets = [(folder / entry["report"], False)] + [
        (pathlib.Path(repo) / d, True) for d in entry.get("documents", ())]
    for path, is_document in targets:
      old = path.read_text() if path.is_file() else ""
      try:
        new = analysis.update_document(raw, old) if is_document else analysis.render(raw)
      except ValueError as error:
        drifted.append((path, [f"cannot render it from {entry['raw']}: {error}"]))
        continue
      if new != old:
        drifted.append((path, list(difflib.unified_diff(
            old.splitlines(), new.splitlines(), str(path), f"rendered from {entry['raw']}",
            lineterm="", n=1))))
  return drifted
