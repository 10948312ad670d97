"""Every number the paper (paper/README.md) quotes is printed by a committed report it links, and
those reports re-render from their committed raw results, so the paper cannot drift from them.

The paper is cut into sections at its `##` and `###` headings. In each section:
- every *figure* (a decimal with two or more places, the form in which the reports print every
  metric, interval, p-value, MDE and effect size) must be printed, with the same value and sign,
  by a report under experiments/results/ that the same section links; a section that quotes a
  figure and links no report fails. A figure may drop trailing zeros (0.03 for 0.030), never
  round (0.67 for 0.674 fails);
- in a section that links reports, every number of a table row, counts included, must be printed
  by those reports; the one exception is the wall-time table, whose runs and minutes must be
  what the suites' raw_results.json give;
- every image is a committed figure under experiments/results/.
Nothing is left to fill: no TODO and no HTML comment but generated-block markers. The references
(the list and references.bib) are bibliography, not results; settings of the method are written
as powers of ten or one-place decimals and are not figures.
"""

import decimal
import json
import re
import runpy

import pytest

from tests.conftest import REPO

PAPER = REPO / "paper" / "README.md"
RESULTS = REPO / "experiments" / "results"
REPORT_LINK = re.compile(r"\]\(((?:\.\./)?experiments/results/[^)#\s]+\.md)(?:#[^)]*)?\)")
IMAGE_LINK = re.compile(r"!\[[^\]]*\]\(([^)\s]+)\)")
# A number: its sign (hyphen or minus sign) and digits; not part of a word (Q1_happy, log2).
NUMBER = re.compile(r"(?<![\w.])([+\-−]?)(\d+(?:\.\d+)?)(?![\w]|\.\d)")
MATH = re.compile(r"\$\$.*?\$\$|\$[^$\n]+\$", re.S)
CODE = re.compile(r"```.*?```|`[^`\n]*`", re.S)
LINK_TARGET = re.compile(r"\]\([^)]*\)")
WALL_TIME_HEADER = "| suite | runs | sum of per-run wall times |"
BLOCK_MARKER = re.compile(r"<!-- [A-Z]+:(start|end)( \([\w.]+\))? -->")


def sections(text: str) -> list:
  """The paper's sections, each from a `##` or `###` heading to the next; not the references."""
  parts = re.split(r"\n(?=##+ )", text)
  return [p for p in parts if not p.startswith("## References")]


def _prose(section: str) -> str:
  """The section without maths, code and link targets (whose digits are not quoted numbers)."""
  return LINK_TARGET.sub("]", CODE.sub("", MATH.sub("", section)))


def _numbers(text: str, figures_only: bool = False) -> list:
  """[(sign, Decimal, as written)] of the numbers in text; with figures_only, decimals of two or
  more places."""
  found = []
  for sign, digits in NUMBER.findall(text):
    if figures_only and len(digits.partition(".")[2]) < 2:
      continue
    found.append(("-" if sign in ("-", "−") else sign, decimal.Decimal(digits), sign + digits))
  return found


def printed(reports) -> set:
  """{(negative, value)} of every number the reports print."""
  text = "\n".join((REPO / r).read_text() for r in reports)
  return {(sign == "-", value) for sign, value, _ in _numbers(text)}


def _is_printed(number, numbers: set) -> bool:
  sign, value, _ = number
  if sign == "-":
    return (True, value) in numbers
  if sign == "+":
    return (False, value) in numbers
  return (False, value) in numbers or (True, value) in numbers


def linked_reports(section: str) -> list:
  """The reports under experiments/results/ a section links, repo-relative."""
  return sorted({link.removeprefix("../") for link in REPORT_LINK.findall(section)})


def _table_rows(section: str) -> list:
  """The rows of the section's tables, without the wall-time table's (checked on its own)."""
  rows, skipping = [], False
  for line in section.splitlines():
    if not line.startswith("|"):
      skipping = False
      continue
    skipping = skipping or line.startswith(WALL_TIME_HEADER)
    if not skipping:
      rows.append(line)
  return rows


def missing_numbers(section: str) -> list:
  """The numbers a section quotes that none of the reports it links prints: its figures, and
  every number of its tables when it links a report."""
  reports = linked_reports(section)
  numbers = printed(reports)
  prose = _prose(section)
  quoted = _numbers(prose, figures_only=True)
  if reports:
    quoted += _numbers(_prose("\n".join(_table_rows(section))))
  return sorted({n[2] for n in quoted if not _is_printed(n, numbers)})


def _paper_sections():
  return sections(PAPER.read_text())


@pytest.mark.parametrize("section", _paper_sections(), ids=lambda s: s.splitlines()[0][:60])
def test_quoted_numbers_are_printed_by_the_linked_reports(section):
  assert not missing_numbers(section), (section.splitlines()[0], missing_numbers(section))


def test_a_figure_no_linked_report_prints_is_named():
  report = "experiments/results/builtin/REPORT.md"
  text = (REPO / report).read_text()
  quoted = re.search(r"\d\.\d{3}", text).group()
  section = f"### x\n[r](../{report}): {quoted} beside 9.876 and 0.2 (a setting)\n"
  assert "9.876" not in text and missing_numbers(section) == ["9.876"]


def test_a_figure_in_a_section_without_a_report_is_named():
  assert missing_numbers("### x\nThe joint model scores 0.674.\n") == ["0.674"]


def test_a_figure_is_not_rounded_nor_its_sign_flipped():
  numbers = {(False, decimal.Decimal("0.021")), (True, decimal.Decimal("0.091"))}
  ok = lambda text: _is_printed(_numbers(text)[0], numbers)
  assert ok("+0.021") and ok("0.021") and ok("0.0210") and ok("−0.091") and ok("0.091")
  assert not any(ok(t) for t in ("−0.021", "-0.021", "+0.091", "0.02", "0.0211"))
  report = "experiments/results/real/REPORT.md"
  assert "| `joint` vs `genre` | genre macro-F1 | 0.674 | 0.653 | 0.021 [-0.091" in (
      REPO / report).read_text()
  assert missing_numbers(f"### x\n[r](../{report}): +0.021 [−0.091, 0.133], 0.6741\n") == [
      "0.6741"]


def test_a_count_in_a_table_no_linked_report_prints_is_named():
  report = "experiments/results/real_audio/REPORT.md"
  text = (REPO / report).read_text()
  assert "40 right only by `joint`, 17 only by `genre`" in text
  row = "| `joint` vs `genre` | 40 vs 17 | 41 vs 17 |"
  assert missing_numbers(f"### x\n[r](../{report})\n\n| a | b | c |\n|---|---|---|\n{row}\n") == [
      "41"]


def test_every_linked_report_and_image_is_a_committed_result():
  text = PAPER.read_text()
  reports = linked_reports(text)
  assert reports, "the paper links no report"
  for report in reports:
    assert (REPO / report).is_file(), report
  images = IMAGE_LINK.findall(text)
  assert len(images) >= 5
  for image in images:
    path = (PAPER.parent / image).resolve()
    assert path.is_file() and RESULTS in path.parents, image


def _recompute():
  """experiments/recompute.py's functions (a script: run, not imported)."""
  return runpy.run_path(str(REPO / "experiments" / "recompute.py"), run_name="recompute")


def regenerated_from_raw_results(report) -> bool:
  """Whether experiments/recompute.py re-renders a report from a raw file: a suite folder's
  REPORT.md (raw_results.json) or a report its folder's analyses.json names."""
  path = REPO / report
  if path.name == "REPORT.md" and (path.parent / "raw_results.json").is_file():
    return True
  manifest = path.parent / "analyses.json"
  return manifest.is_file() and any(
      entry["report"] == path.name for entry in json.loads(manifest.read_text())["analyses"])


def test_every_linked_report_is_one_recompute_regenerates_from_raw_results():
  # tests/experiments/test_significance.py fails when any such report drifts from its raw file
  for report in linked_reports(PAPER.read_text()):
    assert regenerated_from_raw_results(report), f"{report}: no raw file re-renders it"
  assert not regenerated_from_raw_results("docs/model_card.md")


@pytest.mark.slow  # re-renders the linked folders' reports (the calibration analysis: ~10 s)
def test_the_linked_reports_have_not_drifted_from_their_raw_results():
  recompute = _recompute()
  folders = sorted({(REPO / r).parent for r in linked_reports(PAPER.read_text())})
  for folder in folders:
    assert recompute["check_folder"](folder) == [], f"{folder}: a report drifted"


def wall_time_rows(text: str) -> dict:
  """{suite file: (runs, minutes)} of the paper's wall-time table."""
  rows, inside = {}, False
  for line in text.splitlines():
    inside = line.startswith(WALL_TIME_HEADER) or (inside and line.startswith("|"))
    match = re.match(r"\| `experiments/(\w+)\.py` \| (\d+) [^|]*\| (\d+) min", line)
    if inside and match:
      rows[match.group(1)] = (int(match.group(2)), int(match.group(3)))
  return rows


def raw_wall_time(suite: str) -> tuple:
  """(runs, minutes rounded) of a suite: the sum of the per-run wall times in its raw file."""
  runs = json.loads((RESULTS / suite / "raw_results.json").read_text())["runs"]
  return len(runs), round(sum(r["wall_seconds"] for r in runs) / 60)


def wall_time_errors(text: str) -> list:
  """The suites whose runs or minutes in the wall-time table are not what their raw file gives."""
  return sorted(suite for suite, quoted in wall_time_rows(text).items()
                if quoted != raw_wall_time(suite))


def test_wall_times_are_the_sums_of_the_raw_per_run_wall_times():
  text = PAPER.read_text()
  assert set(wall_time_rows(text)) == {"builtin", "real", "real_audio"}
  assert wall_time_errors(text) == []


def test_a_wrong_wall_time_is_caught():
  runs, minutes = raw_wall_time("real")
  table = (f"{WALL_TIME_HEADER}\n|---|---|---|\n"
           f"| `experiments/real.py` | {runs} runs | {minutes} min |\n"
           f"| `experiments/builtin.py` | {raw_wall_time('builtin')[0]} runs | 1 min |\n")
  assert wall_time_errors(table) == ["builtin"]


def test_nothing_is_left_to_fill():
  text = PAPER.read_text()
  assert not re.search(r"\bTODO\b|\bTBD\b|\bXXX\b", text)
  comments = re.findall(r"<!--.*?-->", text, re.S)
  assert all(BLOCK_MARKER.fullmatch(c) for c in comments), comments
