"""The shipped model's cross-validation report and model card recompute from committed raw
results, and the report's statistics follow its raw numbers."""

import importlib.util
import json

import numpy as np
import pytest

from tests.conftest import REPO


def _summarize():
  spec = importlib.util.spec_from_file_location(
      "summarize_real_music", REPO / "experiments" / "real_music" / "summarize.py")
  module = importlib.util.module_from_spec(spec)
  spec.loader.exec_module(module)
  return module


def test_report_and_model_card_recompute_from_the_raw_results():
  assert _summarize().main(["--check"]) == 0


def test_card_cells_are_the_reported_seeds_fold_means():
  module = _summarize()
  raw = json.loads(module.RAW.read_text())
  folds = [r["tasks"]["quadrant"]["macro_f1"] for r in raw["runs"]
           if r["heads"] == "joint" and r["seed"] in (1, 2, 3)]
  mean, sd = np.mean(folds), np.std(folds, ddof=1)  # sample SD, as the card says
  assert f"{mean:.3f} ± {sd:.3f} (n={len(folds)})" in module.card_block(raw)


def test_a_changed_raw_number_is_caught(tmp_path, monkeypatch):
  module = _summarize()
  raw = json.loads(module.RAW.read_text())
  raw["runs"][0]["tasks"][next(iter(raw["runs"][0]["tasks"]))]["macro_f1"] = 0.0
  changed = tmp_path / "raw_results.json"
  changed.write_text(json.dumps(raw))
  monkeypatch.setattr(module, "RAW", changed)
  assert module.main(["--check"]) == 1


def test_pooled_macro_f1_of_a_hand_made_confusion():
  # Five folds of a 3-class task that pool to [[3,1,0],[0,2,0],[1,0,1]] (rows true):
  # F1 = 2TP / (row + column): class 0: 6/(4+4) = 0.75, class 1: 4/(2+3) = 0.8,
  # class 2: 2/(2+1) = 2/3; macro-F1 = (0.75 + 0.8 + 2/3) / 3 = 0.738889.
  module = _summarize()
  zero = [[0, 0, 0], [0, 0, 0], [0, 0, 0]]
  folds = [[[2, 1, 0], [0, 1, 0], [0, 0, 1]], [[1, 0, 0], [0, 1, 0], [1, 0, 0]], zero, zero, zero]
  runs = [dict(heads="joint", seed=1, fold=f, tasks={"genre": dict(confusion=c)})
          for f, c in enumerate(folds)]
  assert np.isclose(module._pooled_f1(dict(runs=runs), "joint", "genre", (1,))[0], 0.738889)
  assert module._pooled_f1(dict(runs=runs[:4]), "joint", "genre", (1,)) == []  # seed incomplete


def test_readme_quotes_the_shipped_models_macro_f1_as_the_report_gives_it():
  module = _summarize()
  raw = json.loads(module.RAW.read_text())
  readme = (REPO / "README.md").read_text()
  for task in module.TASKS:
    cell = module._cell(module._values(raw, "joint", task, "macro_f1",
                                       module.REPORTED_SEEDS).values())
    assert cell.split(" (n=")[0] in readme, task


def _experiment(name):
  spec = importlib.util.spec_from_file_location(
      f"real_music_{name}", REPO / "experiments" / "real_music" / f"{name}.py")
  module = importlib.util.module_from_spec(spec)
  spec.loader.exec_module(module)
  return module


@pytest.mark.parametrize("name", ["same_clip", "learning_curve", "probe_levers", "levers",
                                  "ensemble"])
def test_lever_reports_recompute_and_catch_a_changed_number(name, tmp_path, monkeypatch):
  module = _experiment(name)
  assert module.main(["--check"]) == 0
  raw = json.loads(module.RAW.read_text())
  rows = raw["rows"] if name == "probe_levers" else raw["runs"]
  if name == "probe_levers":
    rows[0]["fold_macro_f1"] = [0.99] * len(rows[0]["fold_macro_f1"])
  elif name == "same_clip":
    for r in rows:
      if r["arm"] == "joint" and "quadrant" in r["heads"]:
        r["heads"]["quadrant"]["macro_f1"] = 0.0
  elif name == "ensemble":
    for r in rows:
      r["ensemble_macro_f1"] = 0.0
  elif name == "levers":
    for r in rows:
      r["tasks"]["quadrant"]["macro_f1"] = 0.0
  else:
    rows[0]["macro_f1"] = 0.0
  changed = tmp_path / "raw.json"
  changed.write_text(json.dumps(raw))
  monkeypatch.setattr(module, "RAW", changed)
  assert module.main(["--check"]) == 1


def test_same_clip_cells_and_test_follow_the_raw_folds():
  module = _experiment("same_clip")
  raw = json.loads(module.RAW.read_text())
  pairs = {}
  for r in raw["runs"]:
    if r["seed"] in (1, 2, 3) and r["arm"] in ("joint", "quadrant"):
      pairs.setdefault((r["seed"], r["fold"]), {})[r["arm"]] = r["heads"]["quadrant"]["macro_f1"]
  joint = [p["joint"] for p in pairs.values()]
  report = module.REPORT.read_text()
  assert f"| joint (quadrant + genre tags) | {np.mean(joint):.3f} ± {np.std(joint, ddof=1):.3f}" \
      in report
  # The corrected resampled t-test by hand: se = sd·sqrt(1/n + n_test/n_train).
  d = np.array([p["joint"] - p["quadrant"] for p in pairs.values()])
  runs = [r for r in raw["runs"] if r["arm"] == "joint" and r["seed"] in (1, 2, 3)]
  ratio = np.mean([r["heads"]["quadrant"]["n_test"] for r in runs]) / np.mean(
      [r["n_train"] for r in runs])
  se = d.std(ddof=1) * np.sqrt(1 / len(d) + ratio)
  from scipy import stats as scipy_stats
  p = 2 * scipy_stats.t.sf(abs(d.mean() / se), len(d) - 1)
  assert f"| quadrant | macro-F1 | {d.mean():+.3f} " in report and f"| {p:.3f} |" in report
