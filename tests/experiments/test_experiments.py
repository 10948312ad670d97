"""Experiment suites: the selection rule, the fixed split across seeds, and a --quick suite end
to end (report numbers = metrics.json, raw results regenerate the report; resume). The
statistics themselves are tested in test_stats.py."""

import csv
import json
import math
import re
import sys

import numpy as np
import pytest

from jmer import config as config_lib
from jmer.config import files as config_files
from jmer.experiments import raw_results
from jmer.experiments import report as report_lib
from jmer.experiments import results
from jmer.experiments import runner
from jmer.experiments import suite as suite_lib
from jmer.experiments import __main__ as experiments_main
from jmer.experiments import finished_runs as runs_lib
from jmer.training import callbacks

from tests.conftest import REPO


def test_select_on_last_keeps_the_last_epoch_and_never_stops_early(tmp_path):
  import keras
  model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
  for select_on, expect_best, expect_stop in (("val_loss", 1, True), ("last", 4, False)):
    checkpointer = callbacks.CheckpointAndResume(tmp_path / select_on, patience=2, epochs=4,
                                                 select_on=select_on)
    checkpointer.set_model(model)
    model.stop_training = False
    for epoch, val_loss in enumerate([1.0, 2.0, 3.0, 4.0]):  # validation only gets worse
      checkpointer.on_epoch_end(epoch, dict(loss=1.0, val_loss=val_loss))
    assert checkpointer.state["best_epoch"] == (1 if select_on == "val_loss" else 4)
    assert checkpointer.state["stopped_early"] is expect_stop
    assert expect_best == checkpointer.state["best_epoch"]


def test_select_on_must_be_a_known_rule():
  config = config_lib.base_config()
  config.train.select_on = "best_genre"
  with pytest.raises(config_lib.ConfigError, match="train.select_on"):
    config_lib.validate(config)


def test_a_suite_comparing_an_unknown_cell_is_refused_with_its_name(tmp_path):
  path = tmp_path / "bad.py"
  path.write_text("SUITE = dict(name='x', repeats=dict(by='seed', n=2), "
                  "cells={'a': dict(config='configs/test.py')}, "
                  "experiments=[dict(title='t', pairs=[('a', 'b')])])\n")
  with pytest.raises(suite_lib.SuiteError, match=r"bad.py.*unknown cell.*'b'"):
    suite_lib.load_suite(path)


def test_transfer_cells_run_after_their_source_and_start_from_the_same_repeat(tmp_path):
  suite = suite_lib.load_suite(REPO / "experiments" / "builtin.py", quick=True)
  order = suite_lib.cell_order(suite)
  assert order.index("genre_only") < order.index("transfer_frozen")
  config = runner.run_config(suite, "transfer_frozen", 1, tmp_path)
  assert config.train.init_from == str(tmp_path / "genre_only" / "seed_1")
  assert config.train.freeze_transferred and config.seed == 1 and config.data.split_seed == 0
  # A suite-wide override (tasks.emotion='both') must not turn the genre-only cell multi-task.
  assert runner.run_config(suite, "genre_only", 0, tmp_path).tasks.emotion == "none"
  assert [c for c, _, _ in runner.planned_runs(suite, ["transfer_full"])] == [
      "genre_only", "genre_only", "transfer_full", "transfer_full"]


def test_the_real_study_family_a_runs_learning_trunks_on_an_unused_split_seed(tmp_path):
  suite = suite_lib.load_suite(REPO / "experiments" / "real.py")
  assert suite["repeats"] == dict(by="fold", n=5) and suite["inits"] == (0, 1, 2)
  # Split seed 0 chose the shipped recipe; seed 1 is the registered budget (2-3 kept back).
  assert suite["split_seeds"] == (1,)
  config = runner.run_config(suite, "quadrant", 2, tmp_path, init=1)
  assert config.eval.folds == 5 and config.eval.fold == 2 and config.data.test_fraction == 0
  assert config.data.split_seed == 1 and config.seed == 1
  # 4Q from the 4q dataset in 4q_dev/ (folds by metadata.csv's Artist column), folded with
  # GTZAN so the single-task arm tests the joint arm's clips.
  assert config.data.source == "4q" and "4q:4q_dev" in config.data.dirs
  assert config.eval.fold_pool == "gtzan+4q" and not config.tasks.genre
  configs = {c: runner.run_config(suite, c, 0, tmp_path, init=0) for c in suite["cells"]}
  assert configs["joint"].data.source == "gtzan+4q"
  # Every cell is the shipped recipe's front end but for what it varies.
  recipe = config_files.load("configs/real_music.py")
  for cell, cell_config in configs.items():
    assert cell_config.train.select_on == "last" and not cell_config.model.pretrained.trainable
    assert cell_config.data.segment_seconds == recipe.data.segment_seconds
    assert cell_config.features.names[:2] == ("musicnn", "musicnn_mtt")
    assert cell_config.train.batch_size == 32
  trunks = {c: cfg.model.rows.trunk for c, cfg in configs.items()}
  assert trunks.pop("joint_pooled") == "pooled" and trunks.pop("joint_transformer") == \
      "transformer" and set(trunks.values()) == {"crnn"}
  assert configs["joint_spectral"].features.names[2:] == ("mel", "mfcc", "chroma")
  assert configs["joint_spectral"].model.rows.window == 187
  assert configs["quadrant_80"].train.epochs == 2 * recipe.train.epochs  # the transfer's total
  assert (configs["genre_matched"].train.epochs, configs["quadrant_matched"].train.epochs) == (
      105, 67)
  transfer_config = runner.run_config(suite, "transfer", 3, tmp_path, init=2)
  assert transfer_config.train.init_from == str(tmp_path / "genre" / "fold_3" / "init_2")


def test_the_real_study_family_b_trains_the_planned_architecture_from_audio(tmp_path):
  suite = suite_lib.load_suite(REPO / "experiments" / "real_audio.py")
  assert suite["split_seeds"] == (1,) and suite["inits"] == (0, 1)
  configs = {c: runner.run_config(suite, c, 0, tmp_path, init=0) for c in suite["cells"]}
  for cell, config in configs.items():
    assert not set(config.features.names) & {"musicnn", "musicnn_mtt"}, cell
    assert config.data.segment_seconds == 10.0 and config.eval.fold_pool == "gtzan+4q"
  epochs = {cell: config.train.epochs for cell, config in configs.items()}
  # Amendment 1: matched optimizer steps, and the transfer's total epochs (15 genre + 15 4Q).
  assert epochs == dict(joint=15, genre=15, quadrant=15, joint_fused=15, joint_transformer=15,
                        genre_matched=40, quadrant_matched=25, quadrant_30=30, transfer=15)
  assert suite["cells"]["transfer"]["init_from"] == "genre"
  assert configs["transfer"].tasks.emotion == "quadrant" and not configs["transfer"].tasks.genre
  assert configs["joint_fused"].features.names == ("mel", "mfcc", "chroma")
  assert configs["joint_transformer"].model.trunk == "transformer"
  assert configs["joint"].model.trunk == "crnn" and configs["joint"].features.names == ("mel",)
  assert configs["genre"].data.source == "gtzan" and configs["quadrant"].data.source == "4q"


def test_the_shipped_recipe_suite_is_the_recipe_with_one_head_or_folds_by_track(tmp_path):
  suite = suite_lib.load_suite(REPO / "experiments" / "shipped_recipe.py")
  assert suite["repeats"] == dict(by="fold", n=5) and suite["split_seeds"] == (1, 2, 3)
  recipe = config_files.load("configs/real_music.py")
  configs = {cell: runner.run_config(suite, cell, 1, tmp_path) for cell in suite["cells"]}
  assert configs["joint"].data.source == recipe.data.source == "gtzan+4q"
  assert configs["joint"].tasks.genre and configs["joint"].tasks.emotion == "quadrant"
  for cell in ("genre", "genre_by_track", "genre_matched"):
    assert configs[cell].data.source == "gtzan" and configs[cell].tasks.emotion == "none"
  for cell in ("quadrant", "quadrant_matched"):
    assert configs[cell].data.source == "4q" and not configs[cell].tasks.genre
  # Only the by-track cell ignores the artists when folding.
  assert {c for c, config in configs.items() if config.data.group_folds_by == "track"} == {
      "genre_by_track"}
  assert configs["genre_matched"].train.epochs > configs["quadrant_matched"].train.epochs > \
      recipe.train.epochs
  for config in configs.values():
    assert config.eval.folds == 5 and config.eval.fold == 1 and config.data.test_fraction == 0
    assert config.eval.fold_pool == "gtzan+4q"  # every arm folds both datasets alike
    assert config.data.dirs == recipe.data.dirs
    assert config.features.names == recipe.features.names


TINY_SUITE = """
SUITE = dict(
    name="tiny", repeats=dict(by="seed", n=2),
    set={{"data.cache_dir": {cache!r}, "tasks.emotion": "both", "train.select_on": "last"}},
    cells={{
        "genre_only": dict(config="configs/test.py", set={{"tasks.emotion": "none"}}),
        "joint": dict(config="configs/test.py"),
        "transfer_frozen": dict(config="configs/test.py", init_from="genre_only",
                                set={{"tasks.genre": False, "train.freeze_transferred": True}}),
    }},
    experiments=[dict(title="Single-task vs multi-task", pairs=[("joint", "genre_only")]),
                 dict(title="Transfer", pairs=[("transfer_frozen", "joint")])],
    quick=dict(variants="", repeats=2),
)
"""


@pytest.fixture(scope="module")
def quick_suite(tmp_path_factory):
  """The tiny suite run once with --quick: 3 cells x 2 seeds of configs/test.py size."""
  tmp = tmp_path_factory.mktemp("suite")
  path = tmp / "tiny.py"
  path.write_text(TINY_SUITE.format(cache=str(tmp / "cache")))
  root = tmp / "root"
  assert experiments_main.main([str(path), "--quick", f"--root={root}"]) == 0
  return path, root


def _report_cells(markdown: str, header_start: str) -> dict:
  """{first column: [other columns]} of the Markdown table whose header starts so."""
  lines = markdown.splitlines()
  start = next(i for i, line in enumerate(lines) if line.startswith(header_start))
  header = [c.strip() for c in lines[start].strip("|").split("|")]
  rows = {}
  for line in lines[start + 2:]:
    if not line.startswith("|"):
      break
    cells = [c.strip() for c in line.strip("|").split("|")]
    rows[cells[0].strip("`")] = dict(zip(header[1:], cells[1:]))
  return rows


@pytest.mark.slow
def test_quick_suite_report_numbers_are_the_runs_metrics(quick_suite):
  _, root = quick_suite
  markdown = (root / "REPORT.md").read_text()
  runs = results.load_runs(root, results.load_suite_record(root))
  assert {c: len(r) for c, r in runs.items()} == {"genre_only": 2, "joint": 2,
                                                   "transfer_frozen": 2}
  per_run = _report_cells(markdown, "| run | split seed | best / total epochs")
  checked = 0
  for cell, cell_runs in runs.items():
    for run in cell_runs:
      row = per_run[f"{cell}/{run.repeat}"]
      metrics = json.loads((run.dir / "metrics.json").read_text())
      assert row["best / total epochs"] == (
          f"{metrics['training']['best_epoch']} / {metrics['training']['epochs_done']}")
      for metric in results.report_metrics():
        node = metrics["metrics"]
        for key in metric.path:
          node = node.get(key) if isinstance(node, dict) else None
        if node is not None and metric.label in row:
          assert row[metric.label] == ("–" if math.isnan(node) else f"{node:.3f}"), (
              cell, run.repeat, metric.label)
          checked += 1
  assert checked >= 30
  # The per-task tables: mean ± sample SD over the two seeds, from metrics.json directly.
  genre = _report_cells(markdown, "| cell | genre accuracy")
  for cell in ("genre_only", "joint"):
    values = [json.loads((root / cell / f"seed_{i}" / "metrics.json").read_text())
              ["metrics"]["genre"]["accuracy"] for i in range(2)]
    sd = abs(values[0] - values[1]) / math.sqrt(2)  # two values: SD (n − 1) = |a − b| / √2
    assert genre[cell]["genre accuracy"] == f"{np.mean(values):.3f} ± {sd:.3f}"
  assert "Holm" in markdown and "## Conclusion" in markdown
  assert re.search(r"`joint` vs `genre_only` \| genre macro-F1", markdown)
  assert (root / "figures" / "differences_1.png").stat().st_size > 1000
  # The raw results beside the report regenerate it without the run dirs.
  raw = raw_results.load(root / raw_results.FILE_NAME)
  assert {(r["cell"], r["repeat"]) for r in raw["runs"]} == {
      (c, f"seed_{i}") for c in ("genre_only", "joint", "transfer_frozen") for i in range(2)}
  assert raw["predictions"]["runs"], "per-track predictions are kept"
  # n_train / n_test per task (the corrected t-test's ratio) are the run's own split counts.
  first = next(r for r in raw["runs"] if r["cell"] == "genre_only")
  data = json.loads((root / "genre_only" / first["repeat"] / "metrics.json").read_text())["data"]
  assert (first["n_train"]["genre"], first["n_test"]["genre"]) == (
      data["tracks"]["train"], data["tracks"]["test"])
  assert report_lib.render(raw, root / "elsewhere", draw=False) == markdown
  assert (root / "genre_only" / "seed_0" / "tensorboard").is_dir()


@pytest.mark.slow
def test_a_killed_suite_reruns_only_the_missing_run(quick_suite):
  path, root = quick_suite
  victim = root / "joint" / "seed_1" / "metrics.json"
  kept = root / "joint" / "seed_0" / "metrics.json"
  before = kept.stat().st_mtime_ns
  victim.unlink()
  shutil_rm = __import__("shutil").rmtree
  shutil_rm(root / "joint" / "seed_1" / "checkpoints")  # killed before its first epoch ended
  suite = suite_lib.load_suite(path, quick=True)
  status = runner.run_suite(suite, root)
  assert [k for k, v in status.items() if v == "trained"] == ["joint/seed_1"]
  assert victim.is_file() and kept.stat().st_mtime_ns == before


@pytest.mark.slow
def test_runs_lists_and_compares_finished_runs(quick_suite, capsys):
  _, root = quick_suite
  assert runs_lib.main([str(root)]) == 0
  out = capsys.readouterr().out
  assert out.count("seed_") >= 6 and "Per cell, mean ± 95% CI" in out
  assert runs_lib.main([str(root / "nothing_here")]) == 1


def test_python_m_jmer_runs_entry_point_exists():
  import jmer.runs  # noqa: F401
  assert "jmer.runs" in sys.modules


def test_a_run_claimed_by_a_live_runner_is_left_to_it_and_a_stale_claim_is_taken(tmp_path):
  import os
  import subprocess
  run_dir = tmp_path / "cell" / "seed_0"
  run_dir.mkdir(parents=True)
  (run_dir / runner.CLAIM_FILE).write_text(str(os.getppid()))  # a live process, not this one
  assert not runner._claim(run_dir)  # pylint: disable=protected-access
  gone = subprocess.Popen(["true"])
  gone.wait()
  (run_dir / runner.CLAIM_FILE).write_text(str(gone.pid))  # a process that has exited
  assert runner._claim(run_dir)  # pylint: disable=protected-access
  assert (run_dir / runner.CLAIM_FILE).read_text() == str(os.getpid())


def test_report_describes_every_data_source_of_a_suite_and_its_features():
  from types import SimpleNamespace
  from jmer.experiments import describe

  def run(source, summary, test_tracks, grouped=False, val=2):
    split = dict(per_dataset={source: dict(grouped=grouped, by="metadata.csv" if grouped
                                           else "track")})
    data = dict(source=source, summary=summary, per_dataset={}, genre_counts={}, split=split,
                tracks=dict(train=8, val=val, test=test_tracks))
    return SimpleNamespace(report=dict(data=data, config={}))
  record = dict(repeats=dict(by="fold", n=2), split_seed=0)
  gtzan = [run("manifest", "manifest g.csv: 140 files", 70)] * 2
  fourq = [run("folder", "class folders at 4q: 300 files", 150, grouped=True)] * 2
  runs = dict(genre_only=gtzan, quadrant_only=fourq, transfer=fourq)
  text = "\n".join(describe.data_section(record, runs, list(runs)))
  assert "**manifest** (cells `genre_only`)" in text
  assert "**folder** (cells `quadrant_only`, `transfer`)" in text
  assert "140 test tracks over the folds of `genre_only`" in text  # 70 + 70
  assert "300 test tracks over the folds of `quadrant_only`" in text
  assert text.count("cross-validation by track") == 1 and "No group is on both sides" in text
  assert "validation set comes from the other folds" in text
  # select_on='last' trains on every non-test track: the text must not invent a val split.
  no_val = dict(genre_only=[run("manifest", "manifest g.csv: 140 files", 70, val=0)] * 2)
  text = "\n".join(describe.data_section(record, no_val, ["genre_only"]))
  assert "no validation split: every track outside the test fold trains" in text
  assert "validation set comes from" not in text
  # Runs that record their fold scheme (FoldAssignment.record) have the report name it.
  drawn = [run("folder", "class folders at 4q: 300 files", 150, grouped=True)] * 2
  drawn[0].report["data"]["split"]["folds"] = dict(
      text="stratified group 2-fold (...); gtzan reggae has only 1 groups (artists)",
      pool=["gtzan", "4q"])
  text = "\n".join(describe.data_section(record, dict(quadrant_only=drawn), ["quadrant_only"]))
  assert ("(seeded, stratified group 2-fold (...); gtzan reggae has only 1 groups (artists), "
          "drawn over gtzan + 4q; data.split_seed = 0)") in text
  assert describe.feature_text({"features.names": ["musicnn", "mfcc"]}) == (
      "frozen MSD-musicnn embeddings (penultimate layer, per 3 s patch) + MFCC")


SEEDED_SUITE = """
SUITE = dict(
    name="seeded", repeats=dict(by="fold", n=2), split_seeds=(3, 4),
    set={{"data.cache_dir": {cache!r}, "train.select_on": "last", "tasks.emotion": "none"}},
    cells={{"genre_only": dict(config="configs/test.py"),
            "wider": dict(config="configs/test.py", set={{"model.embedding_dim": 16}})}},
    experiments=[dict(title="Width", pairs=[("wider", "genre_only")])],
)
"""


@pytest.mark.slow
def test_a_suite_on_several_split_seeds_runs_each_under_its_own_folder_and_reports_them_merged(
    tmp_path):
  path = tmp_path / "seeded.py"
  path.write_text(SEEDED_SUITE.format(cache=str(tmp_path / "cache")))
  root = tmp_path / "root"
  # One seed first (as one process per seed would): its report covers the seed that has runs,
  # though seed 4's folder already exists without any.
  (root / "split_seed_4").mkdir(parents=True)
  assert experiments_main.main([str(path), f"--root={root}", "--split-seeds=3"]) == 0
  assert "1 split seed(s) (3) × 2 folds" in (root / "REPORT.md").read_text()
  assert experiments_main.main([str(path), f"--root={root}"]) == 0
  for seed in (3, 4):
    for fold in (0, 1):
      config = json.loads((root / f"split_seed_{seed}" / "genre_only" / f"fold_{fold}"
                           / "config.json").read_text())
      assert config["data"]["split_seed"] == seed and config["eval"]["fold"] == fold
  # Another split seed deals other folds: the same fold index tests other tracks.
  tested = {seed: {row["track_id"] for row in csv.DictReader(open(
      root / f"split_seed_{seed}" / "genre_only" / "fold_0" / "test_predictions.csv"))}
            for seed in (3, 4)}
  assert tested[3] and tested[3] != tested[4]
  raw = raw_results.load(root / raw_results.FILE_NAME)
  assert {(r["cell"], r["split_seed"], r["repeat"]) for r in raw["runs"]} == {
      (c, s, f"fold_{k}") for c in ("genre_only", "wider") for s in (3, 4) for k in (0, 1)}
  markdown = (root / "REPORT.md").read_text()
  assert "2 split seed(s) (3, 4) × 2 folds" in markdown
  # The comparison pairs the four (split seed, fold) repeats, and McNemar pools their tracks.
  assert re.search(r"`wider` vs `genre_only` \| genre macro-F1 \|.*\| n/a \(n = 4: ", markdown)
  assert "McNemar on 80 tracks" in markdown  # 2 seeds x 2 folds x 20 test tracks


@pytest.mark.parametrize("entry, message", [
    ("split_seed=1, split_seeds=(2, 3)", "both 'split_seed' and 'split_seeds'"),
    ("split_seeds=()", "expected a tuple of distinct ints"),
    ("split_seeds=(1, 1)", "expected a tuple of distinct ints"),
    ("split_seeds=('1',)", "expected a tuple of distinct ints")])
def test_bad_split_seeds_are_refused_with_the_suite_file(tmp_path, entry, message):
  path = tmp_path / "bad.py"
  path.write_text(f"SUITE = dict(name='x', repeats=dict(by='fold', n=2), {entry}, "
                  "cells={'a': dict(config='configs/test.py')}, experiments=[])\n")
  with pytest.raises(suite_lib.SuiteError, match=re.escape(message)):
    suite_lib.load_suite(path)


def test_quick_keeps_the_first_split_seed_and_a_one_seed_suite_keeps_its_root(tmp_path):
  suite = suite_lib.load_suite(REPO / "experiments" / "real.py", quick=True)
  assert suite["split_seeds"] == (1,) and suite["split_seed"] == 1
  assert suite_lib.seed_root(tmp_path, suite, 1) == tmp_path
  full = suite_lib.load_suite(REPO / "experiments" / "shipped_recipe.py")  # split seeds 1-3
  assert suite_lib.seed_root(tmp_path, full, 2) == tmp_path / "split_seed_2"


def test_two_runners_writing_one_suite_record_at_once_do_not_collide(tmp_path):
  # Two runners of one suite (one per core) both write <root>/suite.json as they start; with
  # one shared temp-file name one's rename found the other's temp file gone.
  import subprocess
  code = ("import sys; from jmer.config import provenance\n"
          "for _ in range(300):\n"
          "  provenance.write_json(sys.argv[1], dict(writer=sys.argv[2], filler=list(range(200))))")
  workers = [subprocess.Popen([sys.executable, "-c", code, str(tmp_path / "suite.json"), str(i)],
                              cwd=REPO, stderr=subprocess.PIPE, text=True) for i in range(2)]
  errors = [w.communicate(timeout=120)[1] for w in workers]
  assert [w.returncode for w in workers] == [0, 0], errors
  assert json.loads((tmp_path / "suite.json").read_text())["writer"] in ("0", "1")
  assert not list(tmp_path.glob(".*.tmp"))


def test_split_seeds_flag_runs_one_seed_and_the_record_keeps_them_all(tmp_path):
  path = tmp_path / "seeded.py"
  path.write_text(SEEDED_SUITE.format(cache=str(tmp_path / "cache")))
  suite = suite_lib.load_suite(path)
  trained = []

  def fake_train(config, run_dir):
    trained.append((config.data.split_seed, config.eval.fold))
    (run_dir / runner.METRICS_FILE).write_text("{}")
  status = runner.run_suite(suite, tmp_path / "root", cells=["genre_only"], train_fn=fake_train,
                            split_seeds=[4])
  assert sorted(trained) == [(4, 0), (4, 1)]
  assert set(status) == {"split_seed_4/genre_only/fold_0", "split_seed_4/genre_only/fold_1"}
  assert json.loads((tmp_path / "root" / "suite.json").read_text())["split_seeds"] == [3, 4]
  with pytest.raises(suite_lib.SuiteError, match=r"no split seed\(s\) \[7\]"):
    runner.run_suite(suite, tmp_path / "root", train_fn=fake_train, split_seeds=[7])
