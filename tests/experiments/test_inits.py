"""Initialisation as a factor: a suite with init seeds runs every cell × fold × init in
<cell>/fold_k/init_i/ with config.seed = the init and the split fixed, pairs per-fold means over
inits in the corrected t-test, and reports the init SD beside the fold SD (all by hand)."""

import json
import math

import pytest

from jmer.experiments import compare
from jmer.experiments import raw_results
from jmer.experiments import report
from jmer.experiments import runner
from jmer.experiments import suite as suite_lib

SUITE = """
SUITE = dict(
    name="inits", repeats=dict(by="fold", n=3), split_seed=4, inits=(0, 1, 2),
    set={"train.select_on": "last", "tasks.emotion": "none"},
    cells={"a": dict(config="configs/test.py"),
           "b": dict(config="configs/test.py", init_from="a")},
    experiments=[dict(title="A or B", pairs=[("a", "b")])],
)
"""
# Hand-made genre macro-F1 of fold k, init i: per-fold means a 0.70, 0.71, 0.72 (fold SD 0.01)
# with inits ±0.01 around them (init SD 0.01); b 0.65, 0.67, 0.66 (fold SD 0.01), inits ±0.02
# (init SD 0.02). A − B per fold: 0.05, 0.04, 0.06: mean 0.05, SD 0.01.
FOLD = dict(a=(0.70, 0.71, 0.72), b=(0.65, 0.67, 0.66))
INIT = dict(a=(-0.01, 0.0, 0.01), b=(-0.02, 0.0, 0.02))


def _metrics(config, cell, fold, init) -> dict:
  value = FOLD[cell][fold] + INIT[cell][init]
  return dict(config=config.to_dict(), versions={}, per_dataset={"set": {"genre": {}}},
              training=dict(best_epoch=5, epochs_done=5, select_on="last"),
              metrics={"genre": dict(macro_f1=value, accuracy=value + 0.01)},
              data=dict(source="synthetic", summary="made up", genre_names=[],
                        tracks=dict(train=80, val=0, test=20), per_dataset={},
                        split=dict(per_dataset={"set": dict(grouped=False)})))


@pytest.fixture(name="root", scope="module")
def fake_suite_root(tmp_path_factory):
  tmp_path = tmp_path_factory.mktemp("inits")
  path = tmp_path / "inits.py"
  path.write_text(SUITE)
  suite = suite_lib.load_suite(path)
  root, seen = tmp_path / "root", []

  def fake_train(config, run_dir):
    cell, fold, init = run_dir.parent.parent.name, config.eval.fold, config.seed
    seen.append((cell, fold, init, config.data.split_seed, config.train.init_from))
    (run_dir / runner.METRICS_FILE).write_text(json.dumps(_metrics(config, cell, fold, init)))
  runner.run_suite(suite, root, train_fn=fake_train)
  # Each cell × fold × init once, in <cell>/fold_k/init_i, seed = init, split seed fixed; b
  # starts from a's run of the same fold and init.
  assert sorted(s[:4] for s in seen) == [(c, k, i, 4) for c in "ab" for k in range(3)
                                         for i in range(3)]
  assert all(s[4] == str(root / "a" / f"fold_{s[1]}" / f"init_{s[2]}") for s in seen
             if s[0] == "b")
  assert json.loads((root / "suite.json").read_text())["inits"] == [0, 1, 2]
  return root


def test_per_fold_means_over_inits_enter_the_corrected_t_test(root):
  raw = raw_results.collect(root)
  assert sorted((r["cell"], r["repeat"], r["init"]) for r in raw["runs"]) == [
      (c, f"fold_{k}", i) for c in "ab" for k in range(3) for i in range(3)]
  runs = raw_results.runs_by_cell(raw)
  means = raw_results.values(runs["a"], "genre macro-F1")
  assert list(means) == [(4, "fold_0"), (4, "fold_1"), (4, "fold_2")]
  assert list(means.values()) == pytest.approx([0.70, 0.71, 0.72])
  assert list(raw_results.values(runs["b"], "genre macro-F1").values()) == pytest.approx(
      [0.65, 0.67, 0.66])
  row = next(r for r in compare.repeat_rows(raw) if r["metric"].label == "genre macro-F1")
  # n = 3 folds (not 9 runs); ratio 20/80; se = 0.01·sqrt(1/3 + 1/4); t = 0.05 / se.
  se = 0.01 * math.sqrt(1 / 3 + 0.25)
  assert row["test"]["n"] == 3 and row["test"]["df"] == 2
  assert row["test"]["mean"] == pytest.approx(0.05) and row["test"]["sd"] == pytest.approx(0.01)
  assert row["test"]["se"] == pytest.approx(se) and row["test"]["t"] == pytest.approx(0.05 / se)
  assert row["test"]["t"] == pytest.approx(6.5465367, rel=1e-6)


def test_the_report_shows_the_init_sd_beside_the_fold_sd(root):
  raw = raw_results.collect(root)
  runs = raw_results.runs_by_cell(raw)
  assert raw_results.init_sd(runs["a"], "genre macro-F1") == pytest.approx(0.01)
  assert raw_results.init_sd(runs["b"], "genre macro-F1") == pytest.approx(0.02)
  markdown = report.render(raw, root, draw=False)
  assert "| `a` | 0.720 ± 0.010 (init SD 0.010) | 0.710 ± 0.010 (init SD 0.010) |" in markdown
  assert "| `b` | 0.670 ± 0.010 (init SD 0.020) | 0.660 ± 0.010 (init SD 0.020) |" in markdown
  assert "Each fold runs 3 init seeds (0, 1, 2" in markdown
  assert "| `b/fold_2/init_1` | 4 |" in markdown and "Incomplete" not in markdown


def test_inits_are_refused_beside_a_fixed_seed_or_repeats_by_seed(tmp_path):
  path = tmp_path / "bad.py"
  path.write_text(SUITE.replace('"tasks.emotion": "none"', '"tasks.emotion": "none", "seed": 0'))
  with pytest.raises(suite_lib.SuiteError, match=r"set inits=\(\) to keep one fixed seed"):
    suite_lib.load_suite(path)
  path.write_text(SUITE.replace('by="fold"', 'by="seed"'))
  with pytest.raises(suite_lib.SuiteError, match="needs repeats by fold"):
    suite_lib.load_suite(path)
  path.write_text(SUITE)
  assert suite_lib.load_suite(path, quick=True)["inits"] == (0,)
  assert suite_lib.parse_repeat("fold_2/init_1") == (2, 1)
  assert suite_lib.parse_repeat("seed_3") == (3, None)


def test_the_runner_records_the_preregistration_commit_and_refuses_uncommitted_changes(
    tmp_path):
  import subprocess
  git = lambda *args: subprocess.run(["git", "-C", str(tmp_path), *args], check=True,  # noqa
                                     capture_output=True, text=True).stdout.strip()
  git("init", "-q")
  git("config", "user.email", "t@example.org")
  git("config", "user.name", "t")
  doc = tmp_path / "prereg.md"
  with pytest.raises(suite_lib.SuiteError, match="commit the pre-registration before running"):
    runner.preregistration_commit(doc)  # no file yet
  doc.write_text("# plan\n")
  with pytest.raises(suite_lib.SuiteError, match="commit the pre-registration before running"):
    runner.preregistration_commit(doc)  # never committed
  git("add", "prereg.md")
  git("commit", "-qm", "plan")
  commit = git("log", "-1", "--format=%H")
  assert runner.preregistration_commit(doc) == commit
  doc.write_text("# plan, changed after the fact\n")
  with pytest.raises(suite_lib.SuiteError, match="commit the pre-registration before running"):
    runner.preregistration_commit(doc)
  # A suite naming it records the commit in suite.json (and so in the raw file).
  git("checkout", "-q", "prereg.md")
  path = tmp_path / "s.py"
  path.write_text(SUITE.replace("inits=(0, 1, 2),", f"inits=(0, 1), preregistration="
                                f"{str(doc)!r}, sesoi={{'genre macro-F1': 0.03}},"))
  suite = suite_lib.load_suite(path)
  assert suite["sesoi"] == {"genre macro-F1": 0.03}
  runner.run_suite(suite, tmp_path / "root", cells=["a"],
                   train_fn=lambda config, run_dir: (run_dir / "metrics.json").write_text("{}"))
  record = json.loads((tmp_path / "root" / "suite.json").read_text())
  assert record["preregistration_commit"] == commit and record["sesoi"] == {"genre macro-F1": 0.03}


def test_the_real_suite_names_its_preregistration_and_sesoi():
  from tests.conftest import REPO
  suite = suite_lib.load_suite(REPO / "experiments" / "real.py")
  assert suite["preregistration"] == "experiments/preregistration/real.md"
  assert (REPO / suite["preregistration"]).is_file()
  assert suite["sesoi"] == {"genre macro-F1": 0.03, "quadrant macro-F1": 0.03}
  assert suite["inits"] == (0, 1, 2)
