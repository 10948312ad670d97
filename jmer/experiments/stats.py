"""The statistics of a suite report: confidence intervals over repeats, paired tests, Holm.

Two levels of evidence, both paired:
- over repeats (seeds or folds): each repeat gives one number per cell, and cells are paired by
  repeat. The paired t-test is the primary test (with 3 seeds a Wilcoxon signed-rank test cannot
  reach p < 0.25, so it is reported only as a check);
- over test tracks: McNemar's exact test on the tracks one cell gets right and the other wrong
  (classification), and a paired bootstrap over tracks of a CCC difference (regression).
"""

import math

import numpy as np
from scipy import stats as scipy_stats

NAN = float("nan")


def _finite(values) -> np.ndarray:
  values = np.asarray(values, np.float64)
  return values[np.isfinite(values)]


def mean_ci(values, level: float = 0.95) -> tuple:
  """(mean, half-width of the t confidence interval, n) over the finite values."""
  v = _finite(values)
  if v.size == 0:
    return NAN, NAN, 0
  if v.size == 1:
    return float(v[0]), NAN, 1
  sem = v.std(ddof=1) / math.sqrt(v.size)
  return float(v.mean()), float(scipy_stats.t.ppf(0.5 + level / 2, v.size - 1) * sem), int(v.size)


def paired_test(a, b) -> dict:
  """Paired comparison of a and b (same repeats, same order): a − b's mean ± CI, t and Wilcoxon.

  Effect size: Cohen's d_z, the mean difference over the SD of the differences. A pair with a
  non-finite value on either side is dropped.
  """
  a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
  keep = np.isfinite(a) & np.isfinite(b)
  d = a[keep] - b[keep]
  mean, half, n = mean_ci(d)
  out = dict(n=n, mean_a=float(a[keep].mean()) if n else NAN,
             mean_b=float(b[keep].mean()) if n else NAN, diff=mean, ci=half,
             t_p=NAN, wilcoxon_p=NAN, dz=NAN)
  if n < 2:
    return out
  sd = d.std(ddof=1)
  if sd == 0:  # identical differences: t is undefined; no variation to test against
    out["t_p"] = 1.0 if mean == 0 else 0.0
    out["dz"] = 0.0 if mean == 0 else math.copysign(math.inf, mean)
  else:
    out["t_p"] = float(scipy_stats.ttest_rel(a[keep], b[keep]).pvalue)
    out["dz"] = float(mean / sd)
  if np.any(d != 0):
    out["wilcoxon_p"] = float(scipy_stats.wilcoxon(d, zero_method="wilcox").pvalue)
  return out


def holm(p_values) -> list:
  """Holm–Bonferroni adjusted p-values (NaN stays NaN and does not count as a test)."""
  p = np.asarray(p_values, np.float64)
  idx = [i for i in np.argsort(p) if np.isfinite(p[i])]
  m = len(idx)
  adjusted = np.full(p.shape, NAN)
  running = 0.0
  for rank, i in enumerate(idx):
    running = max(running, min(1.0, (m - rank) * p[i]))
    adjusted[i] = running
  return adjusted.tolist()


def mcnemar(correct_a, correct_b) -> dict:
  """McNemar's exact test: b = tracks only A gets right, c = only B; p from Binomial(b+c, ½)."""
  a, b = np.asarray(correct_a, bool), np.asarray(correct_b, bool)
  only_a, only_b = int(np.sum(a & ~b)), int(np.sum(~a & b))
  p = 1.0 if only_a + only_b == 0 else float(
      scipy_stats.binomtest(only_a, only_a + only_b, 0.5).pvalue)
  return dict(n=int(a.size), only_a=only_a, only_b=only_b, p=p,
              acc_a=float(a.mean()) if a.size else NAN, acc_b=float(b.mean()) if b.size else NAN)


def ccc(truth, pred) -> float:
  """Lin's CCC with population moments, as jmer.evaluation.metrics.ccc (vectorised over rows)."""
  t, p = np.asarray(truth, np.float64), np.asarray(pred, np.float64)
  mt, mp = t.mean(-1, keepdims=True), p.mean(-1, keepdims=True)
  cov = ((t - mt) * (p - mp)).mean(-1)
  denom = t.var(-1) + p.var(-1) + (mt - mp)[..., 0] ** 2
  with np.errstate(invalid="ignore", divide="ignore"):
    return 2 * cov / denom


def paired_bootstrap_ccc(truth, pred_a, pred_b, resamples: int = 2000, seed: int = 0) -> dict:
  """CCC(a) − CCC(b) on the same tracks, with a percentile CI and a two-sided bootstrap p.

  Tracks are resampled with replacement, the same draw for both predictions, so the interval
  reflects which tracks happen to be in the test set. p is twice the smaller share of resampled
  differences on either side of 0.
  """
  t, a, b = (np.asarray(x, np.float64) for x in (truth, pred_a, pred_b))
  n = t.size
  if n < 3:
    return dict(n=n, diff=NAN, low=NAN, high=NAN, p=NAN)
  rows = np.random.default_rng(seed).integers(0, n, size=(resamples, n))
  diffs = ccc(t[rows], a[rows]) - ccc(t[rows], b[rows])
  diffs = diffs[np.isfinite(diffs)]
  observed = float(ccc(t, a) - ccc(t, b))
  p = min(1.0, 2 * min(np.mean(diffs <= 0), np.mean(diffs >= 0))) if diffs.size else NAN
  low, high = np.percentile(diffs, [2.5, 97.5]) if diffs.size else (NAN, NAN)
  return dict(n=n, diff=observed, low=float(low), high=float(high), p=float(p))
