"""Equivalence within a pre-registered smallest effect of interest (SESOI): TOST on the
corrected t statistic against a hand computation, the three verdicts (difference, equivalent,
inconclusive), and reports without a SESOI keeping their words."""

import copy
import math

import pytest
from scipy import special

from jmer.experiments import compare
from jmer.experiments import formatting
from jmer.experiments import report
from jmer.experiments import results
from jmer.experiments import significance
from jmer.experiments import verdicts

from tests.experiments.test_significance import _raw


def one_sided_t_tail(t: float, df: int) -> float:
  """P(T ≥ t) for Student's t on df degrees of freedom, from the regularised incomplete beta
  function (the textbook identity P(|T| ≥ |t|) = I_{df/(df+t²)}(df/2, 1/2))."""
  two_sided = special.betainc(df / 2, 0.5, df / (df + t * t))
  return two_sided / 2 if t >= 0 else 1 - two_sided / 2


def test_tost_by_hand():
  # Mean difference 0.005 with SE 0.01 on 14 df, SESOI 0.03:
  # lower test t = (0.005 + 0.03) / 0.01 = 3.5, p = P(T ≥ 3.5) ≈ 0.0018 (t table: between
  # 0.001 at 3.787 and 0.0025 at 3.326); upper test t = (0.005 − 0.03) / 0.01 = −2.5,
  # p = P(T ≤ −2.5) ≈ 0.0127 (t table: between 0.01 at 2.624 and 0.025 at 2.145).
  out = significance.tost(0.005, 0.01, 14, 0.03)
  assert out["t_lower"] == pytest.approx(3.5) and out["t_upper"] == pytest.approx(-2.5)
  assert out["p_lower"] == pytest.approx(one_sided_t_tail(3.5, 14), rel=1e-9)
  assert out["p_upper"] == pytest.approx(one_sided_t_tail(2.5, 14), rel=1e-9)
  assert 0.001 < out["p_lower"] < 0.0025 and 0.01 < out["p_upper"] < 0.025
  assert out["p"] == out["p_upper"]  # both must reject: the larger p decides
  # A mean at the margin can never be shown equivalent; no SE, no test.
  assert significance.tost(0.03, 0.01, 14, 0.03)["p"] == pytest.approx(0.5)
  assert math.isnan(significance.tost(0.0, math.nan, 14, 0.03)["p"])


def _row(mean, se, holm_p, tost_holm_p, sesoi=0.03, mde=0.05):
  test = dict(mean=mean, se=se, df=14, ci_low=mean - 2 * se, ci_high=mean + 2 * se)
  return dict(a="joint", b="single", metric=results.metrics_by_label()["genre macro-F1"],
              primary=True, test=test, holm_p=holm_p, mde=mde, family_size=2, sesoi=sesoi,
              tost_holm_p=tost_holm_p)


def test_the_three_verdicts_with_a_sesoi():
  assert verdicts.verdict(_row(0.06, 0.01, 0.001, 0.9)) == "A − B = 0.060 [0.040, 0.080]"
  assert verdicts.verdict(_row(0.002, 0.005, 0.7, 0.01)) == "equivalent within ±0.030"
  assert verdicts.verdict(_row(0.01, 0.02, 0.6, 0.3)) == (
      "inconclusive: not detected (MDE 0.050), not shown equivalent within ±0.030")
  # Without a SESOI the words are the old ones.
  row = _row(0.01, 0.02, 0.6, 0.3)
  del row["sesoi"], row["tost_holm_p"]
  assert verdicts.verdict(row) == "not detected (MDE 0.050)"


def test_equivalence_is_holm_adjusted_within_the_question_and_reported(tmp_path):
  raw = copy.deepcopy(_raw())
  raw["suite"].update(sesoi={"genre macro-F1": 0.03}, preregistration="experiments/p.md",
                      preregistration_commit="abc123")
  rows = {(r["a"], r["b"]): r for r in compare.repeat_rows(raw) if r["primary"]}
  same, big = rows[("same", "base")], rows[("big", "same")]
  for row in (same, big):
    t = row["test"]
    assert row["tost"] == significance.tost(t["mean"], t["se"], t["df"], 0.03)
  # Question 2 holds two primary rows: their TOST p's are one Holm family.
  assert [same["tost_holm_p"], big["tost_holm_p"]] == pytest.approx(
      significance.holm([same["tost"]["p"], big["tost"]["p"]]))
  assert same["tost_holm_p"] < 0.05 and not same["holm_p"] < 0.05
  markdown = report.render(raw, tmp_path, draw=False)
  assert "Pre-registered in `experiments/p.md` at commit abc123." in markdown
  assert "| SESOI | TOST Holm p |" in markdown
  assert "| equivalent within ±0.030 |" in markdown
  assert f"A − B = {formatting.interval_text(big['test'])}" in markdown
  assert "`same` and `base` are equivalent on genre macro-F1 within ±0.030" in markdown
  plain = report.render(_raw(), tmp_path, draw=False)
  assert "TOST" not in plain and "equivalent" not in plain and "Pre-registered" not in plain


def test_analysis_verdicts_give_the_mde_at_the_holm_level():
  test = significance.resampled_t_test([0.02, -0.01, 0.03, 0.0, 0.01], test_train_ratio=0.25)
  words = verdicts.difference_verdict(test, 0.5, "better", "worse", family_size=2)
  mde = significance.minimum_detectable_effect(test["se"], test["df"], 0.025)
  assert words == f"not detected (MDE {formatting.fmt(mde)})" and mde > test["mde"]
