"""Every number the results page quotes comes from a generated report it links to: a section of
docs/results.md (or a README results row) that links reports under experiments/results/ may only
quote figures (x.xxx) that those reports print, so prose cannot drift from the committed raw
results."""

import re

import pytest

from tests.conftest import REPO

RESULTS_PAGE = REPO / "docs" / "results.md"
REPORT_LINK = re.compile(r"\((?:\.\./)?(experiments/results/[^)]*?\.md)\)")
FIGURE = re.compile(r"[+\-−]?\d\.\d{3}")


def _sections():
  return [s for s in re.split(r"\n(?=## )", RESULTS_PAGE.read_text()) if REPORT_LINK.search(s)]


def missing_figures(section: str) -> list:
  """The figures `section` quotes that none of the reports it links prints."""
  reports = sorted(set(REPORT_LINK.findall(section)))
  printed = "\n".join((REPO / r).read_text() for r in reports).replace("−", "-")
  quoted = set(FIGURE.findall(REPORT_LINK.sub("", section)))
  return sorted(n for n in quoted if n.replace("−", "-") not in printed
                and n.lstrip("+-−") not in printed)


@pytest.mark.parametrize("section", _sections(), ids=lambda s: s.splitlines()[0][3:])
def test_quoted_figures_are_in_the_linked_reports(section):
  assert not missing_figures(section), section.splitlines()[0]


def test_a_figure_no_linked_report_prints_is_named():
  report = (REPO / "experiments/results/builtin/REPORT.md").read_text()
  printed = FIGURE.findall(report)[0]
  section = f"## x\n[r](../experiments/results/builtin/REPORT.md): {printed} beside 9.876\n"
  assert "9.876" not in report and missing_figures(section) == ["9.876"]


def _readme_result_rows():
  return [line for line in (REPO / "README.md").read_text().splitlines()
          if line.startswith("|") and REPORT_LINK.search(line)]


@pytest.mark.parametrize("row", _readme_result_rows(), ids=lambda r: r.split("|")[1][:40])
def test_readme_result_rows_quote_their_linked_report(row):
  assert not missing_figures(row), row
