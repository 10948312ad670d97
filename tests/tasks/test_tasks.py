"""jmer.tasks: the one place that says what a task is.

The last test adds a toy task ("tempo": slow/fast from a manifest column) through a spec alone
and trains, evaluates, exports, predicts and reports with it: it shows up in metrics.json, the
test predictions CSV, the run's figures, predict's table/JSON/CSV and a suite report, so no
other module needs an edit to add one.
"""

import csv
import dataclasses
import io
import json
import math

import numpy as np
import pytest
import soundfile as sf

from jmer.tasks import labels
from jmer import tasks as tasks_lib
from jmer.data import tracks as tracks_lib
from jmer.evaluation import metrics

from tests.tasks.task_contract import TaskContract


def test_output_names_follow_the_config_in_a_fixed_order(tiny_config):
  tiny_config.tasks.emotion = "both"
  assert tasks_lib.output_names(tiny_config) == ("genre", "emotion", "quadrant")
  tiny_config.tasks.genre, tiny_config.tasks.emotion = False, "quadrant"
  assert tasks_lib.output_names(tiny_config) == ("quadrant",)


def test_a_missing_label_is_zero_with_zero_weight_never_nan():
  track = tracks_lib.Track("t", "t.wav", "x", genre=3)  # no AV, no quadrant
  y, w = tasks_lib.targets(track, ("genre", "emotion", "quadrant"))
  assert int(y["genre"]) == 3 and float(w["genre"]) == 1.0
  assert np.array_equal(y["emotion"], [0.0, 0.0]) and float(w["emotion"]) == 0.0
  assert int(y["quadrant"]) == 0 and float(w["quadrant"]) == 0.0
  assert y["emotion"].dtype == np.float32 and y["genre"].dtype == np.int32


def test_aux_heads_map_back_to_their_task_and_loss_weights_use_lambda(tiny_config):
  from jmer.training import losses
  tiny_config.features.names = ("mel", "chroma")
  tiny_config.model.aux_heads = True
  heads = tasks_lib.model_heads(tiny_config)
  assert list(heads) == ["genre", "emotion", "aux_mel_genre", "aux_mel_emotion",
                         "aux_chroma_genre", "aux_chroma_emotion"]
  assert heads["aux_chroma_emotion"] == tasks_lib.Head(tasks_lib.AROUSAL_VALENCE, "chroma")
  tiny_config.train.lambda_emotion = 0.4
  tiny_config.model.aux_weight = 0.5
  assert losses.loss_weights(heads, tiny_config) == pytest.approx(
      {"genre": 1.0, "emotion": 0.4, "aux_mel_genre": 0.5, "aux_mel_emotion": 0.2,
       "aux_chroma_genre": 0.5, "aux_chroma_emotion": 0.2})


def test_a_task_name_may_hold_an_underscore(tiny_config, monkeypatch):
  # What an output is comes from tasks.Head, not from splitting its name at "_".
  from jmer.models import build
  slow_fast = dataclasses.replace(TempoTask(), name="tempo_class")
  monkeypatch.setitem(tasks_lib.TASKS, "tempo_class", slow_fast)
  tiny_config.tasks.genre, tiny_config.tasks.emotion = False, "none"
  tiny_config.tasks.tempo = True
  tiny_config.features.names = ("mel", "chroma")
  tiny_config.model.aux_heads = True
  heads = tasks_lib.model_heads(tiny_config)
  assert heads["aux_mel_tempo_class"] == tasks_lib.Head(slow_fast, "mel")
  y, w = {"tempo_class": "labels"}, {"tempo_class": "weights"}
  _, ys, ws = build.expand_targets(tiny_config)(None, y, w)
  assert ys == dict.fromkeys(("tempo_class", "aux_mel_tempo_class", "aux_chroma_tempo_class"),
                             "labels")
  assert set(ws.values()) == {"weights"}


def test_segment_predictions_average_per_track():
  owner = np.array([0, 0, 1, 1, 1])
  values = np.array([[1.0, 0.0], [0.0, 1.0], [0.3, 0.3], [0.6, 0.0], [0.0, 0.0]])
  np.testing.assert_allclose(tasks_lib.GENRE.aggregate(values, owner, 2),
                             [[0.5, 0.5], [0.3, 0.1]])


def test_emotion_is_scored_as_av_and_as_the_implied_quadrant(tiny_config):
  tracks = [tracks_lib.Track("a", "a", "x", arousal=0.5, valence=0.5, quadrant=0),
            tracks_lib.Track("b", "b", "x", arousal=-0.5, valence=-0.5, quadrant=2)]
  preds = np.array([[0.4, 0.2], [np.nan, 0.1]])
  av_task = tasks_lib.AROUSAL_VALENCE
  (k1, kind1, truth1, _, _), (k2, kind2, truth2, onehot, names) = av_task.evaluations(
      tracks, preds, labels.GTZAN_GENRES, tiny_config)
  assert (k1, kind1, k2, kind2) == ("emotion_av", "regression", "quadrant_from_av",
                                    "classification")
  np.testing.assert_allclose(truth1, [[0.5, 0.5], [-0.5, -0.5]])
  assert list(truth2) == [0, 2] and names == labels.QUADRANTS
  np.testing.assert_allclose(onehot, [[1, 0, 0, 0], [np.nan] * 4])  # NaN AV: no opinion


def test_a_nan_av_prediction_has_no_quadrant_in_predict_or_metrics(tiny_config):
  # In jmer.predict: no quadrant at all (not QUADRANTS[-1], which av_quadrant's -1 would pick).
  from jmer.inference import task_fields
  summary = task_fields.of(tasks_lib.AROUSAL_VALENCE).fields(
      np.array([np.nan, 0.3]), (), {"quadrant_threshold": 0.0}, ("emotion",))
  assert summary["quadrant"] is None and math.isnan(summary["arousal"])
  # In the quadrant-from-AV metrics: left out and counted, not scored as Q1 (a uniform row's
  # argmax) or Q4. Both tracks are Q3; only the finite prediction (also Q3) is scored.
  tracks = [tracks_lib.Track(i, i, "x", arousal=-0.5, valence=-0.5, quadrant=2) for i in "ab"]
  preds = np.array([[-0.4, -0.2], [np.nan, np.nan]])
  _, (_, kind, truth, onehot, names) = tasks_lib.AROUSAL_VALENCE.evaluations(
      tracks, preds, labels.GTZAN_GENRES, tiny_config)
  out = metrics.METRICS_OF_KIND[kind](truth, onehot, names)
  assert (out["n"], out["n_no_prediction"], out["accuracy"]) == (1, 1, 1.0)
  assert out["confusion_matrix"][0] == [0, 0, 0, 0]  # nothing counted as a Q1 prediction


@dataclasses.dataclass(frozen=True)
class TempoTask(tasks_lib.Task):
  """A toy task defined only here: 'slow' or 'fast', from a manifest's `tempo` column."""
  name: str = "tempo"
  kind: str = tasks_lib.CLASSIFICATION
  classes: tuple = ("slow", "fast")

  def enabled(self, config) -> bool:
    return bool(config.tasks.get("tempo", False))

  def labelled(self, track) -> bool:
    return track.extra_label("tempo") in self.classes

  def label(self, track):
    return self.classes.index(track.extra_label("tempo"))

  def class_names(self, genre_names) -> tuple:
    return self.classes

  def loss_weight(self, config) -> float:
    return 1.0


def _write_pulses(path, rate_hz, freq, seed, seconds=4.0, sr=16000):
  """Clicks of a tone at `rate_hz` per second: 'fast' clips pulse 8×/s, 'slow' ones 1.5×/s."""
  rng = np.random.default_rng(seed)
  t = np.arange(int(seconds * sr)) / sr
  envelope = np.exp(-30.0 * ((t * rate_hz) % 1.0) / rate_hz)
  wave = 0.5 * envelope * np.sin(2 * np.pi * freq * t) + 0.005 * rng.standard_normal(t.size)
  sf.write(str(path), wave.astype(np.float32), sr)


@pytest.mark.slow
def test_a_task_added_through_tasks_alone_trains_end_to_end(tiny_config, tmp_path, monkeypatch):
  from jmer.inference import predict
  from jmer.inference import output
  from jmer.models import model_file
  from jmer.training import train

  monkeypatch.setitem(tasks_lib.TASKS, "tempo", TempoTask())
  clips = tmp_path / "clips"
  clips.mkdir()
  rows = []
  for i in range(24):
    tempo = ("slow", "fast")[i % 2]
    name = f"{tempo}_{i}.wav"
    _write_pulses(clips / name, 8.0 if tempo == "fast" else 1.5, 300 + 40 * (i % 5), seed=i)
    rows.append(dict(path=f"clips/{name}", tempo=tempo))
  manifest = tmp_path / "labels.csv"
  with open(manifest, "w", newline="") as fh:
    writer = csv.DictWriter(fh, ["path", "tempo"])
    writer.writeheader()
    writer.writerows(rows)

  config = tiny_config
  config.data.source = "manifest"
  config.data.manifest.path = str(manifest)
  config.tasks.genre, config.tasks.emotion = False, "none"
  config.tasks.tempo = True  # the toy task's own switch
  config.train.epochs = 8
  config.train.crops_per_track = 4
  config.train.learning_rate = 3e-3
  report = train.train_and_evaluate(config, tmp_path / "run")

  metrics = report["metrics"]["tempo"]
  assert metrics["n"] == 6 and metrics["accuracy"] >= 0.8, metrics  # chance is 0.5
  assert set(metrics["per_class_f1"]) == {"slow", "fast"}
  assert "tempo" in report["baseline_mfcc_linear"]  # the linear reference covers it too
  bundle = model_file.load_model_bundle(tmp_path / "run" / model_file.MODEL_FILENAME)
  assert bundle.output_names == ("tempo",) and bundle.class_names("tempo") == ("slow", "fast")
  result = predict.predict_file(bundle, clips / "fast_1.wav")
  assert result["tempo"] in ("slow", "fast") and 0.0 <= result["tempo_probability"] <= 1.0
  assert f"tempo     {result['tempo']}" in output.format_table(result)
  saved = json.loads((tmp_path / "run" / "metrics.json").read_text())
  assert not math.isnan(saved["metrics"]["tempo"]["macro_f1"])
  _check_the_task_shows_everywhere(bundle, clips / "fast_1.wav", tmp_path)


def _check_the_task_shows_everywhere(bundle, clip, tmp_path):
  """The trained toy task in every output: the run's predictions CSV and figures, predict's
  three formats (with the timeline), and a suite report over the run."""
  import shutil

  from jmer.config import provenance
  from jmer.experiments import report as report_lib
  from jmer.inference import output
  from jmer.inference import predict
  run = tmp_path / "run"
  with open(run / "test_predictions.csv", newline="") as fh:
    rows = list(csv.DictReader(fh))
  assert len(rows) == 6 and {r["true_tempo"] for r in rows} == {"slow", "fast"}
  assert {r["pred_tempo"] for r in rows} <= {"slow", "fast"}
  assert all(0.0 <= float(r["tempo_prob"]) <= 1.0 for r in rows)
  assert (run / "figures" / "confusion_tempo.png").stat().st_size > 1000

  result = predict.predict_file(bundle, clip, timeline=True)
  printed = {}
  for fmt in output.FORMATS:
    stream = io.StringIO()
    output.make_writer(fmt, stream, timeline=True)(result)
    printed[fmt] = stream.getvalue()
  assert json.loads(printed["json"])["tempo"] == result["tempo"]
  table = printed["table"].splitlines()
  assert f"tempo     {result['tempo']}" in table[1]
  assert table[2].split()[-1] == "tempo"  # the timeline's column
  assert table[3].split()[-1] == result["timeline"][0]["tempo"]
  lines = list(csv.DictReader(io.StringIO(printed["csv"])))
  assert [r["level"] for r in lines] == ["track"] + ["segment"] * len(result["timeline"])
  assert (lines[0]["tempo"], float(lines[0]["tempo_probability"])) == (
      result["tempo"], result["tempo_probability"])

  root = tmp_path / "suite"
  shutil.copytree(run, root / "tempo" / "seed_0")
  provenance.write_json(root / "suite.json", dict(
      name="toy", file="toy.py", quick=False, repeats=dict(by="seed", n=1), split_seed=0,
      set={}, variants="", description="", cells={"tempo": dict(config="configs/test.py")},
      experiments=[], command="python -m jmer.experiments toy.py"))
  markdown = report_lib.write_report(root).read_text()
  assert "### Tempo" in markdown and "| cell | tempo accuracy | tempo macro-F1 |" in markdown
  accuracy = json.loads((run / "metrics.json").read_text())["metrics"]["tempo"]["accuracy"]
  assert "| `tempo/seed_0` | " in markdown and f"| {accuracy:.3f} |" in markdown


TAGS = ("rock", "pop", "jazz")


@dataclasses.dataclass(frozen=True)
class TagsTask(tasks_lib.MultiLabelTask):
  """A toy multi-label task defined only here: which of TAGS a track has, a sigmoid each."""
  name: str = "tags"
  target_shape: tuple = (len(TAGS),)

  def enabled(self, config) -> bool:
    return bool(config.tasks.get("tags", False))

  def labelled(self, track) -> bool:
    return bool(track.extra_label("tags"))

  def label(self, track):
    return [float(tag in track.extra_label("tags").split("|")) for tag in TAGS]

  def class_names(self, genre_names) -> tuple:
    return TAGS


@pytest.mark.slow
def test_a_multi_label_task_needs_only_its_spec(tiny_config, tmp_path, monkeypatch):
  from jmer.data import split_arrays
  from jmer.data import train_stream as train_stream_lib
  from jmer.evaluation import evaluate
  from jmer.experiments import results
  from jmer.models import build
  from jmer.training import losses
  monkeypatch.setitem(tasks_lib.TASKS, "tags", TagsTask())
  config = tiny_config
  config.tasks.genre, config.tasks.emotion = False, "none"
  config.tasks.tags = True
  config.train.batch_size = 8
  tags = ["rock|pop", "jazz", "", "pop", "rock|jazz", "pop|jazz", "rock", "pop"]
  tracks = [tracks_lib.Track(f"t{i}", f"/x/t{i}.wav", "d", extra=(("tags", t),))
            for i, t in enumerate(tags)]
  rng = np.random.default_rng(0)
  split = split_arrays.SplitData(tracks, {"mel": [
      rng.normal(size=(300, config.features.n_mels)).astype(np.float16) for _ in tracks]})
  x, y, w = train_stream_lib.TrainStream(split, config).batch(0, 0)
  assert y["tags"].shape == (8, 3) and y["tags"].dtype == np.float32

  heads = tasks_lib.model_heads(config)
  model = build.build_model(config, {"mel": dict(n_mels=config.features.n_mels)}, (),
                            stats=None)
  model.compile(optimizer="adam", loss=losses.task_losses(heads, config),
                loss_weights=losses.loss_weights(heads, config),
                weighted_metrics=losses.task_metrics(tasks_lib.output_names(config)))
  model.fit(x, y, sample_weight=w, epochs=1, verbose=0)
  preds = evaluate.predict_tracks(model, split, config)
  assert preds["tags"].shape == (8, 3) and ((0 <= preds["tags"]) & (preds["tags"] <= 1)).all()
  scores = evaluate.track_metrics(preds, tracks, (), config)["tags"]
  # The unlabelled track left out.
  assert scores["n"] == 7 and 0.0 < scores["mean_average_precision"] <= 1.0
  evaluate.write_predictions_csv(tmp_path / "p.csv", preds, split, ())
  with open(tmp_path / "p.csv", newline="") as fh:
    rows = list(csv.DictReader(fh))
  # The columns of its outputs' form (tag probabilities), true tags in TAGS' order.
  assert [r["true_tags"] for r in rows] == tags
  assert all(set(r["pred_tags"].split("|")) <= set(TAGS) | {""} for r in rows)
  assert results.metrics_by_label()["tags mAP"].path == ("tags", "mean_average_precision")
  assert "tags mAP" in results.headline() and results.task_titles()["tags"] == "Tags"


def test_av_estimate_from_quadrant_probabilities():
  from jmer import tasks as tasks_lib
  # Q1 happy (+A +V), Q2 angry (+A −V), Q3 sad (−A −V), Q4 calm (−A +V).
  assert tasks_lib.av_from_quadrant_probabilities([1, 0, 0, 0]) == (1.0, 1.0)
  assert tasks_lib.av_from_quadrant_probabilities([0, 0, 1, 0]) == (-1.0, -1.0)
  assert tasks_lib.av_from_quadrant_probabilities([0, 0.5, 0, 0.5]) == (0.0, 0.0)
  a, v = tasks_lib.av_from_quadrant_probabilities([0.1, 0.6, 0.2, 0.1])
  assert (round(a, 6), round(v, 6)) == (0.4, -0.6)  # 0.7 − 0.3, 0.2 − 0.8


class TestTempoContract(TaskContract):
  """The toy tempo task keeps the contract every registered task keeps."""
  task = TempoTask()

  def labelled_track(self):
    return tracks_lib.Track("t", "t.wav", "x", extra=(("tempo", "fast"),))


class TestTempoClassContract(TestTempoContract):
  """...and so does it under a name holding an underscore."""
  task = dataclasses.replace(TempoTask(), name="tempo_class")


class TestToyTagsContract(TaskContract):
  """The toy multi-label task too."""
  task = TagsTask()

  def labelled_track(self):
    return tracks_lib.Track("t", "t.wav", "x", extra=(("tags", "rock|jazz"),))
