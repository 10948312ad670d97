"""The statistics of a suite report: paired tests over repeats, per-track tests, Holm.

Conventions (one everywhere): "mean ± SD" is the sample SD (ddof = 1); a confidence interval
is always written as such ("95% CI" or "± t half-width"), never as a bare ±.

Two levels of evidence, both paired:
- over repeats (folds or seeds): A − B per repeat. For cross-validation the primary test is
  the corrected resampled t-test (Nadeau & Bengio 2003, in the r × k form of Bouckaert &
  Frank 2004): the training sets of the folds overlap, so the differences are correlated and
  the plain variance σ²/n is replaced by (1/n + n_test/n_train)·σ². Repeats by seed on one
  fixed split resample no data, so their t-test is the plain one (ratio 0), conditional on
  that test set. Each test comes with its CI, Cohen's d_z with a CI, and the minimum
  detectable effect of the design. The Wilcoxon signed-rank test is a check, reported only
  where n allows it to reject (the smallest two-sided p with n non-zero differences is 2/2ⁿ);
- over test tracks: McNemar's exact test on the tracks one cell gets right and the other
  wrong (once per pair and task), and a paired bootstrap of a CCC difference (regression).
"""

import math

import numpy as np
from scipy import optimize
from scipy import stats as scipy_stats

NAN = float("nan")
ALPHA = 0.05
POWER = 0.8


def _finite(values) -> np.ndarray:
  values = np.asarray(values, np.float64)
  return values[np.isfinite(values)]


def mean_sd(values) -> tuple:
  """(mean, sample SD with ddof = 1, n) over the finite values (SD NaN below 2 values).

  Args:
    values: numbers; NaN and infinities are left out.

  Returns:
    (mean, sd, n): mean and sd NaN when n is 0, sd NaN when n is 1.
  """
  v = _finite(values)
  if v.size == 0:
    return NAN, NAN, 0
  return float(v.mean()), float(v.std(ddof=1)) if v.size > 1 else NAN, int(v.size)


def mean_ci(values, level: float = 0.95) -> tuple:
  """(mean, half-width of the t confidence interval, n) over the finite values.

  Args:
    values: numbers; NaN and infinities are left out.
    level: the confidence level, e.g. 0.95.

  Returns:
    (mean, half-width, n), the half-width in the values' units (NaN below 2 values).
  """
  mean, sd, n = mean_sd(values)
  if n < 2:
    return mean, NAN, n
  return mean, float(scipy_stats.t.ppf(0.5 + level / 2, n - 1) * sd / math.sqrt(n)), n


def correction_ratio(n_train, n_test) -> float:
  """n_test / n_train of the Nadeau–Bengio correction, from per-fold counts (or scalars).

  Args:
    n_train: tracks each fold trains on (a number or one per fold).
    n_test: tracks each fold tests on (a number or one per fold).
  Returns:
    mean(n_test) / mean(n_train).
  """
  n_train, n_test = np.mean(np.asarray(n_train, np.float64)), np.mean(np.asarray(n_test,
                                                                                   np.float64))
  if not n_train > 0 or not n_test >= 0:
    raise ValueError(f"correction_ratio: need n_train > 0 and n_test >= 0, got {n_train}, "
                     f"{n_test}")
  return float(n_test / n_train)


def paired_fold_test(a: dict, b: dict, *, n_train, n_test) -> dict:
  """The corrected resampled t-test of A − B over the folds both arms have.

  Args:
    a: {fold key, e.g. (split seed, fold): metric value} of arm A.
    b: the same of arm B.
    n_train: per-fold training track counts (correction_ratio).
    n_test: per-fold test track counts (correction_ratio).

  Returns:
    resampled_t_test's dict; its n is the number of shared folds.
  """
  keys = sorted(set(a) & set(b))
  return resampled_t_test([a[k] - b[k] for k in keys],
                          test_train_ratio=correction_ratio(n_train, n_test))


def resampled_t_test(differences, *, test_train_ratio: float, alpha: float = ALPHA,
                     power: float = POWER) -> dict:
  """The corrected resampled t-test of paired differences A − B (one per fold × repeat).

  With n differences of mean d̄ and sample variance σ², the corrected standard error is
  se = sqrt((1/n + n_test/n_train)·σ²) and t = d̄ / se on n − 1 degrees of freedom
  (Bouckaert & Frank 2004, eq. for r repeats × k folds, n = r·k). test_train_ratio = 0 gives
  the ordinary paired t-test (repeats by seed on one fixed split).

  Args:
    differences: A − B per repeat; non-finite entries are dropped.
    test_train_ratio: n_test / n_train of the folds (correction_ratio), 0 for no correction.
    alpha: two-sided level of the test, the CI (1 − alpha) and the minimum detectable effect.
    power: the power at which the minimum detectable effect is detected.
  Returns:
    dict(n, mean, sd, se, t, df, p, ci_low, ci_high, half_width, mde, dz, dz_low, dz_high,
    ratio, alpha). mde = (t_{1−α/2, df} + t_{power, df})·se: the true difference this design
    detects with the given power. dz = mean / sd (Cohen's d_z); its CI inverts the noncentral
    t distribution of the corrected statistic. Values that n cannot give are NaN.
  """
  d = _finite(differences)
  n = int(d.size)
  out = dict(n=n, mean=float(d.mean()) if n else NAN, sd=NAN, se=NAN, t=NAN, df=max(n - 1, 0),
             p=NAN, ci_low=NAN, ci_high=NAN, half_width=NAN, mde=NAN, dz=NAN, dz_low=NAN,
             dz_high=NAN, ratio=float(test_train_ratio), alpha=alpha)
  if n < 2:
    return out
  df = n - 1
  factor = 1.0 / n + test_train_ratio
  sd = float(d.std(ddof=1))
  se = sd * math.sqrt(factor)
  critical = float(scipy_stats.t.ppf(1 - alpha / 2, df))
  out.update(sd=sd, se=se, half_width=critical * se, ci_low=out["mean"] - critical * se,
             ci_high=out["mean"] + critical * se,
             mde=minimum_detectable_effect(se, df, alpha, power))
  if sd == 0:  # identical differences: no variation to test against
    out.update(p=1.0 if out["mean"] == 0 else 0.0,
               dz=0.0 if out["mean"] == 0 else math.copysign(math.inf, out["mean"]))
    return out
  t = out["mean"] / se
  out.update(t=t, p=float(2 * scipy_stats.t.sf(abs(t), df)), dz=out["mean"] / sd)
  low, high = _noncentrality_interval(t, df, alpha)
  out.update(dz_low=low * math.sqrt(factor), dz_high=high * math.sqrt(factor))
  return out


def _noncentrality_interval(t: float, df: int, alpha: float) -> tuple:
  """The (1 − alpha) interval of the noncentrality δ given an observed t: nct.cdf(t; δ) equals
  1 − α/2 at the lower end and α/2 at the upper (the cdf falls as δ grows). An end that
  scipy's noncentral t cannot resolve (extreme t on 1–2 degrees of freedom) is NaN."""
  def solve(target):
    f = lambda nc: float(scipy_stats.nct.cdf(t, df, nc)) - target  # noqa: E731
    step = max(10.0, abs(t))
    low, high = t - step, t + step
    for _ in range(20):  # widen until the bracket holds the root
      f_low, f_high = f(low), f(high)
      if not (math.isfinite(f_low) and math.isfinite(f_high)):
        return NAN
      if f_low >= 0 >= f_high:
        try:
          return float(optimize.brentq(f, low, high, xtol=1e-10))
        except ValueError:  # NaN inside the bracket
          return NAN
      low, high = (low - step if f_low < 0 else low), (high + step if f_high > 0 else high)
    return NAN
  return solve(1 - alpha / 2), solve(alpha / 2)


def wilcoxon_floor(n_nonzero: int) -> float:
  """The smallest two-sided p the exact Wilcoxon signed-rank test can give: 2 / 2ⁿ (every
  difference on one side), capped at 1.

  Args:
    n_nonzero: the number of non-zero differences.

  Returns:
    The smallest p (1.0 when n_nonzero is 0).
  """
  return min(1.0, 2.0 / 2 ** n_nonzero) if n_nonzero > 0 else 1.0


def wilcoxon_test(differences, alpha: float = ALPHA) -> dict:
  """Wilcoxon signed-rank test of the differences, with whether it could reject at alpha.

  Returns:
    dict(n_nonzero, floor, usable, p): usable is False when floor >= alpha, i.e. no outcome
    of this n could reject; p is then NaN, so that nothing reads a non-rejection as evidence.
  """
  d = _finite(differences)
  nonzero = int(np.sum(d != 0))
  floor = wilcoxon_floor(nonzero)
  out = dict(n_nonzero=nonzero, floor=floor, usable=floor < alpha, p=NAN)
  if out["usable"]:
    out["p"] = float(scipy_stats.wilcoxon(d, zero_method="wilcox").pvalue)
  return out


def holm(p_values) -> list:
  """Holm–Bonferroni adjusted p-values (NaN stays NaN and does not count as a test).

  Args:
    p_values: the raw p-values.

  Returns:
    The adjusted p-values as a list, in the input order.
  """
  p = np.asarray(p_values, np.float64)
  idx = [i for i in np.argsort(p, kind="stable") if np.isfinite(p[i])]
  m = len(idx)
  adjusted = np.full(p.shape, NAN)
  running = 0.0
  for rank, i in enumerate(idx):
    running = max(running, min(1.0, (m - rank) * p[i]))
    adjusted[i] = running
  return adjusted.tolist()


def holm_by_family(p_values, families) -> list:
  """Holm within each family: p_values[i] is adjusted only against the p's of families[i].

  Args:
    p_values: the raw p-values (NaN: not a test, stays NaN).
    families: one hashable family key per p-value (e.g. the research question).
  Returns:
    The adjusted p-values, in the input order.
  """
  p_values, families = list(p_values), list(families)
  if len(p_values) != len(families):
    raise ValueError(f"holm_by_family: {len(p_values)} p-values but {len(families)} families")
  out = [NAN] * len(p_values)
  for family in dict.fromkeys(families):
    idx = [i for i, f in enumerate(families) if f == family]
    for i, adjusted in zip(idx, holm([p_values[i] for i in idx])):
      out[i] = adjusted
  return out


def mcnemar_counts(only_a: int, only_b: int) -> float:
  """McNemar's exact two-sided p from the discordant counts: Binomial(only_a + only_b, ½).

  Args:
    only_a: tracks only A gets right.
    only_b: tracks only B gets right.

  Returns:
    The p-value (1.0 without discordant tracks).
  """
  if only_a + only_b == 0:
    return 1.0
  return float(scipy_stats.binomtest(int(only_a), int(only_a + only_b), 0.5).pvalue)


def mcnemar(correct_a, correct_b) -> dict:
  """McNemar's exact test: only_a = tracks only A gets right, only_b = only B.

  Args:
    correct_a: per track, whether A is right.
    correct_b: per track, whether B is right (same tracks, same order).

  Returns:
    dict(n, only_a, only_b, p, acc_a, acc_b), the accuracies as fractions in [0, 1].
  """
  a, b = np.asarray(correct_a, bool), np.asarray(correct_b, bool)
  only_a, only_b = int(np.sum(a & ~b)), int(np.sum(~a & b))
  return dict(n=int(a.size), only_a=only_a, only_b=only_b, p=mcnemar_counts(only_a, only_b),
              acc_a=float(a.mean()) if a.size else NAN, acc_b=float(b.mean()) if b.size else NAN)


def ccc(truth, pred) -> float:
  """Lin's CCC with population moments, as jmer.evaluation.metrics.ccc (vectorised over rows).

  Args:
    truth: true values, the last axis the tracks.
    pred: predictions, same shape.

  Returns:
    The CCC per row (an array over the leading axes; a scalar for 1-D input), NaN where
    undefined.
  """
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

  Args:
    truth: true values per track.
    pred_a: A's predictions, same tracks.
    pred_b: B's predictions, same tracks.
    resamples: bootstrap resamples.
    seed: the seed of the resampling.

  Returns:
    dict(n, diff, low, high, p): diff the observed CCC(a) − CCC(b), low/high its 95%
    percentile interval (all NaN below 3 tracks).
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


def tost(mean: float, se: float, df: int, margin: float) -> dict:
  """Two one-sided tests (TOST) of equivalence within ±margin on a t statistic with standard
  error se: H0₋ A − B ≤ −margin against A − B > −margin, and H0₊ A − B ≥ margin against
  A − B < margin. Equivalence is shown at level α when both reject, i.e. when p = max(p₋, p₊)
  is below α (Schuirmann 1987); with the corrected SE of resampled_t_test it is the
  equivalence counterpart of the corrected resampled t-test.

  Args:
    mean: the mean difference A − B.
    se: its (corrected) standard error.
    df: the degrees of freedom of the t statistic.
    margin: the smallest effect of interest (SESOI), > 0, in the metric's units.

  Returns:
    dict(margin, t_lower, p_lower, t_upper, p_upper, p): t_lower = (mean + margin)/se with
    p_lower = P(T ≥ t_lower), t_upper = (mean − margin)/se with p_upper = P(T ≤ t_upper), and
    p their maximum (all NaN without se or df).
  """
  out = dict(margin=float(margin), t_lower=NAN, p_lower=NAN, t_upper=NAN, p_upper=NAN, p=NAN)
  if not (margin > 0 and df >= 1 and math.isfinite(se) and math.isfinite(mean)):
    return out
  if se == 0:  # no variation: the mean is exactly inside or outside the margin
    inside = abs(mean) < margin
    return dict(out, p_lower=0.0 if inside else 1.0, p_upper=0.0 if inside else 1.0,
                p=0.0 if inside else 1.0)
  t_lower, t_upper = (mean + margin) / se, (mean - margin) / se
  p_lower = float(scipy_stats.t.sf(t_lower, df))
  p_upper = float(scipy_stats.t.cdf(t_upper, df))
  return dict(out, t_lower=t_lower, p_lower=p_lower, t_upper=t_upper, p_upper=p_upper,
              p=max(p_lower, p_upper))


def minimum_detectable_effect(se: float, df: int, alpha: float = ALPHA,
                              power: float = POWER) -> float:
  """(t_{1−α/2, df} + t_{power, df})·se: the true difference a two-sided t-test at level alpha
  with this standard error detects with the given power (the usual t-quantile approximation).

  Args:
    se: the (corrected) standard error of the mean difference.
    df: degrees of freedom (n − 1).
    alpha: the level the verdict uses (e.g. α/m for the first step of Holm over m tests).
    power: the wanted power.
  Returns:
    The minimum detectable effect, in the metric's units (NaN without se or df).
  """
  if not (df >= 1 and math.isfinite(se)):
    return NAN
  return float((scipy_stats.t.ppf(1 - alpha / 2, df) + scipy_stats.t.ppf(power, df)) * se)
