"""The real-music results folder re-renders through its analyses (jmer.experiments.analyses,
mapped by the folder's analyses.json), the model card's numbers with it, and a changed raw
number is caught by experiments/recompute.py, naming the file."""

import json
import os
import pathlib
import shutil
import subprocess
import sys

import numpy as np
import pytest
from scipy import stats as scipy_stats

from jmer.experiments import analyses
from jmer.experiments.analyses import files
from jmer.experiments.analyses import shipped_recipe
from tests.conftest import REPO

RESULTS = REPO / "experiments" / "results" / "real_music"
# Every committed results folder that analyses (not a suite report) render.
ANALYSIS_FOLDERS = sorted(p.parent for p in (REPO / "experiments" / "results").glob(
    f"*/{files.MANIFEST}"))


def _folder_of(name: str) -> pathlib.Path:
  return next(f for f in ANALYSIS_FOLDERS
              if any(e["analysis"] == name for e in files.read_manifest(f)))


def _raw(name: str) -> dict:
  entry = next(e for e in files.read_manifest(RESULTS) if e["analysis"] == name)
  return json.loads((RESULTS / entry["raw"]).read_text())


def test_every_committed_file_maps_to_an_analysis():
  found = set()
  for folder in ANALYSIS_FOLDERS:
    named = {files.MANIFEST}
    if (folder / "raw_results.json").is_file():  # a suite's own report beside its analyses
      named |= {"raw_results.json", "REPORT.md", "figures"}
    for entry in files.read_manifest(folder):
      named |= {entry["raw"], entry["report"], entry.get("figure")}
      found.add(entry["analysis"])
    assert {p.name for p in folder.iterdir()} == named - {None}, folder
  assert found == set(analyses.ANALYSES)


def test_reports_and_model_card_recompute_from_the_raw_results():
  assert files.check(RESULTS, REPO) == []


def test_card_cells_are_the_reported_seeds_fold_means():
  raw = _raw("shipped_recipe")
  folds = [r["tasks"]["quadrant"]["macro_f1"] for r in raw["runs"]
           if r["heads"] == "joint" and r["seed"] in (1, 2, 3)]
  mean, sd = np.mean(folds), np.std(folds, ddof=1)  # sample SD, as the card says
  assert f"{mean:.3f} ± {sd:.3f} (n={len(folds)})" in shipped_recipe.card_block(raw)


def test_pooled_macro_f1_of_a_hand_made_confusion():
  # Five folds of a 3-class task that pool to [[3,1,0],[0,2,0],[1,0,1]] (rows true):
  # F1 = 2TP / (row + column): class 0: 6/(4+4) = 0.75, class 1: 4/(2+3) = 0.8,
  # class 2: 2/(2+1) = 2/3; macro-F1 = (0.75 + 0.8 + 2/3) / 3 = 0.738889.
  zero = [[0, 0, 0], [0, 0, 0], [0, 0, 0]]
  folds = [[[2, 1, 0], [0, 1, 0], [0, 0, 1]], [[1, 0, 0], [0, 1, 0], [1, 0, 0]], zero, zero, zero]
  runs = [dict(heads="joint", seed=1, fold=f, tasks={"genre": dict(confusion=c)})
          for f, c in enumerate(folds)]
  assert np.isclose(shipped_recipe.pooled_f1(dict(runs=runs), "joint", "genre", (1,))[0],
                    0.738889)
  assert shipped_recipe.pooled_f1(dict(runs=runs[:4]), "joint", "genre", (1,)) == []


def test_readme_quotes_the_shipped_models_macro_f1_as_the_report_gives_it():
  raw = _raw("shipped_recipe")
  readme = (REPO / "README.md").read_text()
  for task in shipped_recipe.TASKS:
    folds = [r["tasks"][task]["macro_f1"] for r in raw["runs"]
             if r["heads"] == "joint" and r["seed"] in shipped_recipe.REPORTED_SEEDS]
    assert shipped_recipe.cell(folds).split(" (n=")[0] in readme, task


def _change_a_number(name: str, raw: dict) -> None:
  """Sets a number the report prints to something else."""
  if name == "probe_levers":
    raw["rows"][0]["fold_macro_f1"] = [0.99] * len(raw["rows"][0]["fold_macro_f1"])
  elif name == "same_clip":
    for r in raw["runs"]:
      if r["arm"] == "joint" and "quadrant" in r["heads"]:
        r["heads"]["quadrant"]["macro_f1"] = 0.0
  elif name == "calibration":  # the first fold's genre head says nothing: uniform
    run = next(r for r in raw["runs"] if r["head"] == "genre")
    run["log_p"] = [[-2.3026] * len(row) for row in run["log_p"]]
  elif name == "ensemble":
    for r in raw["runs"]:
      r["ensemble_macro_f1"] = 0.0
  elif name == "mood_networks":
    raw["cost"]["median_seconds_per_clip"]["moods"] = 99.0
  elif name == "av_heads":
    raw["four_q"]["sources"]["deam"]["arousal"] = 0.0
  elif name == "cross_dataset_genre":  # every 4Q clip called metal
    for r in raw["runs"]:
      r["clips_4q"] = [[clip, tags, "metal"] for clip, tags, _ in r["clips_4q"]]
  elif name in ("levers", "shipped_recipe"):
    for r in raw["runs"]:
      for task in r["tasks"].values():
        task["macro_f1"] = 0.0
  else:
    raw["runs"][0]["macro_f1"] = 0.0


@pytest.mark.slow  # one recompute per analysis: ~25 s; the unchanged-files check stays fast
@pytest.mark.parametrize("name", list(analyses.ANALYSES))
def test_recompute_finds_a_changed_raw_number_and_names_the_file(name, tmp_path):
  source = _folder_of(name)
  folder = tmp_path / source.name
  shutil.copytree(source, folder)
  entry = next(e for e in files.read_manifest(folder) if e["analysis"] == name)
  raw = json.loads((folder / entry["raw"]).read_text())
  _change_a_number(name, raw)
  (folder / entry["raw"]).write_text(json.dumps(raw))
  assert [p for p, _ in files.check(folder, REPO)][:1] == [folder / entry["report"]]
  if name in ("shipped_recipe", "calibration"):  # the model card's numbers come from it too
    assert [p for p, _ in files.check(folder, REPO)] == [folder / entry["report"],
                                                          REPO / "docs" / "model_card.md"]


def test_recompute_exits_non_zero_naming_the_drifted_report(tmp_path):
  folder = tmp_path / "real_music"
  shutil.copytree(RESULTS, folder)
  raw = json.loads((folder / "levers_results.json").read_text())
  _change_a_number("levers", raw)
  (folder / "levers_results.json").write_text(json.dumps(raw))
  result = subprocess.run([sys.executable, "-P", str(REPO / "experiments" / "recompute.py"),
                           str(folder)], capture_output=True, text=True, cwd=REPO,
                          env=dict(os.environ, PYTHONPATH=str(REPO)))
  assert result.returncode == 1, result.stderr
  assert f"DRIFT {folder / 'LEVERS.md'}" in result.stdout
  assert f"ok    {folder / 'REPORT.md'}" in result.stdout


def test_same_clip_cells_and_test_follow_the_raw_folds():
  raw = _raw("same_clip")
  pairs = {}
  for r in raw["runs"]:
    if r["seed"] in (1, 2, 3) and r["arm"] in ("joint", "quadrant"):
      pairs.setdefault((r["seed"], r["fold"]), {})[r["arm"]] = r["heads"]["quadrant"]["macro_f1"]
  joint = [p["joint"] for p in pairs.values()]
  report = (RESULTS / "SAME_CLIP.md").read_text()
  assert f"| joint (quadrant + genre tags) | {np.mean(joint):.3f} ± {np.std(joint, ddof=1):.3f}" \
      in report
  # The corrected resampled t-test by hand: se = sd·sqrt(1/n + n_test/n_train).
  d = np.array([p["joint"] - p["quadrant"] for p in pairs.values()])
  runs = [r for r in raw["runs"] if r["arm"] == "joint" and r["seed"] in (1, 2, 3)]
  ratio = np.mean([r["heads"]["quadrant"]["n_test"] for r in runs]) / np.mean(
      [r["n_train"] for r in runs])
  se = d.std(ddof=1) * np.sqrt(1 / len(d) + ratio)
  p = 2 * scipy_stats.t.sf(abs(d.mean() / se), len(d) - 1)
  assert f"| quadrant | macro-F1 | {d.mean():+.3f} " in report and f"| {p:.3f} |" in report
