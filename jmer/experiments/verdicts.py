"""The words a report uses for a comparison, derived from its test and nothing else.

A primary difference is stated as a difference (with its CI) only when the Holm-adjusted
corrected t-test rejects at ALPHA within its question; otherwise it is "not detected", with
the minimum detectable effect (MDE) of the design, so that a reader sees how large an effect
could have gone unseen. Secondary metrics follow the unadjusted test and say so.
"""

import math

from jmer.experiments import compare

ALPHA = compare.ALPHA
fmt = compare.fmt


def fmt_p(p) -> str:
  if p is None or math.isnan(p):
    return "–"
  return "<0.001" if p < 0.001 else f"{p:.3f}"


def p_is(p) -> str:
  """'= 0.046' or '< 0.001', to follow a 'p'."""
  text = fmt_p(p)
  return "< 0.001" if text == "<0.001" else f"= {text}"


def detected(row) -> bool:
  """Whether the row's decision rule rejects: Holm-adjusted p (primary) or p (secondary)."""
  p = row["holm_p"] if row["primary"] else row["test"]["p"]
  return bool(p < ALPHA)


def direction(row) -> str:
  """'better' or 'worse' for A against B, by the sign of A − B and the metric's direction."""
  return "better" if (row["test"]["mean"] > 0) == row["metric"].higher_is_better else "worse"


def ci_text(row) -> str:
  t = row["test"]
  return f"{fmt(t['mean'])} [{fmt(t['ci_low'])}, {fmt(t['ci_high'])}]"


def verdict(row) -> str:
  """'A better by d [CI]' / 'A worse by …' when detected, else 'not detected (MDE x)'."""
  if detected(row):
    return (f"`{row['a']}` {direction(row)}{'' if row['primary'] else ' (unadjusted)'}: "
            f"{ci_text(row)}")
  return f"not detected (MDE {fmt(row['mde'])})"


def dz_text(row) -> str:
  t = row["test"]
  return f"{fmt(t['dz'], 2)} [{fmt(t['dz_low'], 2)}, {fmt(t['dz_high'], 2)}]"


def wilcoxon_text(w) -> str:
  if w["usable"]:
    return fmt_p(w["p"])
  return f"n/a (n = {w['n_nonzero']}: p ≥ {w['floor']:.3g})"


def sentence(row) -> str:
  """One sentence per primary comparison: the numbers, then what they support."""
  t, m = row["test"], row["metric"]
  kind = "corrected" if t["ratio"] else "paired"
  head = (f"On {m.label}, `{row['a']}` scores {fmt(row['mean_a'])} and `{row['b']}` "
          f"{fmt(row['mean_b'])}; A − B = {ci_text(row)} (95% CI, {kind}), d_z = "
          f"{dz_text(row)}, {kind} t p {p_is(t['p'])}, Holm-adjusted within the question "
          f"p {p_is(row['holm_p'])}: ")
  if detected(row):
    return head + f"`{row['a']}` is {direction(row)} by {fmt(abs(t['mean']))}."
  return head + (f"no difference detected; this design could detect a difference of "
                 f"{fmt(row['mde'])} or more (80% power at α/{row['family_size']}).")


def track_text(row) -> str:
  t = row["test"]
  if row["kind"] == "mcnemar":
    return (f"McNemar on {t['n']} tracks: {t['only_a']} right only by `{row['a']}`, "
            f"{t['only_b']} only by `{row['b']}`")
  return (f"paired bootstrap over {t['n']} tracks: ΔCCC {fmt(t['diff'])} "
          f"[{fmt(t['low'])}, {fmt(t['high'])}]")


def question_summary(title: str, rows: list, tracks: list) -> str:
  """The conclusion line of one research question, from its primary rows."""
  primary = [r for r in rows if r["primary"]]
  if not primary:
    return f"- **{title}:** not enough finished repeats to say."
  found = [r for r in primary if detected(r)]
  missed = [r for r in primary if not detected(r)]
  parts = [f"`{r['a']}` is {direction(r)} than `{r['b']}` on {r['metric'].label} by "
           f"{fmt(abs(r['test']['mean']))} (95% CI {fmt(r['test']['ci_low'])} to "
           f"{fmt(r['test']['ci_high'])}, Holm p {p_is(r['holm_p'])})" for r in found]
  if missed:
    mdes = [r["mde"] for r in missed if math.isfinite(r["mde"])]
    span = (f"MDE {fmt(min(mdes))}–{fmt(max(mdes))}" if len(set(map(fmt, mdes))) > 1
            else f"MDE {fmt(mdes[0])}") if mdes else "MDE –"
    parts.append(f"no difference detected in {'the other ' if found else ''}{len(missed)} "
                 f"comparison(s) ({span})")
  track_found = [r for r in tracks if r["kind"] == "mcnemar" and r["holm_p"] < ALPHA]
  line = f"- **{title}:** " + "; ".join(parts) + "."
  if track_found:
    line += " Per track (McNemar, Holm within the question): " + "; ".join(
        f"`{r['a']}` vs `{r['b']}` on {r['task']}, {r['test']['only_a']} vs "
        f"{r['test']['only_b']} discordant tracks (Holm p {p_is(r['holm_p'])})"
        for r in track_found) + "."
  return line
