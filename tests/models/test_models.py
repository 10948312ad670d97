"""Branches → trunks → late fusion → heads: every configured combination builds and trains."""

import itertools

import jax
import keras
import numpy as np
import pytest

from jmer.tasks import labels
from jmer import tasks as tasks_lib
from jmer import config as config_lib
from jmer.training import losses
from jmer.data import features as features_lib
from jmer.data import segments as segments_lib
from jmer.models import build
from jmer.models import fusion

FUSED = ("mel", "mfcc", "chroma")
EMOTION_HEADS = {"av": ("emotion",), "quadrant": ("quadrant",), "both": ("emotion", "quadrant")}


@pytest.fixture(scope="module", autouse=True)
def fast_xla_compile():
  """Tiny models compile in a fraction of the time without XLA's optimisation passes."""
  before = jax.config.read("jax_disable_most_optimizations")
  jax.config.update("jax_disable_most_optimizations", True)
  yield
  jax.config.update("jax_disable_most_optimizations", before)


def tiny_config(features=("mel",), fusion_mode="concat", trunk="crnn", emotion="av", **model):
  config = config_lib.apply_variants(config_lib.base_config(), "runlocal")
  config.features.names = features
  config.features.n_mels, config.features.n_mfcc = 16, 8
  config.features.hop_length = 1024  # 3 s → 65 frames
  config.model.update(trunk=trunk, fusion=fusion_mode, embedding_dim=8, **model)
  config.model.crnn.update(conv_filters=(4,), pool_time=(4,), pool_freq=(4,), rnn_units=4)
  config.model.transformer.update(d_model=8, num_heads=2, num_layers=1, ff_dim=16)
  config.tasks.emotion = emotion
  return config_lib.validate(config)


def random_batch(config, n=8, seed=0):
  rng = np.random.default_rng(seed)
  params = features_lib.feature_params(config)
  frames = segments_lib.segment_frames(config)
  x = {name: rng.normal(size=(n, frames, features_lib.feature_bins(name, p))).astype(np.float32)
       for name, p in params.items()}
  labels = {"genre": rng.integers(0, 10, n).astype(np.int32),
            "emotion": rng.uniform(-1, 1, (n, 2)).astype(np.float32),
            "quadrant": rng.integers(0, 4, n).astype(np.int32)}
  heads = tasks_lib.model_heads(config)
  y = {name: labels[head.task.name] for name, head in heads.items()}
  w = {name: np.ones(n, np.float32) for name in heads}
  return x, y, w


def compiled_model(config):
  heads = tasks_lib.model_heads(config)
  model = build.build_model(config, features_lib.feature_params(config), genre_names=labels.GTZAN_GENRES)
  model.compile(optimizer=keras.optimizers.Adam(1e-2),
                loss=losses.task_losses(heads, config),
                loss_weights=losses.loss_weights(heads, config))
  return model


@pytest.mark.slow
@pytest.mark.parametrize("features, fusion_mode, trunk, emotion", list(itertools.product(
    [("mel",), FUSED], ["mean", "gated", "concat"], ["crnn", "transformer"],
    ["av", "quadrant", "both"])), ids=lambda v: "+".join(v) if isinstance(v, tuple) else v)
def test_every_combination_builds_names_its_parts_and_trains(features, fusion_mode, trunk,
                                                             emotion):
  config = tiny_config(features, fusion_mode, trunk, emotion)
  model = compiled_model(config)
  layer_names = {layer.name for layer in model.layers}
  for name in features:  # every branch: its input, normalisation and trunk, named for it
    assert {name, f"{name}_normalize", f"{name}_{trunk}"} <= layer_names
  assert ("late_fusion" in layer_names) == (len(features) > 1)
  heads = ("genre",) + EMOTION_HEADS[emotion]
  assert set(model.output) == set(heads) and set(heads) <= layer_names
  x, y, w = random_batch(config)
  before = [np.array(v) for v in model.trainable_weights]
  history = model.fit(x, y, sample_weight=w, batch_size=4, epochs=1, verbose=0).history
  assert np.isfinite(history["loss"]).all()
  changed = [not np.allclose(b, np.array(a)) for b, a in zip(before, model.trainable_weights)]
  assert all(changed), [v.path for v, c in zip(model.trainable_weights, changed) if not c]
  # (No predict here: a second compilation per case would double the grid's time; the
  # outputs' values are checked in the fusion tests below.)
  assert model.output["genre"].shape == (None, 10)
  assert all(model.output[h].shape == (None, 2 if h == "emotion" else 4) for h in heads[1:])


@pytest.mark.slow
def test_gate_weights_sum_to_one_per_task_and_are_logged():
  config = tiny_config(FUSED, "gated", emotion="both")
  model = compiled_model(config)
  x, y, w = random_batch(config)
  logger = fusion.GateLogger()
  logger.set_model(model)
  model.fit(x, y, sample_weight=w, batch_size=4, epochs=2, verbose=0)
  gates = fusion.gate_weights(model)
  assert set(gates) == {"genre", "emotion", "quadrant"}
  for weights in gates.values():
    assert set(weights) == set(FUSED)
    assert sum(weights.values()) == pytest.approx(1.0, abs=1e-6)
  assert len({round(v, 6) for g in gates.values() for v in g.values()}) > 1  # they learned
  logs = {}
  logger.on_epoch_end(0, logs)
  assert logs["gate_genre_chroma"] == pytest.approx(gates["genre"]["chroma"])


@pytest.mark.slow
def test_mean_fusion_averages_branch_logits_before_the_softmax():
  config = tiny_config(FUSED, "mean", emotion="av")
  model = compiled_model(config)
  x, _, _ = random_batch(config)
  names = [f"{b}_genre_logits" for b in FUSED] + [f"{b}_emotion_av" for b in FUSED]
  probe = keras.Model(model.input, [model.get_layer(n).output for n in names])
  parts = probe.predict(x, verbose=0)
  preds = model.predict(x, verbose=0)
  logits = np.mean(parts[:3], axis=0)
  softmax = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
  np.testing.assert_allclose(preds["genre"], softmax, rtol=1e-4, atol=1e-6)
  np.testing.assert_allclose(preds["emotion"], np.mean(parts[3:], axis=0), rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("fusion_mode", ["mean", "gated", "concat"])
def test_one_feature_makes_fusion_the_identity(fusion_mode):
  model = build.build_model(tiny_config(("mel",), fusion_mode),
                            features_lib.feature_params(tiny_config()), genre_names=labels.GTZAN_GENRES)
  assert not any(isinstance(l, fusion.LateFusion) or l.name.startswith("late_fusion")
                 for l in model.layers)
  # The heads read the trunk's embedding directly.
  trunk = model.get_layer("mel_crnn")
  head_input = model.get_layer("genre")._inbound_nodes[0].input_tensors[0]
  assert head_input._keras_history.operation is trunk
  # And the layer itself passes a single branch through unchanged.
  x = np.random.default_rng(0).normal(size=(3, 5)).astype(np.float32)
  for mode in ("mean", "gated"):
    (out,) = fusion.LateFusion(mode, ["genre"], ["mel"])([x])
    np.testing.assert_allclose(np.array(out), x, rtol=1e-6)


@pytest.mark.slow
def test_shared_trunk_is_one_set_of_weights_behind_per_branch_stems():
  config = tiny_config(FUSED, "concat", shared_trunk=True, stem_width=6)
  model = compiled_model(config)
  names = {layer.name for layer in model.layers}
  assert "shared_crnn" in names and not any(f"{b}_crnn" in names for b in FUSED)
  assert {f"{b}_stem" for b in FUSED} <= names
  x, y, w = random_batch(config)
  assert np.isfinite(model.fit(x, y, sample_weight=w, batch_size=4, verbose=0).history["loss"][0])


@pytest.mark.slow
def test_aux_heads_train_per_branch_and_are_dropped_for_inference():
  config = tiny_config(FUSED, "concat", emotion="av", aux_heads=True)
  names = build.model_output_names(config)
  assert names == ("genre", "emotion") + tuple(
      f"aux_{b}_{t}" for b in FUSED for t in ("genre", "emotion"))
  model = compiled_model(config)
  x, y, w = random_batch(config)
  history = model.fit(x, y, sample_weight=w, batch_size=4, verbose=0).history
  assert np.isfinite(history["aux_chroma_genre_loss"][0])
  # expand_targets gives aux heads their task's labels.
  _, y2, w2 = build.expand_targets(config)(x, {"genre": 1, "emotion": 2}, {"genre": 3,
                                                                          "emotion": 4})
  assert y2["aux_mfcc_emotion"] == 2 and w2["aux_chroma_genre"] == 3
  served = build.inference_model(model, config)
  assert set(served.output) == {"genre", "emotion"}
  np.testing.assert_allclose(served.predict(x, verbose=0)["genre"],
                             model.predict(x, verbose=0)["genre"], rtol=1e-6)


def _ccc(t, p):
  mt, mp = t.mean(), p.mean()
  return 2 * ((t - mt) * (p - mp)).mean() / (t.var() + p.var() + (mt - mp) ** 2)


def test_ccc_loss_is_one_minus_ccc_and_ignores_unlabelled_samples():
  y_true = np.array([[0.1, -0.5], [0.4, 0.2], [-0.3, 0.9], [0.8, -0.1]], np.float32)
  y_pred = np.array([[0.0, -0.2], [0.5, 0.1], [-0.1, 0.5], [0.6, 0.3]], np.float32)
  expected = 1 - np.mean([_ccc(y_true[:, k], y_pred[:, k]) for k in range(2)])
  loss = losses.ConcordanceLoss()
  assert float(loss(y_true, y_pred)) == pytest.approx(expected, abs=1e-5)
  assert float(loss(y_true, y_true)) == pytest.approx(0.0, abs=1e-5)
  # A weight-0 sample drops out however absurd its label; a batch with no labels adds 0.
  junk = np.vstack([y_true, [[50.0, -50.0]]]), np.vstack([y_pred, [[0.0, 0.0]]])
  assert float(loss(*junk, sample_weight=np.array([1, 1, 1, 1, 0.0]))) == pytest.approx(
      expected, abs=1e-5)
  assert float(loss(y_true, y_pred, sample_weight=np.zeros(4))) == 0.0


@pytest.mark.slow
def test_saved_model_with_ccc_loss_and_custom_layers_reloads_in_safe_mode(tmp_path):
  config = tiny_config(FUSED, "gated", "transformer", "av")
  config.model.transformer.pooling = "cls"
  config.tasks.av_loss = "ccc"
  model = compiled_model(config)
  x, y, w = random_batch(config)
  model.fit(x, y, sample_weight=w, batch_size=4, verbose=0)
  path = tmp_path / "model.keras"
  model.save(path)
  loaded = keras.saving.load_model(path, safe_mode=True)
  assert isinstance(loaded.loss["emotion"], losses.ConcordanceLoss)
  for head, value in model.predict(x, verbose=0).items():
    np.testing.assert_allclose(loaded.predict(x, verbose=0)[head], value, rtol=1e-5, atol=1e-6)
