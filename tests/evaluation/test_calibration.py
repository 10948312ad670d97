"""Calibration: ECE and its reliability bins against hand-worked examples, temperature scaling
recovering the temperature of a known overconfident head."""

import numpy as np
import pytest

from jmer.evaluation import calibration

# Five clips, two classes, 5 bins of width 0.2 (arithmetic in test_ece_hand_example).
PROBS = [[0.95, 0.05], [0.15, 0.85], [0.70, 0.30], [0.35, 0.65], [0.55, 0.45]]
LABELS = [0, 0, 0, 1, 1]


def test_ece_hand_example():
  # top-1 confidences .95 (right), .85 (wrong), .70 (right), .65 (right), .55 (wrong)
  # bin [0.8, 1.0]: 2 clips, mean confidence .90, accuracy 1/2 -> |.5 - .9| = .40, weight 2/5
  # bin [0.6, 0.8): 2 clips, mean confidence .675, accuracy 1   -> .325,          weight 2/5
  # bin [0.4, 0.6): 1 clip,  confidence .55, accuracy 0         -> .55,           weight 1/5
  # ECE = .4 * .4 + .4 * .325 + .2 * .55 = .16 + .13 + .11 = .40
  assert calibration.expected_calibration_error(PROBS, LABELS, n_bins=5) == pytest.approx(0.40)
  bins = calibration.reliability_bins(PROBS, LABELS, n_bins=5)
  assert [(b["low"], b["n"]) for b in bins] == [(0.4, 1), (0.6, 2), (0.8, 2)]
  assert bins[1]["confidence"] == pytest.approx(0.675) and bins[1]["accuracy"] == 1.0


def test_ece_three_classes_default_bins():
  # 15 bins of width 1/15: .5 falls in [7/15, 8/15), .9 in [13/15, 14/15).
  # Two clips at .9, one right -> |.5 - .9| = .4, weight 2/3; one at .5, right -> .5, weight 1/3.
  # ECE = 2/3 * .4 + 1/3 * .5 = .26667 + .16667 = .43333
  probs = [[0.9, 0.05, 0.05], [0.05, 0.05, 0.9], [0.2, 0.5, 0.3]]
  assert calibration.expected_calibration_error(probs, [0, 1, 1]) == pytest.approx(1.3 / 3)


def test_a_confidence_of_one_is_in_the_last_bin_and_perfect_calibration_is_zero():
  assert calibration.reliability_bins([[1.0, 0.0]], [0], n_bins=4)[0]["high"] == 1.0
  # Half the clips at .5 are right, every clip at 1.0 is: ECE 0.
  probs = [[0.5, 0.5], [0.5, 0.5], [1.0, 0.0]]
  assert calibration.expected_calibration_error(probs, [0, 1, 0]) == pytest.approx(0.0)


def test_mismatched_inputs_are_refused():
  with pytest.raises(ValueError, match="expected"):
    calibration.expected_calibration_error(PROBS, LABELS[:3])
  with pytest.raises(ValueError, match="class ids"):
    calibration.expected_calibration_error(PROBS, [0, 0, 0, 1, 2])


def test_temperature_one_leaves_probabilities_unchanged():
  probs = np.array(PROBS + [[1.0, 0.0]])
  np.testing.assert_allclose(calibration.apply_temperature(probs, 1.0), probs, atol=1e-11)


def test_temperature_softens_and_sharpens_without_changing_the_ranking():
  p = np.array([0.7, 0.2, 0.1])
  # T = 2: softmax(log p / 2) = sqrt(p) / sum(sqrt(p))
  np.testing.assert_allclose(calibration.apply_temperature(p, 2.0), np.sqrt(p) / np.sqrt(p).sum())
  # T = 0.5: p² / sum(p²) = [.49, .04, .01] / .54
  np.testing.assert_allclose(calibration.apply_temperature(p, 0.5), [0.49 / 0.54, 0.04 / 0.54,
                                                                     0.01 / 0.54])
  nan_row = calibration.apply_temperature(np.array([[np.nan] * 3, p]), 2.0)
  assert np.isnan(nan_row[0]).all() and nan_row[1].argmax() == 0
  with pytest.raises(ValueError, match="positive"):
    calibration.apply_temperature(p, 0.0)


def _overconfident_head(temperature: float, n: int = 20000, k: int = 4, seed: int = 0):
  """Labels drawn from softmax(z), and the probabilities of a head whose logits are T·z."""
  rng = np.random.default_rng(seed)
  z = rng.normal(scale=1.5, size=(n, k))
  honest = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
  labels = np.array([rng.choice(k, p=row) for row in honest])
  said = np.exp(temperature * z)
  return said / said.sum(axis=1, keepdims=True), labels, honest


def test_fit_recovers_the_temperature_of_an_overconfident_head():
  probs, labels, honest = _overconfident_head(2.5)
  t = calibration.fit_temperature(probs, labels)
  assert t == pytest.approx(2.5, rel=0.05)
  calibrated = calibration.apply_temperature(probs, t)
  np.testing.assert_allclose(calibrated, honest, atol=0.03)
  before = calibration.expected_calibration_error(probs, labels)
  after = calibration.expected_calibration_error(calibrated, labels)
  assert before > 0.1 and after < 0.02
  assert calibration.negative_log_likelihood(probs, labels, t) < \
      calibration.negative_log_likelihood(probs, labels)


def test_fit_of_an_honest_head_is_about_one():
  probs, labels, _ = _overconfident_head(1.0, seed=1)
  assert calibration.fit_temperature(probs, labels) == pytest.approx(1.0, rel=0.05)


def test_vector_scaling_at_scale_one_and_bias_zero_changes_nothing():
  probs = np.array(PROBS)
  np.testing.assert_allclose(calibration.apply_vector_scaling(probs, [1, 1], [0, 0]), probs,
                             atol=1e-11)
  # scale 1/T everywhere and no bias is temperature scaling
  np.testing.assert_allclose(calibration.apply_vector_scaling(probs, [0.5, 0.5], [0, 0]),
                             calibration.apply_temperature(probs, 2.0))


def test_vector_scaling_removes_a_class_bias_temperature_scaling_cannot():
  # The head adds +1.5 to class 0's logit: p = softmax(z + c); softmax(log p - c) = softmax(z).
  rng = np.random.default_rng(2)
  z = rng.normal(scale=1.5, size=(20000, 3))
  honest = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
  labels = np.array([rng.choice(3, p=row) for row in honest])
  c = np.array([1.5, 0.0, 0.0])
  said = np.exp(z + c) / np.exp(z + c).sum(axis=1, keepdims=True)
  scale, bias = calibration.fit_vector_scaling(said, labels)
  np.testing.assert_allclose(scale, 1.0, atol=0.08)
  np.testing.assert_allclose(bias, -(c - c.mean()), atol=0.1)
  vector = calibration.apply_vector_scaling(said, scale, bias)
  temperature = calibration.apply_temperature(said, calibration.fit_temperature(said, labels))
  assert calibration.negative_log_likelihood(vector, labels) < \
      calibration.negative_log_likelihood(temperature, labels) - 0.02


def test_the_ece_of_honest_probabilities_on_few_clips_is_not_zero():
  # One clip at [.5, .5]: right or wrong, |accuracy - .5| = .5 every draw.
  assert calibration.ece_if_honest([[0.5, 0.5]]) == pytest.approx(0.5)
  # Two such clips: accuracy 0, .5 or 1 with chance 1/4, 1/2, 1/4 -> E[ECE] = .5/4 + 0 + .5/4
  assert calibration.ece_if_honest([[0.5, 0.5]] * 2, draws=4000) == pytest.approx(0.25, abs=0.01)
  # Certain probabilities are always right: 0. Many clips: close to 0.
  assert calibration.ece_if_honest([[1.0, 0.0, 0.0]] * 5) == 0.0
  assert calibration.ece_if_honest([[0.7, 0.3]] * 20000, draws=20) < 0.01
