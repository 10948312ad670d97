"""Per-class F1 differences of a pair, over the folds whose test set holds the class."""

import math

import pytest

from jmer.experiments import per_class
from jmer.experiments import significance


def _run(cell, fold, init, f1, present):
  classes = ["a", "b"]
  matrix = [[1, 0] if c in present else [0, 0] for c in classes]
  return dict(cell=cell, repeat=f"fold_{fold}/init_{init}", split_seed=1, init=init,
              n_train={"genre": 80}, n_test={"genre": 20}, metrics={},
              per_class_f1={"genre": dict(zip(classes, f1))},
              confusion={"genre": dict(classes=classes, matrix=matrix)})


def _raw():
  runs = []
  # Class b is absent from fold 2's test set: its 0.0 there must not count.
  for fold, (fa, fb) in enumerate([((0.8, 0.6), (0.6, 0.5)), ((0.9, 0.7), (0.6, 0.4)),
                                   ((0.7, 0.0), (0.6, 0.0))]):
    present = {"a", "b"} if fold < 2 else {"a"}
    for init, noise in ((0, 0.02), (1, -0.02)):
      runs.append(_run("x", fold, init, [fa[0] + noise, fa[1] + noise], present))
      runs.append(_run("y", fold, init, [fb[0], fb[1]], present))
  return dict(suite=dict(cells={"x": {}, "y": {}}, repeats=dict(by="fold", n=3)), runs=runs)


def test_class_differences_use_per_fold_means_over_inits_and_skip_absent_classes():
  diffs = dict(per_class.class_differences(_raw(), "x", "y", "genre"))
  assert diffs["a"]["n"] == 3 and diffs["a"]["mean"] == pytest.approx((0.2 + 0.3 + 0.1) / 3)
  assert diffs["b"]["n"] == 2 and diffs["b"]["mean"] == pytest.approx((0.1 + 0.3) / 2)
  expected = significance.resampled_t_test([0.2, 0.3, 0.1], test_train_ratio=20 / 80)
  assert diffs["a"]["ci_low"] == pytest.approx(expected["ci_low"])
  assert math.isfinite(diffs["b"]["ci_high"])


def test_section_lines_name_each_pair_and_class():
  text = "\n".join(per_class.section_lines(_raw(), [("x", "y")]))
  assert "| pair | a | b |" in text
  assert "| `x` − `y` | +0.20 [" in text


def test_a_pair_without_the_task_has_no_table():
  assert per_class.section_lines(_raw(), [("x", "missing")]) == []
