"""Committed results name data by paths relative to their roots, never by a machine's paths.

A run's track ids and data descriptions carry absolute paths (a manifest's track id embeds the
audio file's path; the built-in corpus names its cache folder). Before raw results are written,
every string is rewritten: a path under the data root becomes `$JMER_DATA/<rest>` (in a track
id, just `<rest>`: relative to the data root), one under the cache root `$JMER_CACHE/<rest>`,
one under the working directory `<rest>`.
"""

import os
import pathlib

DATA, CACHE = "$JMER_DATA", "$JMER_CACHE"


def roots_of(config: dict) -> dict:
  """{absolute folder: how committed text names it} for a run's config.

  Args:
    config: a run's resolved config as metrics.json holds it (data.root, data.cache_dir).

  Returns:
    The data root (config or $JMER_DATA), the cache root (config, $JMER_CACHE or
    ~/.cache/jmer) and the working directory, each resolved, those that are set.
  """
  data = config.get("data", {})
  out = {}
  for folder, label in ((data.get("root") or os.environ.get("JMER_DATA", ""), DATA),
                        (data.get("cache_dir") or os.environ.get("JMER_CACHE")
                         or "~/.cache/jmer", CACHE), (os.getcwd(), "")):
    if folder:
      out.setdefault(str(pathlib.Path(folder).expanduser().resolve()), label)
  return out


def relative(text: str, roots: dict, track_id: bool = False) -> str:
  """`text` with every `<root>/` replaced by its label (longest root first).

  Args:
    text: any string of the raw results.
    roots: {absolute folder: label} (roots_of).
    track_id: a track id: every root becomes '' (the path relative to its root).

  Returns:
    The rewritten string.
  """
  for root in sorted(roots, key=len, reverse=True):
    label = "" if track_id or not roots[root] else roots[root] + "/"
    text = text.replace(root.rstrip("/") + "/", label)
  return text


def rewrite(value, roots: dict):
  """A copy of a JSON value (the raw-results dict) with every string made relative.

  Args:
    value: dicts, lists, strings, numbers.
    roots: {absolute folder: label}; in prediction rows ('predictions' → 'runs') the
      track_id column's roots become '' (relative to the root).

  Returns:
    The rewritten copy.
  """
  if isinstance(value, str):
    return relative(value, roots)
  if isinstance(value, dict):
    out = {}
    for key, item in value.items():
      if key == "predictions" and isinstance(item, dict):
        column = list(item.get("columns", ())).index("track_id")
        rows = {k: [[relative(v, roots, True) if i == column and isinstance(v, str)
                     else rewrite(v, roots) for i, v in enumerate(row)] for row in rows]
                for k, rows in item.get("runs", {}).items()}
        out[key] = dict(item, columns=list(item["columns"]), runs=rows)
      else:
        out[key] = rewrite(item, roots)
    return out
  if isinstance(value, list):
    return [rewrite(v, roots) for v in value]
  return value
