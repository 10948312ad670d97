"""Macro-F1 over all classes from folds pooled per split seed and init (pooled_scores)."""

import pytest

from jmer.experiments import pooled_scores

COLUMNS = ["dataset", "track_id", "true_genre", "pred_genre", "true_quadrant", "pred_quadrant"]


def _raw():
  # Fold 0 tests only classes a and b; fold 1 only c. Init 0 is right everywhere except one
  # 'c' clip called 'a'; init 1 is always right.
  fold0 = [["g", "1", "a", "a", None, None], ["g", "2", "b", "b", None, None]]
  fold1_init0 = [["g", "3", "c", "c", None, None], ["g", "4", "c", "a", None, None]]
  fold1_init1 = [["g", "3", "c", "c", None, None], ["g", "4", "c", "c", None, None]]
  quad = [["q", "9", None, None, "Q1", "Q2"]]
  return dict(predictions=dict(columns=COLUMNS, runs={
      "joint/1/fold_0/init_0": fold0 + quad, "joint/1/fold_1/init_0": fold1_init0,
      "joint/1/fold_0/init_1": fold0, "joint/1/fold_1/init_1": fold1_init1,
      "genre/1/fold_0/init_0": fold0, "genre/1/fold_1/init_0": fold1_init1}))


def test_pooled_macro_f1_is_over_every_class_of_the_joined_folds():
  scores = pooled_scores.pooled_macro_f1(_raw(), "joint", "genre")
  # init 0 pooled: a: tp 1, fp 1, fn 0 -> F1 2/3; b: 1; c: tp 1, fn 1 -> F1 2/3.
  assert scores[(1, "init_0")] == pytest.approx((2 / 3 + 1 + 2 / 3) / 3)
  assert scores[(1, "init_1")] == pytest.approx(1.0)
  # Per fold, fold 1 of init 0 would score only class c and a spurious a: not what is pooled.
  assert set(scores) == {(1, "init_0"), (1, "init_1")}


def test_a_cell_without_the_task_has_no_pooled_score():
  assert pooled_scores.pooled_macro_f1(_raw(), "genre", "quadrant") == {}


def test_section_lists_cells_and_pair_differences():
  lines = pooled_scores.section_lines(_raw(), "genre", ["joint", "genre"], [("joint", "genre")])
  text = "\n".join(lines)
  assert "over all 3 classes" in text
  assert "| `joint` | 0.889 ± 0.157 | 2 |" in text
  assert "| `joint` − `genre` | -0.222 | 1 |" in text  # one shared unit: no SD


def test_init_means_average_each_init_over_its_folds():
  def run(cell, fold, init, value):
    return dict(cell=cell, repeat=f"fold_{fold}/init_{init}", init=init,
                metrics={"genre macro-F1": value})
  raw = dict(runs=[run("x", 0, 0, 0.5), run("x", 1, 0, 0.7), run("x", 0, 1, 0.4),
                   run("x", 1, 1, 0.6), run("y", 0, 0, 0.9)])
  text = "\n".join(pooled_scores.init_means_lines(raw, "genre", ["x", "y"]))
  assert "| `x` | 0.600 | 0.500 |" in text
  assert "`y`" not in text  # one init: nothing to compare
