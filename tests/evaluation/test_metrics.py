"""Metric values checked against hand-worked examples (arithmetic in the comments)."""

import json
import math
import re

import numpy as np
import pytest
import scipy.stats

from jmer.evaluation import metrics
from jmer.tasks.labels import GTZAN_GENRES, QUADRANTS


# ---------------------------------------------------------------- CCC and friends

def test_ccc_hand_example():
  # t = [0, 1, 2], p = [0, 2, 4]
  # mean_t = 1, mean_p = 2
  # cov    = ((-1)(-2) + 0*0 + 1*2) / 3 = 4/3
  # var_t  = (1 + 0 + 1) / 3 = 2/3 ; var_p = (4 + 0 + 4) / 3 = 8/3 ; (mean_t - mean_p)² = 1
  # CCC    = 2 * 4/3 / (2/3 + 8/3 + 1) = (8/3) / (13/3) = 8/13
  assert metrics.ccc([0, 1, 2], [0, 2, 4]) == pytest.approx(8 / 13)


def test_ccc_identical_shifted_negated():
  y = np.array([0.0, 1.0, 2.0])
  assert metrics.ccc(y, y) == pytest.approx(1.0)
  # p = y + 1: cov = var_t = var_p = 2/3, mean gap² = 1 → 2*(2/3) / (2/3 + 2/3 + 1) = 4/7.
  # Pearson would still say 1: CCC is the one that notices the bias.
  assert metrics.ccc(y, y + 1.0) == pytest.approx(4 / 7)
  assert metrics.pearson_r(y, y + 1.0) == pytest.approx(1.0)
  # Zero-mean vector and its negation: cov = -var, no mean gap → exactly -1.
  z = np.array([-1.0, 0.0, 1.0])
  assert metrics.ccc(z, -z) == pytest.approx(-1.0)


def test_degenerate_inputs_give_nan_not_errors():
  assert math.isnan(metrics.ccc([0.3], [0.1]))
  assert math.isnan(metrics.ccc([], []))
  assert math.isnan(metrics.ccc([0.5, 0.5], [0.5, 0.5]))  # 0/0
  # Different constants: no covariance but a real mean gap → 0, not nan.
  assert metrics.ccc([0.5, 0.5], [0.0, 0.0]) == 0.0
  assert math.isnan(metrics.pearson_r([1.0, 1.0, 1.0], [1.0, 2.0, 3.0]))
  assert math.isnan(metrics.pearson_r([1.0], [2.0]))
  assert math.isnan(metrics.r2([1.0], [2.0]))
  assert math.isnan(metrics.r2([1.0, 1.0], [1.0, 2.0]))
  assert math.isnan(metrics.rmse([], []))


def test_pearson_matches_scipy_and_numpy():
  rng = np.random.default_rng(0)
  t = rng.normal(size=50)
  p = 0.5 * t + rng.normal(size=50)
  expected = scipy.stats.pearsonr(t, p)[0]
  assert metrics.pearson_r(t, p) == pytest.approx(expected)
  assert metrics.pearson_r(t, p) == pytest.approx(np.corrcoef(t, p)[0, 1])


def test_rmse_and_r2_hand_example():
  # t = [0, 1, 2], p = [0, 1, 4]: squared errors 0, 0, 4 → MSE 4/3 → RMSE sqrt(4/3).
  # R² = 1 - SS_res / SS_tot = 1 - 4 / 2 = -1.
  assert metrics.rmse([0, 1, 2], [0, 1, 4]) == pytest.approx(math.sqrt(4 / 3))
  assert metrics.r2([0, 1, 2], [0, 1, 4]) == pytest.approx(-1.0)


def test_regression_metrics_masks_nan_labels_per_dimension():
  y_true = np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 2.0], [np.nan, 5.0], [np.nan, np.nan]])
  # The NaN rows carry garbage predictions that would wreck the numbers if counted.
  y_pred = np.array([[0.0, 0.0], [2.0, 1.0], [4.0, 2.0], [99.0, 5.0], [-99.0, -99.0]])
  out = metrics.regression_metrics(y_true, y_pred)
  assert out["arousal"]["n"] == 3
  assert out["arousal"]["ccc"] == pytest.approx(8 / 13)  # same numbers as the hand example
  assert out["valence"]["n"] == 4  # row 3 has valence even though arousal is missing
  assert out["valence"]["ccc"] == pytest.approx(1.0)
  assert out["valence"]["rmse"] == pytest.approx(0.0)
  assert out["mean_ccc"] == pytest.approx((8 / 13 + 1.0) / 2)
  assert set(out["arousal"]) == {"rmse", "ccc", "pearson_r", "r2", "n"}
  json.dumps(out)
  assert all(type(v) in (float, int) for v in out["arousal"].values())


# ---------------------------------------------------------------- classification

def _probs_from_preds(pred, k):
  """Probabilities whose argmax is pred (0.7 on the predicted class, rest shared)."""
  probs = np.full((len(pred), k), 0.3 / (k - 1))
  probs[np.arange(len(pred)), pred] = 0.7
  return probs


def test_macro_f1_hand_example():
  y_true = [0, 0, 0, 1, 1, 2]
  pred = [0, 0, 1, 1, 2, 2]
  # class 0: TP=2 FP=0 FN=1 → P=1,   R=2/3 → F1 = 2·1·(2/3)/(5/3) = 4/5
  # class 1: TP=1 FP=1 FN=1 → P=1/2, R=1/2 → F1 = 1/2
  # class 2: TP=1 FP=1 FN=0 → P=1/2, R=1   → F1 = 2·(1/2)/(3/2)   = 2/3
  # macro-F1 = (4/5 + 1/2 + 2/3) / 3 = (24 + 15 + 20) / 90 = 59/90 ; accuracy = 4/6
  out = metrics.classification_metrics(y_true, _probs_from_preds(pred, 3), ["a", "b", "c"])
  assert out["macro_f1"] == pytest.approx(59 / 90)
  assert out["accuracy"] == pytest.approx(4 / 6)
  assert out["per_class_f1"] == pytest.approx({"a": 4 / 5, "b": 1 / 2, "c": 2 / 3})
  assert out["confusion_matrix"] == [[2, 1, 0], [0, 1, 1], [0, 0, 1]]
  assert out["n"] == 6
  json.dumps(out)


def test_confusion_matrix_stays_k_by_k_with_absent_classes():
  # Only 2 of the 10 genres occur and only those are predicted.
  out = metrics.classification_metrics([0, 1, 1], _probs_from_preds([0, 1, 0], 10),
                                       GTZAN_GENRES)
  cm = np.array(out["confusion_matrix"])
  assert cm.shape == (10, 10)
  assert cm.sum() == 3 and cm[1, 0] == 1
  assert len(out["per_class_f1"]) == 10
  assert math.isnan(out["per_class_f1"]["metal"])  # no metal track: F1 undefined, not 0


def test_macro_f1_averages_only_the_classes_present_in_the_labels():
  # EmoMusic's case: 10 GTZAN classes, a test set with only some of them. A perfect model must
  # score 1, not 6/10 (the old mean over range(K) with absent classes as F1 = 0).
  present = [0, 1, 2, 4, 6, 9]
  y = np.repeat(present, 2)
  out = metrics.classification_metrics(y, _probs_from_preds(y, 10), GTZAN_GENRES)
  assert out["macro_f1"] == pytest.approx(1.0)
  assert out["averaged_classes"] == [GTZAN_GENRES[c] for c in present]
  assert out["roc_auc_ovr"] == pytest.approx(1.0)
  # A prediction of an absent class still costs the present class its recall:
  # y = [0, 0, 1, 1], pred = [0, 3, 1, 1]
  # class 0: TP=1 FP=0 FN=1 → F1 = 2/3 ; class 1: TP=2 FP=0 FN=0 → F1 = 1
  # class 3 (absent, predicted once) is not averaged: macro-F1 = (2/3 + 1) / 2 = 5/6
  out = metrics.classification_metrics([0, 0, 1, 1], _probs_from_preds([0, 3, 1, 1], 4),
                                       QUADRANTS)
  assert out["macro_f1"] == pytest.approx(5 / 6)
  assert out["averaged_classes"] == list(QUADRANTS[:2])
  # Absent classes have no F1 (nan), predicted or not; the confusion matrix keeps the miss.
  assert math.isnan(out["per_class_f1"][QUADRANTS[2]])
  assert math.isnan(out["per_class_f1"][QUADRANTS[3]])
  assert out["confusion_matrix"][0] == [1, 0, 0, 1]


def test_roc_auc_with_classes_missing_from_y_true():
  rng = np.random.default_rng(1)
  probs = rng.dirichlet(np.ones(4), size=30)
  y = rng.integers(0, 3, size=30)  # class 3 never occurs
  out = metrics.classification_metrics(y, probs, QUADRANTS)
  assert 0.0 <= out["roc_auc_ovr"] <= 1.0
  # One class present: AUC undefined, not a crash.
  assert math.isnan(metrics.classification_metrics([2, 2, 2], probs[:3], QUADRANTS)["roc_auc_ovr"])


def test_roc_auc_ranks_each_present_class_by_its_raw_probability():
  # Classes 0 and 1 present, class 2 absent.
  #   row 1: y=0, p=[.05, .05, .90] ; row 2: y=1, p=[.60, .40, 0]
  # Class 0 by column 0: its positive (row 1, .05) is below its negative (row 2, .60) → AUC 0.
  # Class 1 by column 1: its positive (row 2, .40) is above its negative (row 1, .05) → AUC 1.
  # Macro over the present classes: 0.5. (Renormalising over {0, 1} first turned row 1 into
  # [.5, .5] and row 2 into [.6, .4], which ranks both classes wrong: AUC 0.)
  probs = np.array([[0.05, 0.05, 0.90], [0.60, 0.40, 0.0]])
  out = metrics.classification_metrics([0, 1], probs, ["a", "b", "c"])
  assert out["roc_auc_ovr"] == pytest.approx(0.5)


def test_roc_auc_four_rows_hand_example():
  # y = [0, 0, 1, 1]; class 2 absent. Columns: p0 = [.5, .2, .3, .1], p1 = [.1, .3, .2, .6].
  # Class 0 (positives rows 1-2: .5 .2 | negatives .3 .1): pairs won .5>.3 .5>.1 .2>.1 → 3/4.
  # Class 1 (positives rows 3-4: .2 .6 | negatives .1 .3): .2>.1 .6>.1 .6>.3 → 3/4. Macro 3/4.
  probs = np.array([[0.5, 0.1, 0.4], [0.2, 0.3, 0.5], [0.3, 0.2, 0.5], [0.1, 0.6, 0.3]])
  out = metrics.classification_metrics([0, 0, 1, 1], probs, ["a", "b", "c"])
  assert out["roc_auc_ovr"] == pytest.approx(0.75)


def test_non_finite_prediction_rows_are_counted_not_scored():
  y_true = [0, 0, 0, 1, 1, 2]
  pred = [0, 0, 1, 1, 2, 2]
  ref = metrics.classification_metrics(y_true, _probs_from_preds(pred, 3), "abc")
  assert ref["n_no_prediction"] == 0
  # Two more labelled rows with no prediction (NaN), which argmax would have called class 0.
  probs = np.vstack([_probs_from_preds(pred, 3), np.full((2, 3), np.nan)])
  out = metrics.classification_metrics(y_true + [0, 1], probs, "abc")
  assert out["n_no_prediction"] == 2 and out["n"] == 6
  assert out["macro_f1"] == pytest.approx(59 / 90)  # the hand example's numbers, untouched
  assert {k: v for k, v in out.items() if k != "n_no_prediction"} == {
      k: v for k, v in ref.items() if k != "n_no_prediction"}
  # An unlabelled row is not a missing prediction.
  out = metrics.classification_metrics(y_true + [-1], np.vstack([probs[:6], [np.nan] * 3]), "abc")
  assert out["n_no_prediction"] == 0
  table = metrics.format_metrics_table({"quadrant_from_av": metrics.classification_metrics(
      y_true + [0, 1], probs, "abc")})
  assert "no prediction" in table and "2 (not scored)" in table


def test_masked_class_rows_are_ignored():
  y_true = [0, 0, 0, 1, 1, 2]
  pred = [0, 0, 1, 1, 2, 2]
  ref = metrics.classification_metrics(y_true, _probs_from_preds(pred, 3), "abc")
  # Add unlabelled rows (-1) whose "predictions" would change every number if counted.
  masked = metrics.classification_metrics(y_true + [-1, -1], _probs_from_preds(pred + [2, 2], 3),
                                          "abc")
  assert masked == ref
  empty = metrics.classification_metrics([-1, -1], _probs_from_preds([0, 1], 3), "abc")
  assert empty["n"] == 0 and math.isnan(empty["accuracy"])
  assert np.array(empty["confusion_matrix"]).shape == (3, 3)


def test_bad_shapes_are_rejected():
  with pytest.raises(ValueError):
    metrics.classification_metrics([0, 1], np.ones((2, 3)) / 3, ["a", "b"])
  with pytest.raises(ValueError):
    metrics.classification_metrics([0, 5], np.ones((2, 3)) / 3, ["a", "b", "c"])


# ---------------------------------------------------------------- text table

def test_format_metrics_table_contains_the_numbers():
  genre = metrics.classification_metrics([0, 0, 0, 1, 1, 2],
                                         _probs_from_preds([0, 0, 1, 1, 2, 2], 3), "abc")
  av = metrics.regression_metrics([[0, 0], [1, 1], [2, 2]], [[0, 0], [2, 1], [4, 2]])
  table = metrics.format_metrics_table({"genre": genre, "emotion_av": av})
  print(table)
  assert "genre" in table and "macro-F1" in table
  assert "0.667" in table  # accuracy 4/6
  assert "0.656" in table  # macro-F1 59/90
  assert "over the 3 of 3 classes present in the test labels" in table
  assert "arousal" in table and "valence" in table
  assert "0.615" in table  # arousal CCC 8/13
  assert "quadrant" not in table  # absent keys are skipped, not printed empty
  # Aligned: the metric-name column starts at the same offset on every line.
  assert len({re.match(r"\S+\s+", line).end() for line in table.splitlines()}) == 1
  assert metrics.format_metrics_table({}) == "(no metrics)"
