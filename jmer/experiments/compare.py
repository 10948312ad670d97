"""The comparisons a suite asks for: paired over repeats, and paired per test track.

Each row: cells A and B on one headline metric; the repeat-level paired test (t, Wilcoxon,
d_z), its Holm adjustment over all rows, and a per-track test on the cells' pooled predictions
(McNemar for genre and quadrant, a paired CCC bootstrap for arousal and valence).
"""

import math

from jmer.experiments import results
from jmer.experiments import stats

ALPHA = 0.05


def fmt(value, digits: int = 3) -> str:
  if value is None or (isinstance(value, float) and math.isnan(value)):
    return "–"
  return f"{value:.{digits}f}"


def per_track(pooled, a: str, b: str, metric: results.Metric) -> dict | None:
  """McNemar (genre/quadrant correctness) or a paired CCC bootstrap on the shared tracks."""
  pa, pb = pooled[a], pooled[b]
  keys = sorted(set(pa) & set(pb))
  if metric.task in ("genre", "quadrant"):
    task = metric.task
    keys = [k for k in keys if pa[k][f"true_{task}"] and pa[k][f"pred_{task}"]
            and pb[k][f"pred_{task}"]]
    if not keys:
      return None
    right_a = [pa[k][f"pred_{task}"] == pa[k][f"true_{task}"] for k in keys]
    right_b = [pb[k][f"pred_{task}"] == pb[k][f"true_{task}"] for k in keys]
    out = stats.mcnemar(right_a, right_b)
    out["text"] = (f"McNemar on {out['n']} tracks: {out['only_a']} right only by {a}, "
                   f"{out['only_b']} only by {b}")
    return out
  if metric.label.endswith("CCC"):
    dim = metric.path[1]
    keys = [k for k in keys if all(math.isfinite(x) for x in (
        pa[k][f"true_{dim}"], pa[k][f"pred_{dim}"], pb[k][f"pred_{dim}"]))]
    if len(keys) < 3:
      return None
    out = stats.paired_bootstrap_ccc([pa[k][f"true_{dim}"] for k in keys],
                                     [pa[k][f"pred_{dim}"] for k in keys],
                                     [pb[k][f"pred_{dim}"] for k in keys])
    out["text"] = (f"paired bootstrap over {out['n']} tracks: ΔCCC {fmt(out['diff'])} "
                   f"[{fmt(out['low'])}, {fmt(out['high'])}]")
    return out
  return None

def compare(record, runs, pooled) -> list:
  rows = []
  for number, experiment in enumerate(record["experiments"], 1):
    for a, b in experiment["pairs"]:
      for label in results.HEADLINE:
        metric = results.BY_LABEL[label]
        va, vb = results.values(runs[a], metric), results.values(runs[b], metric)
        shared = [r for r in va if r in vb]
        if len(shared) < 2:
          continue
        test = stats.paired_test([va[r] for r in shared], [vb[r] for r in shared])
        rows.append(dict(experiment=number, a=a, b=b, metric=metric, test=test,
                         track=per_track(pooled, a, b, metric)))
  for adjusted, row in zip(stats.holm([r["test"]["t_p"] for r in rows]), rows):
    row["holm_p"] = adjusted
  track_p = [r["track"]["p"] if r["track"] else math.nan for r in rows]
  for adjusted, row in zip(stats.holm(track_p), rows):
    row["track_holm_p"] = adjusted
  return rows

def verdict(row) -> str:
  """'better', 'worse' or 'no difference found', for A against B on this metric."""
  if not row["holm_p"] < ALPHA:
    return "no difference found"
  better = (row["test"]["diff"] > 0) == row["metric"].higher_is_better
  return "better" if better else "worse"
