"""How a report writes its numbers: one implementation for the suite report and every analysis.

Conventions: three decimals; "mean ± SD" is the sample SD (ddof = 1, significance.mean_sd);
a difference is written with its 95% CI in brackets, never with a bare ±; a missing value is
'–'.
"""

import math

from jmer.experiments import significance

MISSING = "–"


def fmt(value, digits: int = 3, signed: bool = False) -> str:
  """A number as report text.

  Args:
    value: the number, or None / NaN when there is none.
    digits: decimals to show.
    signed: always show the sign (a difference: '+0.012', '-0.034').

  Returns:
    The value with `digits` decimals, or '–' when missing.
  """
  if value is None or (isinstance(value, float) and math.isnan(value)):
    return MISSING
  return f"{value:+.{digits}f}" if signed else f"{value:.{digits}f}"


def mean_sd_text(values, count: str = "") -> str:
  """A table cell: mean ± sample SD of the finite values, then how many there are.

  Args:
    values: the values (folds or repeats); NaN and infinities are left out.
    count: how the number of values n follows the cell, a format string with {n}: '' (none),
      '({n})', '(n={n})' or '({n} folds)'.

  Returns:
    'mean ± sd count', 'mean count' for one value, or '–' for none.
  """
  mean, sd, n = significance.mean_sd(list(values))
  if n == 0:
    return MISSING
  suffix = f" {count.format(n=n)}" if count else ""
  return (f"{fmt(mean)} ± {fmt(sd)}" if n > 1 else fmt(mean)) + suffix


def interval_text(test: dict, signed: bool = False) -> str:
  """A difference with its 95% CI, from a test dict (significance.resampled_t_test).

  Args:
    test: a dict with 'mean', 'ci_low' and 'ci_high'.
    signed: show every sign ('+0.012 [-0.010, +0.034]').

  Returns:
    'mean [low, high]'.
  """
  return (f"{fmt(test['mean'], signed=signed)} [{fmt(test['ci_low'], signed=signed)}, "
          f"{fmt(test['ci_high'], signed=signed)}]")
