"""The cross_dataset_genre analysis: it collects a suite root with init seeds (4Q clips' AllMusic
genres and predicted genres from test_predictions.csv), renders from the raw file alone, and
its verdicts follow the numbers."""

import csv
import json

import pytest

from jmer.experiments import suite as suite_lib
from jmer.experiments.analyses import cross_dataset_genre as analysis
from jmer.experiments.analyses import files

FOLDS, INITS = 5, (0, 1)
# 4Q test clips of a fold: (AllMusic genres, what today's head says, what the candidate says).
CLIPS_4Q = [("Reggae", "hiphop", "reggae"), ("Pop/Rock", "metal", "rock"),
            ("Pop/Rock; Holiday", "metal", "pop"), ("Jazz", "jazz", "jazz"),
            ("Pop/Rock; Country", "metal", "country"),  # conflicting: never scored
            ("Electronic", "disco", "disco")]  # unmapped: never scored
GTZAN = [("blues", "blues"), ("rock", "pop"), ("metal", "metal"), ("jazz", "jazz")]


def _report(cell, fold, init) -> dict:
  wobble = 0.01 * ((fold * 7 + init * 3) % 5)  # folds and inits differ a little
  genre = dict(macro_f1=0.70 + wobble, n=60)
  quadrant = dict(macro_f1=0.68 + wobble + (0.005 if cell == "beyond" else 0.0), n=90)
  own = cell != "reverse"
  return dict(config=dict(tasks=dict(genre=True), data=dict(
                  genre_labels=dict(own=own, allmusic="none" if cell == "today" else "sets"))),
              per_dataset=dict(gtzan=dict(genre=genre), **{"4q": dict(quadrant=quadrant)}),
              data=dict(per_dataset=dict(gtzan=dict(train=dict(tracks=240), test=dict(tracks=60)),
                                         **{"4q": dict(train=dict(tracks=360),
                                                       test=dict(tracks=90))})))


def _predictions(path, cell, fold, init):
  rows = []
  for i, (tags, today, beyond) in enumerate(CLIPS_4Q):
    # The candidate misses the reggae clip in one of the two inits of each fold.
    said = today if cell == "today" else ("metal" if i == 0 and (fold + init) % 2 else beyond)
    rows.append(dict(track_id=f"S{fold}{i}", dataset="4q", true_genre="", pred_genre=said,
                     true_genre_tags=tags.replace("; ", "|")))
  rows += [dict(track_id=f"{g}.{fold}{i}", dataset="gtzan", true_genre=g, pred_genre=p,
                true_genre_tags="") for i, (g, p) in enumerate(GTZAN)]
  with open(path, "w", newline="") as fh:
    writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)


@pytest.fixture
def suite_root(tmp_path):
  root = tmp_path / "genre_beyond"
  cells = {"today": dict(config="configs/real_music.py", label="today"),
           "beyond": dict(config="configs/real_music.py:genre=beyond", label="new"),
           "reverse": dict(config="configs/real_music.py:genre=beyond", label="4Q only",
                           set={"data.genre_labels.own": False})}
  record = dict(name="genre_beyond", file="experiments/genre_beyond.py", quick=False,
                repeats=dict(by="fold", n=FOLDS), split_seed=1, split_seeds=[1], set={},
                variants="", description="", experiments=[], cells=cells, inits=list(INITS),
                sesoi={"genre macro-F1": 0.03, "quadrant macro-F1": 0.03},
                preregistration="experiments/preregistration/genre_beyond.md",
                preregistration_commit="abcdef0123456789")
  root.mkdir()
  (root / "suite.json").write_text(json.dumps(record))
  for cell in cells:
    for name in suite_lib.repeat_names(record):
      fold, init = suite_lib.parse_repeat(name)
      run = root / cell / name
      run.mkdir(parents=True)
      (run / "metrics.json").write_text(json.dumps(_report(cell, fold, init)))
      _predictions(run / "test_predictions.csv", cell, fold, init)
  return root


def test_collect_reads_each_run_its_init_and_its_clips(suite_root):
  raw = analysis.collect(suite_root)
  assert (raw["baseline"], raw["primary"]) == ("today", "beyond")
  assert len(raw["runs"]) == 3 * FOLDS * len(INITS)
  assert {(r["fold"], r["init"]) for r in raw["runs"]} == {(f, i) for f in range(FOLDS)
                                                             for i in INITS}
  first = next(r for r in raw["runs"] if r["cell"] == "today" and r["fold"] == 0)
  assert first["clips_4q"][2] == ["S02", "Pop/Rock|Holiday", "metal"]
  assert first["counts"]["4q"] == dict(n_test=90, n_train=360)
  assert raw["cells"]["reverse"]["genre_labels"] == dict(own=False, allmusic="sets")
  assert raw["preregistration_commit"] == "abcdef0123456789"


def test_scores_follow_the_hand_counts(suite_root):
  raw = analysis.collect(suite_root)
  today = next(r for r in raw["runs"] if r["cell"] == "today")
  # today: reggae -> hiphop (miss), both pop or rock -> metal (miss), jazz right: F1 0, 0, 1.
  assert analysis.pairs(today, "cross") == [("reggae", "hiphop"), ("pop or rock", "metal"),
                                            ("pop or rock", "metal"), ("jazz", "jazz")]
  assert analysis.run_value(today, "cross") == pytest.approx(1 / 3)
  assert analysis.run_value(today, "cross_single") == pytest.approx(1 / 3)  # 3 single clips
  # GTZAN, 7 labels: blues right, rock called pop (right: pop or rock), jazz right; metal out.
  assert analysis.run_value(today, "gtzan7") == pytest.approx(1.0)
  assert analysis.fold_values(raw, "beyond", "cross")[(1, 0)] == pytest.approx((1.0 + 2 / 3) / 2)


def test_the_report_renders_from_the_raw_file_and_its_verdicts_follow_the_numbers(suite_root,
                                                                                  tmp_path):
  raw = analysis.collect(suite_root)
  out = tmp_path / "results"
  files.write(out, "cross_dataset_genre", raw)
  assert files.check(out) == []
  text = (out / "REPORT.md").read_text()
  assert ("Pre-registered in `experiments/preregistration/genre_beyond.md` at commit abcdef012345: "
          "the primary comparison, beyond against today.") in text
  assert ("Of the 30 4Q clips (each in one test fold): **20 evaluated** (15 of them "
          "single-genre), **5 left out as conflicting**") in text
  rows = {r["metric"]: r for r in analysis.primary_rows(raw)}
  # today 1/3 in every fold; the candidate 1 or 2/3 (fold means 5/6): +0.5 in every fold.
  assert rows["cross"]["test"]["mean"] == pytest.approx(0.5)
  assert rows["cross"]["holm_p"] < 0.05
  assert "met: detected, and the mean difference reaches it" in text
  assert "| 1, 0 | 0.333 → 0.833 (+0.500) |" in text  # the per-fold table
  assert rows["quadrant"]["test"]["mean"] == pytest.approx(0.005)
  assert "| 4Q → GTZAN" not in text and "◆" in text  # the reverse cell's GTZAN column
  assert "## Other cells against today (secondary, unadjusted)" in text


def test_a_cell_without_a_metric_gets_no_test(suite_root):
  raw = analysis.collect(suite_root)
  for run in raw["runs"]:
    if run["cell"] == "reverse":
      run.pop("quadrant")
  assert analysis.difference_test(raw, "reverse", "quadrant")["n"] == 0
  analysis.render(raw)  # renders without it


def test_a_suite_whose_pre_registration_does_not_name_the_check_has_no_primary(suite_root):
  raw = analysis.collect(suite_root, baseline="beyond", primary="none")
  text = analysis.render(raw)
  assert raw["primary"] == "" and "## The primary comparison" not in text
  assert "No comparison below is a primary one: each is secondary, unadjusted." in text
  assert "## Other cells against beyond (secondary, unadjusted)" in text
  with pytest.raises(ValueError, match="primary='nope': no such cell"):
    analysis.collect(suite_root, primary="nope")


def test_acceptance_needs_detection_at_the_familys_level_and_the_gain():
  from jmer.experiments.analyses import cross_dataset_tables as tables
  row = dict(holm_p=0.074, test=dict(mean=0.187, ci_low=0.039, ci_high=0.336))
  assert ("not met: the difference is not detected at the family's level (p (Holm) = 0.074); "
          "the CI's lower end is below +0.10.") in tables._acceptance(row, 0.10)[1]
  row = dict(holm_p=0.01, test=dict(mean=0.08, ci_low=0.02, ci_high=0.14))
  assert "not met: its mean is below +0.10;" in tables._acceptance(row, 0.10)[1]


def test_the_report_gives_the_runs_summed_wall_time_from_the_raw_file(suite_root):
  # The docs quote a suite's run time; it must come from the committed raw file. 30 runs:
  # 29 of 4.0 s and one of 4.4 s, as the runner records them beside metrics.json.
  runs = sorted(suite_root.glob("*/fold_*/init_*"))
  for i, run in enumerate(runs):
    (run / "wall_time.json").write_text(json.dumps(dict(seconds=4.4 if i == 0 else 4.0)))
  raw = analysis.collect(suite_root)
  assert sum(r["wall_seconds"] for r in raw["runs"]) == pytest.approx(120.4)
  assert "Run time: 30 runs, their wall times summed 2 min 0 s." in analysis.render(raw)
  # A raw file from before wall times were recorded renders no such line (its committed
  # report unchanged); nor does one where any run lacks it.
  (runs[0] / "wall_time.json").unlink()
  assert "Run time:" not in analysis.render(analysis.collect(suite_root))
