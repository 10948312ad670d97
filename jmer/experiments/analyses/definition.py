"""What an analysis is: how it collects its raw results, renders its report, draws its figure.

An analysis turns a study's runs into one committed raw file and a Markdown report rendered
from that file alone (so experiments/recompute.py can re-render and compare it), optionally
with a figure and a generated block in another document (the model card's numbers).
"""

import dataclasses
from typing import Callable


@dataclasses.dataclass(frozen=True)
class Analysis:
  """One kind of analysis.

  Attributes:
    name: its name in the registry (jmer.experiments.analyses.ANALYSES).
    raw_file: the default name of its raw-results file.
    report_file: the default name of its Markdown report.
    collect: collect(source, **options) -> raw dict; source is a suite root for the analyses
      of training runs (analyses.suite_runs), or the data folder for a scan of cached features.
    render: render(raw) -> the report's Markdown, from the raw dict alone.
    figure_file: the default name of its figure, or None.
    draw: draw(raw, path) writes the figure, or None.
    update_document: update_document(raw, text) -> text with its generated block replaced,
      for a document outside the results folder (the model card), or None.
    raw_indent: the JSON indent of the raw file (its committed files' own layout).
  """
  name: str
  raw_file: str
  report_file: str
  collect: Callable[..., dict]
  render: Callable[[dict], str]
  figure_file: str | None = None
  draw: Callable | None = None
  update_document: Callable[[dict, str], str] | None = None
  raw_indent: int = 1


def generator(raw: dict, historical: str) -> str:
  """Who a report says generated it, as `code` for its first line.

  Args:
    raw: the raw results; collect records raw['generator'].
    historical: the script that wrote the committed raw files before the analyses existed
      (those files lack 'generator'; their reports name it, so they re-render byte for byte).

  Returns:
    The generator's name.
  """
  return raw.get("generator", historical)
