"""The report text of a suite's study design where its raw results record one: the
pre-registration (file and commit), the smallest effects of interest with the equivalence test,
and init seeds as a factor (per-fold means over inits; init SD beside fold SD).

Each function returns nothing (or the old text) for a raw file without these entries, so
reports of suites that had none render as before.
"""

from jmer.experiments import formatting
from jmer.experiments import raw_results
from jmer.experiments import significance

fmt = formatting.fmt


def preregistration_lines(suite: dict) -> list:
  """The pre-registration and equivalence paragraphs of '## Statistics'.

  Args:
    suite: the raw results' suite entry.

  Returns:
    Markdown lines; [] when the suite has neither a pre-registration nor a SESOI.
  """
  lines = []
  if suite.get("preregistration"):
    lines += [f"Pre-registered in `{suite['preregistration']}` at commit "
              f"{suite.get('preregistration_commit', '–')}.", ""]
  if suite.get("sesoi"):
    margins = ", ".join(f"{label} ±{fmt(m)}" for label, m in suite["sesoi"].items())
    lines += [
        f"**Equivalence (TOST).** Smallest effects of interest (SESOI): {margins}. Beside "
        "each primary difference test, two one-sided tests on the same corrected t statistic "
        "ask whether A − B lies within ±SESOI; their p (the larger one-sided p) is "
        "Holm-adjusted within the question like the difference test's, and equivalence is "
        f"declared when that adjusted p is below {significance.ALPHA}. A primary verdict is "
        "then \"A − B = x [CI]\" (difference detected), \"equivalent within ±SESOI\", or "
        "\"inconclusive\" (neither: the data cannot tell a difference of SESOI from none).", ""]
  return lines


def inits_text(suite: dict) -> str:
  """The design sentence on init seeds ('' without them), to follow the folds' design."""
  inits = suite.get("inits")
  if not inits:
    return ""
  return (f" Each fold runs {len(inits)} init seeds ({', '.join(map(str, inits))}: the "
          "initial weights and segment draws, config.seed) on the same split; a pair's "
          "test uses the per-fold means over inits, so n counts folds, not runs.")


def results_intro(runs: dict, n_inits: int) -> str:
  """What a results cell's mean ± SD is over, for a suite with init seeds.

  Args:
    runs: {cell: [run dicts]}.
    n_inits: the suite's init seeds.

  Returns:
    The words after 'Mean ± SD (sample SD, n − 1) over'.
  """
  folds = {len({(r["split_seed"], r["repeat"]) for r in own}) for own in runs.values()}
  return (f"the {'/'.join(map(str, sorted(folds)))} per-fold means (each the mean over "
          f"{n_inits} init seeds; the fold SD), with the init SD in brackets (the SD over "
          "init seeds within a fold, averaged over folds),")


def cell_text(runs: list, label: str, inits: bool) -> str:
  """A results cell: mean ± SD over the per-fold means, then the init SD with init seeds.

  Args:
    runs: one cell's run dicts.
    label: the metric's label.
    inits: whether the suite has init seeds.

  Returns:
    'mean ± fold SD' or, with inits, 'mean ± fold SD (init SD x)'.
  """
  text = formatting.mean_sd_text(raw_results.values(runs, label).values())
  if not inits or text == formatting.MISSING:
    return text
  return f"{text} (init SD {fmt(raw_results.init_sd(runs, label))})"
