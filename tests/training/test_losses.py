"""The masked multi-task loss: L = L_genre + λ·L_emotion, each head masked per sample."""

import numpy as np
import pytest

from jmer.tasks import labels
from jmer import tasks as tasks_lib
from jmer.training import losses
from jmer.data import features as features_lib
from jmer.data import segments as segments_lib
from jmer.models import build


def _model(config, lambda_emotion):
  config = config.copy_and_resolve_references()
  config.train.lambda_emotion = lambda_emotion
  params = features_lib.feature_params(config)
  model = build.build_model(config, params, genre_names=labels.GTZAN_GENRES)
  heads = tasks_lib.model_heads(config)
  model.compile(optimizer="adam", loss=losses.task_losses(heads, config),
                loss_weights=losses.loss_weights(heads, config))
  return model


def _batch(config, n=6, seed=0):
  rng = np.random.default_rng(seed)
  frames = segments_lib.segment_frames(config)
  x = {"mel": rng.normal(-30, 10, (n, frames, config.features.n_mels)).astype(np.float32)}
  y = {"genre": rng.integers(0, 10, n).astype(np.int32),
       "emotion": rng.uniform(-1, 1, (n, 2)).astype(np.float32)}
  w = {"genre": np.array([1, 1, 0, 1, 0, 1], np.float32),
       "emotion": np.array([0, 1, 1, 0, 1, 0], np.float32)}
  return x, y, w


def _losses(model, x, y, w):
  return model.evaluate(x, y, sample_weight=w, batch_size=len(w["genre"]), verbose=0,
                        return_dict=True)


def test_masked_label_values_cannot_change_the_loss(tiny_config):
  model = _model(tiny_config, lambda_emotion=0.7)
  x, y, w = _batch(tiny_config)
  before = _losses(model, x, y, w)
  y2 = {"genre": y["genre"].copy(), "emotion": y["emotion"].copy()}
  y2["genre"][w["genre"] == 0] = (y2["genre"][w["genre"] == 0] + 5) % 10
  y2["emotion"][w["emotion"] == 0] = 123.0  # absurd values where the label is masked
  after = _losses(model, x, y2, w)
  for key in ("loss", "genre_loss", "emotion_loss"):
    assert after[key] == pytest.approx(before[key], rel=1e-6), key
  # ...while changing an unmasked label does change it.
  y2["emotion"][1] = 123.0
  assert _losses(model, x, y2, w)["emotion_loss"] > before["emotion_loss"] * 10


def test_total_is_genre_plus_lambda_times_emotion_and_mean_over_labelled(tiny_config):
  model = _model(tiny_config, lambda_emotion=0.3)
  x, y, w = _batch(tiny_config)
  got = _losses(model, x, y, w)
  assert got["loss"] == pytest.approx(got["genre_loss"] + 0.3 * got["emotion_loss"], rel=1e-5)
  # Hand-computed masked mean of the emotion MSE over the 3 labelled samples.
  pred = model.predict(x, verbose=0)["emotion"]
  per_sample = ((pred - y["emotion"]) ** 2).mean(axis=1)
  expected = (per_sample * w["emotion"]).sum() / w["emotion"].sum()
  assert got["emotion_loss"] == pytest.approx(expected, rel=1e-4)


def test_a_batch_without_emotion_labels_adds_zero_not_nan(tiny_config):
  model = _model(tiny_config, lambda_emotion=1.0)
  x, y, w = _batch(tiny_config)
  w["emotion"][:] = 0
  got = _losses(model, x, y, w)
  assert got["emotion_loss"] == 0.0
  assert np.isfinite(got["loss"]) and got["loss"] == pytest.approx(got["genre_loss"], rel=1e-6)


def test_the_set_loss_is_minus_log_of_what_a_label_allows_and_xent_for_one_class():
  rows = labels.genre_target_rows(labels.GTZAN_GENRES)
  pop, rock = labels.GTZAN_GENRES.index("pop"), labels.GTZAN_GENRES.index("rock")
  assert rows.shape == (11, 10) and rows[10].tolist() == [float(i in (pop, rock))
                                                           for i in range(10)]
  probs = np.full((3, 10), 0.05, np.float32)
  probs[:, pop], probs[:, rock] = 0.3, 0.3  # 8 x 0.05 + 0.6 = 1
  y = np.array([10, pop, 3], np.int32)  # pop or rock; pop; disco
  loss = losses.LOSSES["set_xent"]("genre")
  per_sample = np.asarray(losses.SetCrossentropy(rows).call(y, probs))
  np.testing.assert_allclose(per_sample, -np.log([0.6, 0.3, 0.05]), rtol=1e-5)
  # Masked mean over the weights, as every head's loss: (−log 0.6 + −log 0.05) / 2.
  w = np.array([1, 0, 1], np.float32)
  assert float(loss(y, probs, sample_weight=w)) == pytest.approx(
      (-np.log(0.6) - np.log(0.05)) / 2, rel=1e-5)
  sparse = losses.LOSSES["sparse_xent"]("genre")
  single = np.array([pop, rock, 3], np.int32)
  assert float(loss(single, probs, sample_weight=w)) == pytest.approx(
      float(sparse(single, probs, sample_weight=w)), rel=1e-5)
