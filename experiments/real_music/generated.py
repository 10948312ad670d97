"""The two modes of experiments/real_music's generated reports: check one against its raw file,
or write the raw file and the report (and its figure) from freshly collected runs."""

import json
import pathlib

from jmer.experiments import significance


def paired_fold_test(a: dict, b: dict, *, n_train, n_test) -> dict:
  """The corrected resampled t-test of a − b over the folds both have.

  Args:
    a, b: {(split seed, fold): metric value} of two arms.
    n_train, n_test: per-fold training and test track counts (significance.correction_ratio).
  Returns:
    significance.resampled_t_test's dict; its n is the number of shared folds.
  """
  keys = sorted(set(a) & set(b))
  return significance.resampled_t_test([a[k] - b[k] for k in keys],
                                test_train_ratio=significance.correction_ratio(n_train, n_test))


def check(raw_path: pathlib.Path, report_path: pathlib.Path, render) -> int:
  """0 when `render(raw)` of the committed raw file equals the committed report, else 1."""
  fresh = render(json.loads(raw_path.read_text()))
  if report_path.read_text() != fresh:
    print(f"{report_path} differs from what {raw_path.name} gives; rerun without --check")
    return 1
  print(f"{report_path.name}: matches {raw_path.name}")
  return 0


def write(raw: dict, raw_path: pathlib.Path, report_path: pathlib.Path, render,
          draw=None, figure: pathlib.Path | None = None) -> int:
  """Writes the raw results, the report rendered from them and, given `draw`, its figure."""
  raw_path.parent.mkdir(parents=True, exist_ok=True)
  raw_path.write_text(json.dumps(raw, indent=1) + "\n")
  report_path.write_text(render(raw))
  written = [raw_path, report_path]
  if draw is not None:
    draw(raw, figure)
    written.append(figure)
  print("Wrote " + ", ".join(str(p) for p in written))
  return 0
