"""jmer.tasks: the one place that says what a task is.

The last test adds a toy task ("tempo": slow/fast from a manifest column) through a spec alone
and trains, evaluates, exports and predicts with it, so no other module needs an edit to add one.
"""

import csv
import dataclasses
import json
import math

import numpy as np
import pytest
import soundfile as sf

from jmer import labels
from jmer import tasks as tasks_lib
from jmer.data import tracks as tracks_lib
from jmer.evaluation import metrics


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
  assert tasks_lib.task_of(tasks_lib.aux_output_name("chroma", "emotion")) is tasks_lib.EMOTION
  tiny_config.train.lambda_emotion = 0.4
  tiny_config.model.aux_weight = 0.5
  names = ("genre", "emotion", "aux_mel_genre", "aux_mel_emotion")
  assert losses.loss_weights(names, tiny_config) == pytest.approx(
      {"genre": 1.0, "emotion": 0.4, "aux_mel_genre": 0.5, "aux_mel_emotion": 0.2})


def test_segment_predictions_average_per_track():
  owner = np.array([0, 0, 1, 1, 1])
  values = np.array([[1.0, 0.0], [0.0, 1.0], [0.3, 0.3], [0.6, 0.0], [0.0, 0.0]])
  np.testing.assert_allclose(tasks_lib.GENRE.aggregate(values, owner, 2),
                             [[0.5, 0.5], [0.3, 0.1]])


def test_emotion_is_scored_as_av_and_as_the_implied_quadrant(tiny_config):
  tracks = [tracks_lib.Track("a", "a", "x", arousal=0.5, valence=0.5, quadrant=0),
            tracks_lib.Track("b", "b", "x", arousal=-0.5, valence=-0.5, quadrant=2)]
  preds = np.array([[0.4, 0.2], [np.nan, 0.1]])
  (k1, kind1, truth1, _, _), (k2, kind2, truth2, onehot, names) = tasks_lib.EMOTION.evaluations(
      tracks, preds, labels.GTZAN_GENRES, tiny_config)
  assert (k1, kind1, k2, kind2) == ("emotion_av", "regression", "quadrant_from_av",
                                    "classification")
  np.testing.assert_allclose(truth1, [[0.5, 0.5], [-0.5, -0.5]])
  assert list(truth2) == [0, 2] and names == labels.QUADRANTS
  np.testing.assert_allclose(onehot, [[1, 0, 0, 0], [np.nan] * 4])  # NaN AV: no opinion


def test_a_nan_av_prediction_has_no_quadrant_in_predict_or_metrics(tiny_config):
  # In jmer.predict: no quadrant at all (not QUADRANTS[-1], which av_quadrant's -1 would pick).
  summary = tasks_lib.EMOTION.summary(np.array([np.nan, 0.3]), (), {"quadrant_threshold": 0.0},
                                      ("emotion",))
  assert summary["quadrant"] is None and math.isnan(summary["arousal"])
  # In the quadrant-from-AV metrics: left out and counted, not scored as Q1 (a uniform row's
  # argmax) or Q4. Both tracks are Q3; only the finite prediction (also Q3) is scored.
  tracks = [tracks_lib.Track(i, i, "x", arousal=-0.5, valence=-0.5, quadrant=2) for i in "ab"]
  preds = np.array([[-0.4, -0.2], [np.nan, np.nan]])
  _, (_, kind, truth, onehot, names) = tasks_lib.EMOTION.evaluations(
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


def test_av_estimate_from_quadrant_probabilities():
  from jmer import tasks as tasks_lib
  # Q1 happy (+A +V), Q2 angry (+A −V), Q3 sad (−A −V), Q4 calm (−A +V).
  assert tasks_lib.av_from_quadrant_probabilities([1, 0, 0, 0]) == (1.0, 1.0)
  assert tasks_lib.av_from_quadrant_probabilities([0, 0, 1, 0]) == (-1.0, -1.0)
  assert tasks_lib.av_from_quadrant_probabilities([0, 0.5, 0, 0.5]) == (0.0, 0.0)
  a, v = tasks_lib.av_from_quadrant_probabilities([0.1, 0.6, 0.2, 0.1])
  assert (round(a, 6), round(v, 6)) == (0.4, -0.6)  # 0.7 − 0.3, 0.2 − 0.8


def test_quadrant_summary_estimates_av_only_without_an_av_head():
  import numpy as np
  from jmer import labels
  from jmer import tasks as tasks_lib
  mean = np.array([0.1, 0.6, 0.2, 0.1])
  alone = tasks_lib.QUADRANT.summary(mean, labels.QUADRANTS, {}, ("genre", "quadrant"))
  assert alone["quadrant"] == "Q2_angry" and alone["av_source"] == "quadrant probabilities"
  assert (alone["arousal"], alone["valence"]) == (0.4, -0.6)
  assert alone["quadrant_probabilities"] == dict(zip(labels.QUADRANTS, [0.1, 0.6, 0.2, 0.1]))
  beside_av = tasks_lib.QUADRANT.summary(mean, labels.QUADRANTS, {}, ("emotion", "quadrant"))
  assert "arousal" not in beside_av  # the AV head says it
