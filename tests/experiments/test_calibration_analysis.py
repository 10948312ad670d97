"""The calibration analysis: each fold's temperature comes from the other folds only, the report's
ECE cells are the pooled seeds' ECE, and the shipped temperature is fitted on every fold."""

import numpy as np
import pytest

from jmer.evaluation import calibration as calibration_lib
from jmer.experiments.analyses import calibration
from jmer.tasks import labels

TRUE_T = {"genre": 1.5, "quadrant": 2.0}  # how overconfident the synthetic heads are


def _raw(seed: int = 0, n_per_fold: int = 200) -> dict:
  """3 split seeds x 5 folds of both heads, each head's logits TRUE_T times the honest ones."""
  rng = np.random.default_rng(seed)
  runs = []
  for split_seed in calibration.SEEDS:
    for fold in range(5):
      for head, (_, classes, _) in calibration.HEADS.items():
        z = rng.normal(scale=1.5, size=(n_per_fold, len(classes)))
        honest = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
        truth = [int(rng.choice(len(classes), p=p)) for p in honest]
        log_p = TRUE_T[head] * z
        log_p -= np.log(np.exp(log_p).sum(axis=1, keepdims=True))
        runs.append(dict(seed=split_seed, fold=fold, head=head,
                         clips=[f"clip{i}" for i in range(n_per_fold)], labels=truth,
                         log_p=np.round(log_p, 4).tolist()))
  return dict(format=1, generator="jmer.experiments.analyses.calibration", source="a test",
              cell="joint", n_bins=15,
              heads={"genre": dict(dataset="gtzan", classes=list(labels.GTZAN_GENRES)),
                     "quadrant": dict(dataset="4q", classes=list(labels.QUADRANTS))},
              runs=runs)


@pytest.fixture(scope="module")
def raw():
  return _raw()


@pytest.fixture(scope="module")
def report(raw):
  return calibration.render(raw)


def test_each_fold_is_calibrated_with_a_temperature_fitted_on_the_other_folds(raw):
  folds = calibration.cross_fitted(raw, "quadrant")
  assert len(folds) == 15
  assert all(t == pytest.approx(2.0, rel=0.15) for t in (f["temperature"] for f in folds))
  # Scrambling fold 0's labels (seed 1) moves the temperatures of seed 1's other folds, never
  # fold 0's own, nor any fold of another seed.
  changed = dict(raw, runs=[dict(r, labels=list(np.roll(r["labels"], 1)))
                            if (r["seed"], r["fold"], r["head"]) == (1, 0, "quadrant") else r
                            for r in raw["runs"]])
  after = calibration.cross_fitted(changed, "quadrant")
  moved = [(f["seed"], f["fold"]) for f, g in zip(folds, after)
           if f["temperature"] != g["temperature"]]
  assert moved == [(1, 1), (1, 2), (1, 3), (1, 4)]


def test_the_report_quotes_the_pooled_ece_before_and_after(raw, report):
  for head in ("genre", "quadrant"):
    folds = calibration.cross_fitted(raw, head)
    before, after = [], []
    for seed in calibration.SEEDS:
      mine = [f for f in folds if f["seed"] == seed]
      truth = np.concatenate([f["labels"] for f in mine])
      before.append(calibration_lib.expected_calibration_error(
          np.concatenate([f["probs"] for f in mine]), truth))
      after.append(calibration_lib.expected_calibration_error(
          np.concatenate([f["calibrated"] for f in mine]), truth))
    cells = [f"{np.mean(v):.3f} ± {np.std(v, ddof=1):.3f} (n=3)" for v in (before, after)]
    assert f"| {cells[0]} | {cells[1]} |" in report, head
    assert np.mean(before) > 0.05 > np.mean(after)


def test_the_shipped_temperature_is_fitted_on_every_fold(raw, report):
  shipped = calibration.shipped_temperatures(raw)
  for head, t in shipped.items():
    rows = [r for r in raw["runs"] if r["head"] == head]
    log_p = np.concatenate([r["log_p"] for r in rows])
    truth = np.concatenate([r["labels"] for r in rows])
    assert t == round(calibration_lib.fit_temperature(np.exp(log_p), truth), 4)
    assert t == pytest.approx(TRUE_T[head], rel=0.05)
    assert f"{head} T = {t:.3f}" in report


def test_the_model_card_block_is_replaced_between_its_markers(raw):
  card = f"before\n{calibration.CARD_START}\nold numbers\n{calibration.CARD_END}\nafter\n"
  text = calibration.card_text(raw, card)
  assert "old numbers" not in text and text.startswith("before\n") and text.endswith("after\n")
  assert calibration.card_block(raw) in text
  with pytest.raises(ValueError, match="no <!-- CALIBRATION:start"):
    calibration.card_text(raw, "a card without the block")


def test_the_tool_records_the_temperatures_the_raw_file_gives(raw, tmp_path):
  import json
  import shutil
  from jmer.models import model_file
  from tests.support import model_files
  from tools import calibrate_model
  results = tmp_path / "calibration_results.json"
  results.write_text(json.dumps(raw))
  model = tmp_path / "model.keras"
  shutil.copyfile(model_files.tiny_model_file("quadrant"), model)
  args = [f"--results={results}", f"--model={model}"]
  assert calibrate_model.main(args + ["--check"]) == 1
  assert calibrate_model.main(args) == 0
  assert calibrate_model.main(args + ["--check"]) == 0
  stored = model_file.read_metadata(model)["calibration"]
  assert stored["temperatures"] == calibration.shipped_temperatures(raw)
  assert stored["source"] == "calibration_results.json"  # outside the repo: no absolute path
  assert stored["clips"] == {"genre": 3000, "quadrant": 3000}
