"""Are a class head's probabilities honest? Expected calibration error, the reliability bins it
is read from, and temperature scaling.

A head is calibrated when, among the clips it gives top-1 probability ≈ p, a fraction ≈ p is
right. `reliability_bins` groups clips by their top-1 probability (equal-width bins) and
`expected_calibration_error` averages |accuracy − confidence| over the bins, weighted by their
clip counts (Guo et al. 2017, "On Calibration of Modern Neural Networks").

Temperature scaling divides a head's logits by one scalar T > 0 before the softmax: T > 1
softens overconfident probabilities, T < 1 sharpens them, T = 1 changes nothing, and the
ranking of the classes (so accuracy and the predicted class) never changes. A softmax head's
logits are its log-probabilities up to a constant per clip, which the softmax ignores, so
softmax(log p / T) is what the head would have said with its logits divided by T: the fit needs
only the probabilities a model wrote. `fit_temperature` minimises the negative log-likelihood
of the true classes over T on held-out clips. Vector scaling (`fit_vector_scaling`) gives each
class its own scale and bias, softmax(w ⊙ log p + b): 2K parameters instead of one, so it can
also correct a head that favours some classes, and it can change the predicted class.

Plain numpy at import (jmer.inference applies temperatures at prediction time); scipy is
loaded by the fit only.
"""

import numpy as np

N_BINS = 15  # equal-width confidence bins, the usual choice since Guo et al.
# Probabilities are floored here before their log: a float32 softmax can round a class to 0,
# and log 0 would make the fit's likelihood infinite. At T = 1 the floor moves a probability by
# at most this much.
MIN_PROBABILITY = 1e-12
# The temperatures the fit searches (log-uniformly): far beyond any head worth calibrating.
T_RANGE = (0.05, 20.0)


def _checked(probs, labels) -> tuple:
  """(probs as (N, K) float64, labels as (N,) int64); ValueError when they do not fit."""
  probs = np.asarray(probs, dtype=np.float64)
  labels = np.asarray(labels).astype(np.int64).ravel()
  if probs.ndim != 2 or probs.shape[0] != labels.size:
    raise ValueError(f"probs has shape {probs.shape}, expected ({labels.size}, K) for "
                     f"{labels.size} labels")
  if labels.size and (labels.min() < 0 or labels.max() >= probs.shape[1]):
    raise ValueError(f"labels must be class ids in [0, {probs.shape[1]})")
  return probs, labels


def reliability_bins(probs, labels, n_bins: int = N_BINS) -> list:
  """The clips grouped by top-1 probability into equal-width bins over [0, 1].

  A confidence on a bin's edge goes to the bin above it, except 1.0, which is in the last bin.

  Args:
    probs: (N, K) class probabilities.
    labels: (N,) true class ids.
    n_bins: how many bins.

  Returns:
    One dict per non-empty bin, lowest first: {"low", "high": the bin's edges, "n": clips,
    "confidence": their mean top-1 probability, "accuracy": the fraction whose top-1 class is
    the true one}.

  Raises:
    ValueError: probs and labels do not fit together.
  """
  probs, labels = _checked(probs, labels)
  confidence, right = probs.max(axis=1), probs.argmax(axis=1) == labels
  which = np.minimum((confidence * n_bins).astype(np.int64), n_bins - 1)
  out = []
  for b in range(n_bins):
    member = which == b
    if member.any():
      out.append(dict(low=b / n_bins, high=(b + 1) / n_bins, n=int(member.sum()),
                      confidence=float(confidence[member].mean()),
                      accuracy=float(right[member].mean())))
  return out


def expected_calibration_error(probs, labels, n_bins: int = N_BINS) -> float:
  """ECE: Σ over bins of (clips in bin / N) · |accuracy − mean top-1 probability| in the bin.

  Args:
    probs: (N, K) class probabilities.
    labels: (N,) true class ids.
    n_bins: how many equal-width confidence bins (reliability_bins).

  Returns:
    The ECE in [0, 1]; nan for no clips.

  Raises:
    ValueError: probs and labels do not fit together.
  """
  bins = reliability_bins(probs, labels, n_bins)
  total = sum(b["n"] for b in bins)
  if not total:
    return float("nan")
  return float(sum(b["n"] * abs(b["accuracy"] - b["confidence"]) for b in bins) / total)


def ece_if_honest(probs, n_bins: int = N_BINS, draws: int = 200, seed: int = 0) -> float:
  """The ECE these probabilities would show on as many clips if they were exactly right: each
  draw takes every clip's label from its own probabilities; the mean ECE over the draws.

  ECE over few clips is biased upwards (a bin of a few clips rarely has exactly its mean
  confidence right), so this is the floor a measured ECE on the same clips is read against.

  Args:
    probs: (N, K) class probabilities.
    n_bins: the confidence bins.
    draws: how many label sets to draw.
    seed: the random generator's seed (the result is reproducible).

  Returns:
    The expected ECE of honest probabilities on these clips; nan for no clips.
  """
  probs = np.asarray(probs, dtype=np.float64)
  if not len(probs):
    return float("nan")
  rng, cumulative = np.random.default_rng(seed), probs.cumsum(axis=1)
  eces = []
  for _ in range(draws):
    drawn = (rng.random((len(probs), 1)) > cumulative).sum(axis=1)
    eces.append(expected_calibration_error(probs, np.minimum(drawn, probs.shape[1] - 1), n_bins))
  return float(np.mean(eces))


def log_probabilities(probs) -> np.ndarray:
  """A softmax head's logits up to a constant per row: log(max(p, MIN_PROBABILITY)).

  Args:
    probs: (N, K) or (K,) class probabilities.

  Returns:
    The float64 log-probabilities, the same shape.
  """
  return np.log(np.maximum(np.asarray(probs, dtype=np.float64), MIN_PROBABILITY))


def _softmax(logits) -> np.ndarray:
  z = logits - logits.max(axis=-1, keepdims=True)
  e = np.exp(z)
  return e / e.sum(axis=-1, keepdims=True)


def apply_temperature(probs, temperature: float) -> np.ndarray:
  """softmax(log p / T): the probabilities the head gives with its logits divided by T.

  Args:
    probs: (N, K) or (K,) class probabilities; a row that is not all finite is returned as it is
      (no prediction stays no prediction).
    temperature: T > 0.

  Returns:
    The calibrated probabilities (float64), the same shape; T = 1 returns `probs` (to within
    MIN_PROBABILITY).

  Raises:
    ValueError: T is not a positive finite number.
  """
  if not (np.isfinite(temperature) and temperature > 0):
    raise ValueError(f"temperature must be a positive number, got {temperature!r}")
  probs = np.asarray(probs, dtype=np.float64)
  finite = np.isfinite(probs).all(axis=-1, keepdims=True)
  scaled = _softmax(log_probabilities(np.where(finite, probs, 1.0)) / temperature)
  return np.where(finite, scaled, probs)


def negative_log_likelihood(probs, labels, temperature: float = 1.0) -> float:
  """Mean −log p(true class) after temperature scaling (p floored at MIN_PROBABILITY).

  Args:
    probs: (N, K) class probabilities.
    labels: (N,) true class ids.
    temperature: T > 0 applied first (1: the probabilities as they are).

  Returns:
    The mean negative log-likelihood in nats; nan for no clips.
  """
  probs, labels = _checked(probs, labels)
  if not labels.size:
    return float("nan")
  logits = log_probabilities(probs) / temperature
  logits -= logits.max(axis=1, keepdims=True)
  log_norm = np.log(np.exp(logits).sum(axis=1))
  return float(np.mean(log_norm - logits[np.arange(labels.size), labels]))


def fit_temperature(probs, labels) -> float:
  """The T > 0 minimising the negative log-likelihood of the true classes (temperature scaling).

  The likelihood is convex in 1/T, hence has one minimum along log T too, which a bounded
  search within T_RANGE finds.

  Args:
    probs: (N, K) class probabilities on clips the model did not train on.
    labels: (N,) their true class ids.

  Returns:
    The fitted temperature.

  Raises:
    ValueError: no clips, or probs and labels do not fit together.
  """
  from scipy import optimize
  probs, labels = _checked(probs, labels)
  if not labels.size:
    raise ValueError("fit_temperature needs at least one clip")
  low, high = np.log(T_RANGE)
  result = optimize.minimize_scalar(
      lambda log_t: negative_log_likelihood(probs, labels, float(np.exp(log_t))),
      bounds=(low, high), method="bounded", options=dict(xatol=1e-6))
  return float(np.exp(result.x))


def apply_vector_scaling(probs, scale, bias) -> np.ndarray:
  """softmax(scale ⊙ log p + bias), per class (scale all T⁻¹ and bias 0: temperature scaling).

  Args:
    probs: (N, K) or (K,) class probabilities.
    scale: (K,) per-class scales.
    bias: (K,) per-class biases.

  Returns:
    The rescaled probabilities (float64), the same shape.
  """
  logits = log_probabilities(probs) * np.asarray(scale, np.float64) + np.asarray(bias, np.float64)
  return _softmax(logits)


def fit_vector_scaling(probs, labels) -> tuple:
  """The per-class scales and biases minimising the negative log-likelihood (L-BFGS, from
  scale 1 and bias 0, with the likelihood's gradient).

  Args:
    probs: (N, K) class probabilities on clips the model did not train on.
    labels: (N,) their true class ids.

  Returns:
    (scale (K,), bias (K,)); the biases sum to 0 (a common shift changes nothing).

  Raises:
    ValueError: no clips, or probs and labels do not fit together.
  """
  from scipy import optimize
  probs, labels = _checked(probs, labels)
  if not labels.size:
    raise ValueError("fit_vector_scaling needs at least one clip")
  n, k = probs.shape
  log_p, truth = log_probabilities(probs), np.eye(k)[labels]

  def nll_and_gradient(params):
    logits = log_p * params[:k] + params[k:]
    logits -= logits.max(axis=1, keepdims=True)
    log_q = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
    d_logits = (np.exp(log_q) - truth) / n
    return -np.sum(truth * log_q) / n, np.concatenate([(d_logits * log_p).sum(axis=0),
                                                       d_logits.sum(axis=0)])
  result = optimize.minimize(nll_and_gradient, np.concatenate([np.ones(k), np.zeros(k)]),
                             jac=True, method="L-BFGS-B")
  return result.x[:k], result.x[k:] - result.x[k:].mean()
