"""How `jmer.inference.predict` prints its results: a readable table, JSON Lines, or CSV.

Each writer is called once per file as soon as that file is done, so a long batch of songs
shows progress and a failure later on never loses the results already printed.
"""

import csv
import json

from jmer.inference import task_fields

FORMATS = ("table", "json", "csv")


def csv_columns(output_names=None, tags: bool = True) -> tuple:
  """The CSV header: where a row comes from, the columns of the tasks the model's heads fill
  (jmer.inference.task_fields.shown), then the pretrained network's tags.

  Args:
    output_names: the model's output names; None for every known task's columns.
    tags: whether the model has musicnn tags to give (a frozen MSD-musicnn branch); without
      them the column would always be empty, so it is left out.

  Returns:
    Column names: file, level ('track' or 'segment'), start and end (seconds), the tasks'
    columns, and tags if `tags`.
  """
  return ("file", "level", "start", "end") + tuple(
      column for view in task_fields.shown(output_names) for column in view.csv_columns()) + (
      ("tags",) if tags else ())


def _clock(seconds: float) -> str:
  minutes, secs = divmod(seconds, 60)
  return f"{int(minutes)}:{secs:04.1f}"


def format_table(result: dict, output_names=None) -> str:
  """A few aligned lines per file; the timeline (if any) as one row per segment.

  Args:
    result: one file's result from jmer.inference.predict.predict_file.
    output_names: the model's output names: the timeline has the columns their predictions
      fill; None for every known task's.

  Returns:
    The text, newline-terminated; times are shown as minutes:seconds. The first line says
    "calibrated probabilities" when the model's temperatures calibrated them.
  """
  calibrated = ", calibrated probabilities" if result.get("calibrated") else ""
  lines = [f"{result['file']}  ({_clock(result['duration_seconds'])}, "
           f"{result['segments']} segment{'s' if result['segments'] != 1 else ''}{calibrated})"]
  if result.get("warning"):  # a clip too short to judge: said before the answer
    lines.append(f"  {'note':<9} {result['warning']}")
  by_line = {}  # line label -> what each task says (the emotion heads share one line)
  views = task_fields.shown(output_names)
  for view in views:
    text = view.describe(result)
    if text:
      by_line.setdefault(view.line, []).append(text)
  lines += [f"  {label:<9} {'   '.join(texts)}" for label, texts in by_line.items()]
  if result.get("tags"):
    lines.append(f"  {'tags':<9} " + "  ".join(
        f"{t['tag']} {t['probability']:.2f}" for t in result["tags"]) + "  (musicnn, MSD)")
  if result.get("timeline"):
    lines.append(f"  {'start':>7} {'end':>7}  " + "  ".join(v.timeline_header() for v in views))
    for row in result["timeline"]:
      lines.append(f"  {_clock(row['start']):>7} {_clock(row['end']):>7}  "
                   + "  ".join(v.timeline_cell(row) for v in views))
  return "\n".join(lines) + "\n"


def _csv_row(views, file: str, level: str, start, end, entry: dict, tags: bool) -> list:
  tag_cell = [";".join(f"{t['tag']}:{t['probability']}" for t in entry.get("tags", []))]
  return [file, level, start, end] + [
      cell for view in views for cell in view.csv_cells(entry)] + (tag_cell if tags else [])


def make_writer(fmt: str, stream, timeline: bool = False, output_names=None,
                tags: bool = True):
  """A function writing one predict_file result to `stream` in format `fmt`.

  Args:
    fmt: one of FORMATS; csv writes its header row at once: csv_columns(), then `warning`
      (a track row's length warning, predict.length_warning; empty on segment rows).
    stream: a text stream to write to.
    timeline: whether csv adds one row per segment after each track's row (json and table
      print whatever timeline the result holds).
    output_names: the model's output names: csv and the table's timeline have the columns
      their predictions fill; None for every known task's.
    tags: whether csv has the tags column (csv_columns).

  Returns:
    A callable taking one result dict.

  Raises:
    ValueError for an unknown `fmt`.
  """
  if fmt == "json":
    return lambda result: stream.write(json.dumps(result) + "\n")
  if fmt == "table":
    return lambda result: stream.write(format_table(result, output_names) + "\n")
  if fmt != "csv":
    raise ValueError(f"unknown format {fmt!r}: expected one of {FORMATS}")
  writer = csv.writer(stream)
  writer.writerow(csv_columns(output_names, tags) + ("warning",))
  views = task_fields.shown(output_names)

  def write_csv(result):
    writer.writerow(_csv_row(views, result["file"], "track", 0.0, result["duration_seconds"],
                             result, tags) + [result.get("warning") or ""])
    for row in result.get("timeline", []) if timeline else []:
      writer.writerow(_csv_row(views, result["file"], "segment", row["start"], row["end"], row,
                               tags) + [""])
  return write_csv
