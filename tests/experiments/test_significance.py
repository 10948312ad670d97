"""The statistics of suite reports against hand-computed values: the corrected resampled
t-test, its CI, d_z interval and minimum detectable effect, the Wilcoxon floor, Holm within a
family, McNemar once per pair; and reports regenerated from a raw-results file alone."""

import copy
import math
import runpy
import types

import numpy as np
import pytest
from scipy import stats as scipy_stats

from jmer.experiments import compare
from jmer.experiments import formatting
from jmer.experiments import raw_results
from jmer.experiments import report
from jmer.experiments import significance
from jmer.experiments import suite as suite_lib
from jmer.experiments import verdicts

from tests.conftest import REPO

# Five fold differences whose moments are round: mean 0.03; deviations -0.01, 0.01, 0.03,
# -0.03, 0 -> sum of squares 0.002, sample variance 0.002 / 4 = 5e-4, sd = sqrt(5e-4).
DIFFS = [0.02, 0.04, 0.06, 0.00, 0.03]
T_975_DF4 = 2.776445  # t table, 0.975 quantile, 4 degrees of freedom
T_80_DF4 = 0.940965  # t table, 0.8 quantile, 4 degrees of freedom


def t4_two_sided_p(t: float) -> float:
  """The t distribution with 4 df in closed form: F(t) = 1/2 + (3/4)·u·(1 − u²/3), with
  u = t / sqrt(4 + t²); two-sided p = 2·(1 − F(|t|))."""
  u = abs(t) / math.sqrt(4 + t * t)
  return 2 * (0.5 - 0.75 * u * (1 - u * u / 3))


def test_corrected_resampled_t_by_hand():
  # n_test / n_train = 20 / 80 = 0.25; 1/n + 0.25 = 0.45; se = sqrt(0.45 · 5e-4) = 0.015;
  # t = 0.03 / 0.015 = 2 on 4 df: p = 0.116117 (closed form above).
  out = significance.resampled_t_test(DIFFS, test_train_ratio=significance.correction_ratio(80, 20))
  assert out["ratio"] == 0.25 and out["n"] == 5 and out["df"] == 4
  assert out["mean"] == pytest.approx(0.03)
  assert out["sd"] == pytest.approx(math.sqrt(5e-4))
  assert out["se"] == pytest.approx(0.015)
  assert out["t"] == pytest.approx(2.0)
  assert out["p"] == pytest.approx(t4_two_sided_p(2.0), abs=1e-6)
  assert out["p"] == pytest.approx(0.116117, abs=1e-6)
  # CI: 0.03 ± 2.776445 · 0.015 = 0.03 ± 0.041647
  assert out["half_width"] == pytest.approx(T_975_DF4 * 0.015, rel=1e-6)
  assert (out["ci_low"], out["ci_high"]) == pytest.approx((0.03 - 0.041647, 0.03 + 0.041647),
                                                          abs=1e-6)
  # MDE at α = 0.05, power 0.8: (2.776445 + 0.940965) · 0.015 = 0.055761
  assert out["mde"] == pytest.approx((T_975_DF4 + T_80_DF4) * 0.015, rel=1e-6)
  assert out["mde"] == pytest.approx(0.055761, abs=1e-6)
  # d_z = 0.03 / sqrt(5e-4) = 1.341641 whatever the correction
  assert out["dz"] == pytest.approx(0.03 / math.sqrt(5e-4))
  assert out["dz_low"] < 0 < out["dz"] < out["dz_high"]  # the CI covers 0: p > 0.05


def test_without_correction_it_is_the_paired_t_test():
  # ratio 0: se = sqrt(5e-4 / 5) = 0.01, t = 3: p = 0.039942, as scipy's paired t-test says.
  b = np.array([0.70, 0.71, 0.69, 0.72, 0.70])
  out = significance.resampled_t_test(b + DIFFS - b, test_train_ratio=0.0)
  assert out["t"] == pytest.approx(3.0) and out["p"] == pytest.approx(t4_two_sided_p(3.0))
  assert out["p"] == pytest.approx(scipy_stats.ttest_rel(b + DIFFS, b).pvalue)
  # The correction only widens: the same differences with n_test/n_train = 0.25 give p 0.116.
  assert significance.resampled_t_test(DIFFS, test_train_ratio=0.25)["p"] > out["p"]


def test_dz_interval_at_zero_effect_is_the_normal_quantile():
  # Mean 0 gives t = 0, and P(T < 0 | ncp δ) = Φ(−δ) exactly; the upper end solves
  # Φ(−δ) = 0.025: δ = 1.959964, so d_z's upper end is 1.959964 · sqrt(1/5 + 0.25).
  out = significance.resampled_t_test([-0.01, 0.01, -0.02, 0.02, 0.0], test_train_ratio=0.25)
  assert out["dz"] == 0.0
  assert out["dz_high"] == pytest.approx(1.959964 * math.sqrt(0.45), abs=1e-5)
  assert out["dz_low"] == pytest.approx(-out["dz_high"], abs=1e-6)


def t4_quantile(q: float) -> float:
  """The q quantile of t with 4 df, inverting the closed form: solve (3/4)u − u³/4 = q − 1/2
  for u in (0, 1), then t = 2u / sqrt(1 − u²)."""
  roots = np.roots([-0.25, 0.0, 0.75, 0.5 - q])
  u = next(r.real for r in roots if abs(r.imag) < 1e-12 and 0 <= r.real < 1)
  return 2 * u / math.sqrt(1 - u * u)


def test_minimum_detectable_effect_grows_as_alpha_shrinks():
  assert (t4_quantile(0.975), t4_quantile(0.8)) == pytest.approx((T_975_DF4, T_80_DF4),
                                                                 abs=1e-6)
  assert significance.minimum_detectable_effect(0.015, 4) == pytest.approx(0.055761, abs=1e-6)
  # At α/4 = 0.0125 (Holm's first step over 4 tests): (t_{0.99375, 4} + t_{0.8, 4}) · 0.015
  wide = significance.minimum_detectable_effect(0.015, 4, alpha=0.05 / 4)
  assert wide == pytest.approx((t4_quantile(1 - 0.0125 / 2) + T_80_DF4) * 0.015, abs=1e-7)
  assert wide > 0.055761
  assert math.isnan(significance.minimum_detectable_effect(0.015, 0))


def test_too_few_or_identical_differences():
  one = significance.resampled_t_test([0.1], test_train_ratio=0.25)
  assert one["n"] == 1 and math.isnan(one["p"]) and math.isnan(one["mde"])
  same = significance.resampled_t_test([0.02, 0.02, 0.02], test_train_ratio=0.25)
  assert same["p"] == 0.0 and same["dz"] == math.inf
  # Two nearly equal differences: t ≈ 10⁵ on 1 df, beyond scipy's noncentral t. The test
  # still answers; the d_z interval end it cannot resolve is NaN rather than an error.
  extreme = significance.resampled_t_test([0.5, 0.50001], test_train_ratio=0.0)
  assert extreme["p"] < 0.001 and math.isnan(extreme["dz_low"])
  with pytest.raises(ValueError, match="n_train > 0"):
    significance.correction_ratio(0, 20)


def test_mean_sd_is_the_sample_sd():
  mean, sd, n = significance.mean_sd([1.0, 2.0, 4.0, float("nan")])
  assert (mean, n) == (pytest.approx(7 / 3), 3)
  assert sd == pytest.approx(math.sqrt(7 / 3))  # squares 16/9 + 1/9 + 25/9 = 42/9, / 2


@pytest.mark.parametrize("n, floor, usable", [(3, 0.25, False), (5, 0.0625, False),
                                              (6, 0.03125, True)])
def test_wilcoxon_floor_is_two_over_two_to_the_n(n, floor, usable):
  differences = [0.01 * (i + 1) for i in range(n)] + [0.0]  # a zero difference does not count
  out = significance.wilcoxon_test(differences)
  assert out["n_nonzero"] == n and out["floor"] == floor and out["usable"] is usable
  if usable:  # all on one side: the exact p is the floor itself
    assert out["p"] == pytest.approx(floor)
  else:
    assert math.isnan(out["p"])
    assert verdicts.wilcoxon_text(out) == f"n/a (n = {n}: p ≥ {floor:.3g})"


def test_holm_within_each_family_not_across():
  p = [0.01, 0.04, 0.03, 0.02]
  # q1: 0.01·2 = 0.02, then max(0.02, 0.04·1) = 0.04; q2: 0.02·2 = 0.04, max(0.04, 0.03) = 0.04
  assert significance.holm_by_family(p, ["q1", "q1", "q2", "q2"]) == pytest.approx(
      [0.02, 0.04, 0.04, 0.04])
  # One family of four: 0.04, then 0.02·3 = 0.06, and the rest stay at 0.06.
  assert significance.holm(p) == pytest.approx([0.04, 0.06, 0.06, 0.06])
  with pytest.raises(ValueError, match="4 p-values but 3 families"):
    significance.holm_by_family(p, ["q1", "q1", "q2"])


def test_mcnemar_counts_discordant_tracks_and_uses_the_exact_binomial():
  a = [True] * 6 + [False] * 2 + [True] * 10
  b = [False] * 6 + [True] * 2 + [True] * 10
  out = significance.mcnemar(a, b)
  assert (out["only_a"], out["only_b"]) == (6, 2)
  assert out["p"] == pytest.approx(2 * (1 + 8 + 28) / 256)  # P(X <= 2 | n=8) doubled
  assert significance.mcnemar_counts(0, 0) == 1.0


def test_mean_ci_is_the_t_interval():
  mean, half, n = significance.mean_ci([1.0, 2.0, 4.0])
  # mean 7/3, sample sd sqrt(7/3), t(0.975, 2) = 4.302653
  assert (mean, n) == (pytest.approx(7 / 3), 3)
  assert half == pytest.approx(4.302653 * math.sqrt(7 / 3) / math.sqrt(3), rel=1e-6)
  assert significance.mean_ci([float("nan"), 5.0])[:2] == (5.0, pytest.approx(float("nan"), nan_ok=True))


def test_holm_adjusts_in_order_and_keeps_monotone():
  # sorted 0.01, 0.02, 0.04 -> 3*0.01, max(0.03, 2*0.02), max(0.04, 1*0.04)
  assert significance.holm([0.04, 0.01, 0.02, float("nan")])[:3] == pytest.approx([0.04, 0.03, 0.04])
  assert math.isnan(significance.holm([0.04, 0.01, 0.02, float("nan")])[3])


def test_bootstrap_of_identical_predictions_is_zero_and_of_a_better_one_is_positive():
  rng = np.random.default_rng(0)
  truth = rng.uniform(-1, 1, 60)
  good, bad = truth + rng.normal(0, 0.1, 60), rng.uniform(-1, 1, 60)
  same = significance.paired_bootstrap_ccc(truth, good, good, resamples=200)
  assert same["diff"] == 0 and same["low"] == 0 and same["high"] == 0
  better = significance.paired_bootstrap_ccc(truth, good, bad, resamples=500)
  assert better["low"] > 0 and better["p"] < 0.01


# --- a synthetic raw-results file: 2 questions, 5 folds -------------------------------------
GENRES = ["blues", "jazz"]


def _raw(strong=0.10) -> dict:
  """Three cells on 5 folds of a 100-track genre set (80 train / 20 test per fold): `big`
  beats `base` by `strong` macro-F1 every fold (plus a little noise), `same` ties `base`."""
  noise = [0.004, -0.003, 0.002, -0.001, -0.002]
  base = [0.70, 0.72, 0.68, 0.71, 0.69]
  scores = dict(base=base, big=[b + strong + e for b, e in zip(base, noise)],
                same=[b + e for b, e in zip(base, noise)])
  runs, predictions = [], {}
  for cell, values in scores.items():
    for fold, value in enumerate(values):
      runs.append(dict(cell=cell, repeat=f"fold_{fold}", split_seed=0, best_epoch=5,
                       epochs_done=5, wall_seconds=1.0, n_train={"genre": 80},
                       n_test={"genre": 20},
                       metrics={"genre macro-F1": value, "genre accuracy": value + 0.01},
                       per_class_f1={"genre": {"blues": value, "jazz": value}},
                       confusion={"genre": dict(classes=GENRES, matrix=[[9, 1], [2, 8]])}))
      rows = []
      for track in range(20):
        truth = GENRES[track % 2]
        right = track < (19 if cell == "big" else 16)
        rows.append(["set", f"{fold}_{track}", truth, truth if right else GENRES[1 - track % 2],
                     "", "", None, None, None, None])
      predictions[raw_results.prediction_key(cell, 0, f"fold_{fold}")] = rows
  return dict(
      format=raw_results.FORMAT,
      suite=dict(name="synthetic", file="experiments/x.py", command="python -m x", quick=False,
                 description="a made-up suite", repeats=dict(by="fold", n=5), split_seed=0,
                 cells={c: dict(label=c, config="configs/test.py") for c in scores},
                 experiments=[dict(title="Bigger", question="Does big win?",
                                   pairs=[["big", "base"]]),
                              dict(title="Same", question="Does same tie?",
                                   pairs=[["same", "base"], ["big", "same"]])]),
      source="a test", text=dict(data=["## Data", "", "made up", ""],
                                 method=["## Method", "", "made up", ""], footer=[]),
      runs=runs, predictions=dict(columns=list(raw_results.PREDICTION_COLUMNS),
                                  runs=predictions))


def test_holm_families_are_questions_and_only_the_primary_metric_enters():
  rows = compare.repeat_rows(_raw())
  primary = [r for r in rows if r["primary"]]
  assert [r["metric"].label for r in primary] == ["genre macro-F1"] * 3
  assert {r["metric"].label for r in rows if not r["primary"]} == {"genre accuracy"}
  by_pair = {(r["a"], r["b"]): r for r in primary}
  # Question 1 has one primary test: Holm changes nothing. Question 2 has two.
  assert by_pair[("big", "base")]["holm_p"] == pytest.approx(by_pair[("big", "base")]["test"]["p"])
  assert by_pair[("big", "base")]["family_size"] == 1
  q2 = [by_pair[("same", "base")], by_pair[("big", "same")]]
  assert [r["family_size"] for r in q2] == [2, 2]
  assert significance.holm([r["test"]["p"] for r in q2]) == pytest.approx([r["holm_p"] for r in q2])
  # The MDE of a primary row uses α / m: larger in the two-test question for the same se.
  same = by_pair[("same", "base")]
  assert same["mde"] == pytest.approx(significance.minimum_detectable_effect(
      same["test"]["se"], 4, alpha=0.025))
  assert all(math.isnan(r["holm_p"]) for r in rows if not r["primary"])


def test_a_question_can_name_its_primary_metrics(tmp_path):
  """experiments/mood_networks.py asks about quadrant macro-F1 with genre's secondary: a
  question's `primary` entry moves the other macro-F1 out of its Holm family."""
  raw = _raw()
  raw["suite"]["experiments"][1]["primary"] = ["quadrant macro-F1"]
  rows = compare.repeat_rows(raw)
  q1 = [r for r in rows if r["experiment"] == 1 and r["metric"].label == "genre macro-F1"]
  q2 = [r for r in rows if r["experiment"] == 2 and r["metric"].label == "genre macro-F1"]
  assert [r["primary"] for r in q1] == [True] and not any(r["primary"] for r in q2)
  assert all(math.isnan(r["holm_p"]) and r["family_size"] == 1 for r in q2)
  assert q1[0]["holm_p"] == pytest.approx(q1[0]["test"]["p"])
  markdown = report.render(raw, tmp_path, draw=False)
  assert ("Primary metric of this question: quadrant macro-F1; genre macro-F1 is secondary "
          "here (unadjusted, outside the Holm family).") in markdown


@pytest.mark.parametrize("primary", ["quadrant macro-F1", (), ("quadrant accuracy",)])
def test_a_question_primary_must_name_macro_f1_metrics(tmp_path, primary):
  path = tmp_path / "bad.py"
  path.write_text("SUITE = dict(name='x', repeats=dict(by='seed', n=2), "
                  "cells={'a': dict(config='configs/test.py'), 'b': dict(config='configs/test.py')}, "
                  f"experiments=[dict(title='t', pairs=[('a', 'b')], primary={primary!r})])\n")
  with pytest.raises(suite_lib.SuiteError, match="expected a tuple of metrics among"):
    suite_lib.load_suite(path)


def test_mcnemar_runs_once_per_pair_and_task():
  raw = _raw()
  tracks = compare.track_rows(raw)
  # Two genre metrics per pair, but one McNemar per pair: 3 pairs, 3 tests.
  assert [(r["a"], r["b"], r["task"]) for r in tracks] == [
      ("big", "base", "genre"), ("same", "base", "genre"), ("big", "same", "genre")]
  big = tracks[0]["test"]
  # 5 folds × 20 tracks; big gets tracks 0-18 right, base 0-15: 3 per fold only by big.
  assert (big["n"], big["only_a"], big["only_b"]) == (100, 15, 0)
  assert big["p"] == pytest.approx(2 * 0.5 ** 15)
  assert tracks[1]["test"]["p"] == 1.0  # same predictions: no discordant track


def test_report_states_supported_differences_and_the_mde_of_the_rest(tmp_path):
  markdown = report.render(_raw(), tmp_path)
  rows = {(r["a"], r["b"]): r for r in compare.repeat_rows(_raw()) if r["primary"]}
  big, same = rows[("big", "base")], rows[("same", "base")]
  assert big["holm_p"] < 0.05 and not same["holm_p"] < 0.05
  assert f"`big` better: {verdicts.ci_text(big)}" in markdown
  assert f"not detected (MDE {formatting.fmt(same['mde'])})" in markdown
  assert "- **Bigger:** `big` is better than `base` on genre macro-F1 by 0.100" in markdown
  assert "n/a (n = 5: p ≥ 0.0625)" in markdown and "cannot go below p = 0.25" not in markdown
  # base's folds: mean 0.70, squared deviations sum to 0.001, SD sqrt(0.001 / 4) = 0.016
  assert "| `base` | 0.710 ± 0.016 | 0.700 ± 0.016 |" in markdown  # accuracy, macro-F1
  assert "Per-class F1 (genre; mean over repeats)" in markdown
  for name in ("differences_1.png", "differences_2.png", "confusion_genre.png"):
    assert (tmp_path / "figures" / name).stat().st_size > 1000


def test_raw_results_file_round_trips_and_names_bad_entries(tmp_path):
  path = raw_results.write(_raw(), tmp_path / raw_results.FILE_NAME)
  assert raw_results.load(path) == _raw()
  bad = _raw()
  bad["runs"][3]["metrics"]["genre F2"] = 0.5
  raw_results.write(bad, path)
  with pytest.raises(ValueError, match=r"raw_results.json: runs\[3\] \(base/fold_3\) has "
                                       r"unknown metric\(s\) \['genre F2'\]"):
    raw_results.load(path)
  bad = _raw()
  bad["format"] = 99
  raw_results.write(bad, path)
  with pytest.raises(ValueError, match="format 99"):
    raw_results.load(path)


def _recompute_module():
  """experiments/recompute.py's functions (a script, not a package module: run, not imported;
  run_name keeps its main from running)."""
  return types.SimpleNamespace(**runpy.run_path(str(REPO / "experiments" / "recompute.py"),
                                                run_name="recompute"))


def test_recompute_regenerates_a_report_and_fails_on_drift(tmp_path, capsys):
  recompute = _recompute_module()
  folder = tmp_path / "synthetic"
  raw_results.write(_raw(), folder / raw_results.FILE_NAME)
  assert recompute.main([str(folder), "--write"]) == 0
  assert recompute.main([str(folder)]) == 0
  # A number edited in the committed report is drift...
  text = (folder / "REPORT.md").read_text()
  (folder / "REPORT.md").write_text(text.replace("0.700 ± 0.016", "0.710 ± 0.016"))
  assert recompute.main([str(folder)]) == 1
  assert "DRIFT" in capsys.readouterr().out
  # ... and so is a changed raw number under an unchanged report.
  (folder / "REPORT.md").write_text(text)
  changed = copy.deepcopy(_raw())
  changed["runs"][0]["metrics"]["genre macro-F1"] = 0.5
  raw_results.write(changed, folder / raw_results.FILE_NAME)
  assert recompute.main([str(folder)]) == 1


def test_every_committed_report_equals_its_regeneration_from_raw_results():
  recompute = _recompute_module()
  folders = recompute.folders(REPO / "experiments" / "results")
  assert {f.name for f in folders} >= {"builtin", "real", "real_audio", "real_music",
                                        "real_pooled"}
  for folder in folders:
    assert recompute.check_folder(folder) == [], f"{folder}: a report drifted from its raw results"


def test_split_seeds_merge_into_r_times_k_pairs():
  second = _raw()
  for run in second["runs"]:
    run["split_seed"] = 1
  second["predictions"]["runs"] = {k.replace("/0/", "/1/"): v
                                   for k, v in second["predictions"]["runs"].items()}
  merged = raw_results.merge([_raw(), second])
  rows = {(r["a"], r["b"]): r for r in compare.repeat_rows(merged) if r["primary"]}
  # 2 split seeds × 5 folds = 10 paired differences, df 9, each fold's pair kept apart.
  assert rows[("big", "base")]["test"]["n"] == 10 and rows[("big", "base")]["test"]["df"] == 9
  big = [t for t in compare.track_rows(merged) if (t["a"], t["b"]) == ("big", "base")][0]
  assert big["test"]["n"] == 100  # tracks pooled over split seeds (vote), each counted once
  assert "**Split seeds 0, 1.**" in "\n".join(merged["text"]["data"])
  with pytest.raises(ValueError, match="split seed 0 is in two"):
    raw_results.merge([_raw(), _raw()])
