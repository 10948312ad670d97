"""The words a report uses for a comparison, derived from its test and nothing else.

A primary difference is stated as a difference (with its CI) only when the Holm-adjusted
corrected t-test rejects at ALPHA within its question; otherwise it is "not detected", with
the minimum detectable effect (MDE) of the design, so that a reader sees how large an effect
could have gone unseen. Secondary metrics follow the unadjusted test and say so.

Where the suite pre-registered a smallest effect of interest (SESOI) for the metric, a
primary row has three outcomes: "A − B = x [CI]" when the difference test rejects,
"equivalent within ±SESOI" when the equivalence test (TOST at ±SESOI, Holm-adjusted within
the question) rejects, otherwise "inconclusive: not detected (MDE x), not shown equivalent
within ±SESOI".
"""

import math

from jmer.experiments import formatting
from jmer.experiments import significance

ALPHA = significance.ALPHA
fmt = formatting.fmt
MDE = "MDE"  # how "not detected" names the minimum detectable effect: 'not detected (MDE x)'
COULD_DETECT = "could detect ≥"  # or in words: 'not detected (could detect ≥ x)'


def fmt_p(p) -> str:
  """A p-value as report text.

  Args:
    p: the p-value, or None / NaN when there is none.

  Returns:
    '–' for a missing p, '<0.001' below 0.001, else p to three decimals.
  """
  if p is None or math.isnan(p):
    return "–"
  return "<0.001" if p < 0.001 else f"{p:.3f}"


def p_is(p) -> str:
  """'= 0.046' or '< 0.001', to follow a 'p'.

  Args:
    p: the p-value, or None / NaN.

  Returns:
    '< 0.001' or '= ' followed by fmt_p(p).
  """
  text = fmt_p(p)
  return "< 0.001" if text == "<0.001" else f"= {text}"


def detected(row) -> bool:
  """Whether the row's decision rule rejects: Holm-adjusted p (primary) or p (secondary).

  Args:
    row: a comparison row of compare (keys 'primary', 'holm_p', 'test').

  Returns:
    True when the deciding p is below ALPHA.
  """
  p = row["holm_p"] if row["primary"] else row["test"]["p"]
  return bool(p < ALPHA)


def direction(row) -> str:
  """'better' or 'worse' for A against B, by the sign of A − B and the metric's direction.

  Args:
    row: a comparison row (keys 'test' with the mean of A − B, and 'metric').

  Returns:
    'better' or 'worse'.
  """
  return "better" if (row["test"]["mean"] > 0) == row["metric"].higher_is_better else "worse"


def ci_text(row) -> str:
  """The mean difference A − B with its 95% CI.

  Args:
    row: a comparison row (key 'test' with 'mean', 'ci_low', 'ci_high').

  Returns:
    'mean [low, high]', each in the metric's units.
  """
  return formatting.interval_text(row["test"])


def not_detected(mde, words: str = MDE) -> str:
  """What a report says of a difference its test did not detect.

  Args:
    mde: the design's minimum detectable effect.
    words: how the MDE is introduced: MDE or COULD_DETECT.

  Returns:
    'not detected (MDE x)' or 'not detected (could detect ≥ x)'.
  """
  return f"not detected ({words} {fmt(mde)})"


def difference_verdict(test: dict, p, better: str, worse: str, mde_words: str = MDE,
                       family_size: int = 1) -> str:
  """The verdict on one difference A − B (higher is better) from its test and deciding p.

  Args:
    test: the test dict (significance.resampled_t_test: 'mean', 'se', 'df').
    p: the p that decides: Holm-adjusted within its family, or unadjusted where the report
      says so.
    better: the words when A − B > 0 is detected, e.g. 'joint better'.
    worse: the words when A − B < 0 is detected.
    mde_words: how "not detected" introduces the MDE (not_detected).
    family_size: the tests in p's Holm family: the MDE is computed at ALPHA / family_size,
      the level Holm's first step needs (1 for an unadjusted p).

  Returns:
    `better` or `worse` when p < ALPHA, else not_detected(MDE at ALPHA / family_size).
  """
  if p < ALPHA:
    return better if test["mean"] > 0 else worse
  mde = significance.minimum_detectable_effect(test["se"], test["df"],
                                               ALPHA / max(family_size, 1))
  return not_detected(mde, mde_words)


def equivalent(row) -> bool:
  """Whether the row's equivalence test (TOST at ±SESOI, Holm within the question) rejects.

  Args:
    row: a comparison row of compare (without a SESOI: never equivalent).

  Returns:
    True when the Holm-adjusted TOST p is below ALPHA.
  """
  return bool(row.get("tost_holm_p", math.nan) < ALPHA)


def inconclusive(row) -> str:
  """The words for a row with a SESOI that is neither detected nor shown equivalent."""
  return (f"inconclusive: {not_detected(row['mde'])}, not shown equivalent within "
          f"±{fmt(row['sesoi'])}")


def verdict(row) -> str:
  """'A better by d [CI]' / 'A worse by …' when detected, else 'not detected (MDE x)'.

  Args:
    row: a comparison row of compare.

  Returns:
    The verdict text for a report table cell.
  """
  if "sesoi" in row:  # a pre-registered SESOI: difference, equivalence or inconclusive
    if detected(row):
      return f"A − B = {ci_text(row)}"
    return f"equivalent within ±{fmt(row['sesoi'])}" if equivalent(row) else inconclusive(row)
  if detected(row):
    return (f"`{row['a']}` {direction(row)}{'' if row['primary'] else ' (unadjusted)'}: "
            f"{ci_text(row)}")
  return not_detected(row["mde"])


def dz_text(row) -> str:
  """The standardised paired effect size d_z with its CI.

  Args:
    row: a comparison row (key 'test' with 'dz', 'dz_low', 'dz_high').

  Returns:
    'dz [low, high]', two decimals, unitless.
  """
  t = row["test"]
  return f"{fmt(t['dz'], 2)} [{fmt(t['dz_low'], 2)}, {fmt(t['dz_high'], 2)}]"


def wilcoxon_text(w) -> str:
  """The Wilcoxon signed-rank p, or why it cannot be used.

  Args:
    w: the Wilcoxon result (keys 'usable', 'p', 'n_nonzero', 'floor').

  Returns:
    fmt_p of p when usable, else 'n/a' with the number of non-zero differences and the
    smallest p they allow.
  """
  if w["usable"]:
    return fmt_p(w["p"])
  return f"n/a (n = {w['n_nonzero']}: p ≥ {w['floor']:.3g})"


def sentence(row) -> str:
  """One sentence per primary comparison: the numbers, then what they support.

  Args:
    row: a primary comparison row of compare.

  Returns:
    The sentence: both means, A − B with CI, d_z, the p-values, then the finding or the MDE.
  """
  t, m = row["test"], row["metric"]
  kind = "corrected" if t["ratio"] else "paired"
  head = (f"On {m.label}, `{row['a']}` scores {fmt(row['mean_a'])} and `{row['b']}` "
          f"{fmt(row['mean_b'])}; A − B = {ci_text(row)} (95% CI, {kind}), d_z = "
          f"{dz_text(row)}, {kind} t p {p_is(t['p'])}, Holm-adjusted within the question "
          f"p {p_is(row['holm_p'])}: ")
  if detected(row):
    return head + f"`{row['a']}` is {direction(row)} by {fmt(abs(t['mean']))}."
  text = (f"no difference detected; this design could detect a difference of "
          f"{fmt(row['mde'])} or more (80% power at α/{row['family_size']}).")
  if "sesoi" in row:
    shown = "shown" if equivalent(row) else "not shown"
    text = text[:-1] + (f"; TOST at ±{fmt(row['sesoi'])} Holm p {p_is(row['tost_holm_p'])}: "
                        f"equivalence {shown}.")
  return head + text


def track_text(row) -> str:
  """A per-track comparison in words.

  Args:
    row: a per-track row of compare ('kind' 'mcnemar' or the paired CCC bootstrap).

  Returns:
    The McNemar discordant counts, or the bootstrap ΔCCC with its interval, over n tracks.
  """
  t = row["test"]
  if row["kind"] == "mcnemar":
    return (f"McNemar on {t['n']} tracks: {t['only_a']} right only by `{row['a']}`, "
            f"{t['only_b']} only by `{row['b']}`")
  return (f"paired bootstrap over {t['n']} tracks: ΔCCC {fmt(t['diff'])} "
          f"[{fmt(t['low'])}, {fmt(t['high'])}]")


def question_summary(title: str, rows: list, tracks: list) -> str:
  """The conclusion line of one research question, from its primary rows.

  Args:
    title: the question's title.
    rows: the question's comparison rows (primary and secondary).
    tracks: the question's per-track rows.

  Returns:
    One markdown bullet: the detected differences, the MDE range of the others, and any
    McNemar difference that survives Holm.
  """
  primary = [r for r in rows if r["primary"]]
  if not primary:
    return f"- **{title}:** not enough finished repeats to say."
  found = [r for r in primary if detected(r)]
  same = [r for r in primary if not detected(r) and equivalent(r)]
  missed = [r for r in primary if not detected(r) and not equivalent(r)]
  parts = [f"`{r['a']}` is {direction(r)} than `{r['b']}` on {r['metric'].label} by "
           f"{fmt(abs(r['test']['mean']))} (95% CI {fmt(r['test']['ci_low'])} to "
           f"{fmt(r['test']['ci_high'])}, Holm p {p_is(r['holm_p'])})" for r in found]
  if missed:
    mdes = [r["mde"] for r in missed if math.isfinite(r["mde"])]
    span = (f"MDE {fmt(min(mdes))}–{fmt(max(mdes))}" if len(set(map(fmt, mdes))) > 1
            else f"MDE {fmt(mdes[0])}") if mdes else "MDE –"
    parts.append(f"no difference detected in {'the other ' if found or same else ''}"
                 f"{len(missed)} comparison(s) ({span})"
                 + (", none shown equivalent" if any("sesoi" in r for r in missed) else ""))
  parts[len(found):len(found)] = [
      f"`{r['a']}` and `{r['b']}` are equivalent on {r['metric'].label} within "
      f"±{fmt(r['sesoi'])} (TOST Holm p {p_is(r['tost_holm_p'])})" for r in same]
  track_found = [r for r in tracks if r["kind"] == "mcnemar" and r["holm_p"] < ALPHA]
  line = f"- **{title}:** " + "; ".join(parts) + "."
  if track_found:
    line += " Per track (McNemar, Holm within the question): " + "; ".join(
        f"`{r['a']}` vs `{r['b']}` on {r['task']}, {r['test']['only_a']} vs "
        f"{r['test']['only_b']} discordant tracks (Holm p {p_is(r['holm_p'])})"
        for r in track_found) + "."
  return line
