"""Reading annotation CSVs the way they come from dataset sites (stray spaces, odd quoting)."""

import csv
import pathlib


def read_rows(path) -> list:
  """Rows of a CSV as dicts with header names and values stripped of surrounding spaces.

  DEAM's files have a space after every comma in the header; EmoMusic's have tabs inside
  quoted fields. Raises FileNotFoundError naming the file.

  Args:
    path: the CSV file (a UTF-8 byte-order mark is skipped).

  Returns:
    A list of {column: value} dicts of strings.
  """
  path = pathlib.Path(path)
  if not path.is_file():
    raise FileNotFoundError(f"{path}: annotation file not found")
  with open(path, newline="", encoding="utf-8-sig") as fh:
    reader = csv.DictReader(fh, skipinitialspace=True)
    return [{(k or "").strip(): (v or "").strip() for k, v in row.items()} for row in reader]
