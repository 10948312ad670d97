"""The pretrained musicnn branch: its feature on jmer's frame grid, config checks, fine-tuning
at a scaled learning rate, and (slow) training, export, safe-mode loading and prediction."""

import json

import keras
import numpy as np
import pytest

from tests.support import model_files

from jmer import config as config_lib
from jmer.tasks import labels
from jmer.data import features as features_lib
from jmer.data import musicnn_features
from jmer.data import musicnn_input
from jmer.data import segments as segments_lib
from jmer.models import build
from jmer.training import optimizers
from jmer.training import train


# The musicnn variant's head recipe is for real 30 s clips; these tests keep the tiny config's.
TINY_KEYS = ("data.segment_seconds", "train.epochs", "train.select_on", "train.weight_decay")


def _apply_variant(tiny_config, variant="musicnn"):
  kept = {key: tiny_config[key.split(".")[0]][key.split(".")[1]] for key in TINY_KEYS}
  config_lib.VARIANTS[variant](tiny_config)
  for key, value in kept.items():
    tiny_config[key.split(".")[0]][key.split(".")[1]] = value
  return tiny_config


def _musicnn_config(tiny_config, variant="musicnn"):
  return config_lib.validate(_apply_variant(tiny_config, variant))


def test_the_musicnn_variant_carries_the_whole_clip_head_recipe():
  config = config_lib.apply_variants(config_lib.base_config(), "musicnn")
  assert (config.data.segment_seconds, config.train.epochs, config.train.select_on) == (
      30.0, 40, "last")
  assert config.train.weight_decay == 0.05
  fused = config_lib.apply_variants(config_lib.base_config(), "mel_musicnn")
  assert fused.data.segment_seconds == config_lib.base_config().data.segment_seconds
  assert (fused.data.sample_rate, fused.features.hop_length) == (16000, 256)


def test_each_frame_takes_the_patch_with_the_nearest_centre():
  # Centres at 93, 155, 163 (starts 0, 62 and the flush-with-end 70 of 257 frames).
  starts = musicnn_input.patch_starts(257, hop_frames=62, flush_end=True)
  assert starts.tolist() == [0, 62, 70]
  owner = musicnn_features.nearest_patch(257, starts)
  # The midpoints are 124 and 159; a frame exactly between two centres takes the earlier.
  assert owner[:125].tolist() == [0] * 125
  assert owner[125:160].tolist() == [1] * 35
  assert owner[160:].tolist() == [2] * 97


def test_frozen_feature_is_the_patch_embeddings_on_the_frame_grid(tiny_config):
  config = _musicnn_config(tiny_config, "mel_musicnn")
  params = features_lib.feature_params(config)
  wave = np.random.default_rng(0).normal(0, 0.1, 16000 * 5).astype(np.float32)
  feats = features_lib.compute_features(wave, params)
  assert feats["musicnn"].shape == (len(feats["mel"]), 200)  # one frame grid
  log_mel = musicnn_input.log_mel(wave)
  patches = musicnn_input.patches(log_mel, hop_frames=62, flush_end=True)
  network = musicnn_features._network("msd")
  embeddings = np.asarray(network.predict(patches, verbose=0))
  assert len(patches) == 4  # starts 0, 62, 124 and the flush 126 of 313 frames
  np.testing.assert_allclose(feats["musicnn"][0], embeddings[0], atol=1e-5)
  np.testing.assert_allclose(feats["musicnn"][200], embeddings[2], atol=1e-5)
  np.testing.assert_allclose(feats["musicnn"][-1], embeddings[3], atol=1e-5)


def test_more_patch_outputs_come_from_the_same_network_calls(tiny_config):
  """What jmer predict's arousal/valence regressor reads: the pre-ReLU embedding of every
  patch and the patches' starts, beside an unchanged frozen feature."""
  params = features_lib.feature_params(_musicnn_config(tiny_config, "mel_musicnn"))
  wave = np.random.default_rng(0).normal(0, 0.1, 16000 * 5).astype(np.float32)
  requested = {"musicnn": {"penultimate_prerelu": None}}
  feats = features_lib.compute_features(wave, params, patch_outputs=requested)
  np.testing.assert_array_equal(feats["musicnn"],
                                features_lib.compute_features(wave, params)["musicnn"])
  got = requested["musicnn"]
  assert got["patch_starts"].tolist() == [0, 62, 124, 126]
  assert got["penultimate_prerelu"].shape == (4, 200)
  # The penultimate embedding is the batch-normed ReLU of the pre-ReLU one.
  gamma, beta, mean, variance = musicnn_features._network("msd").get_layer(
      "penultimate").get_weights()
  penultimate = (np.maximum(got["penultimate_prerelu"], 0) - mean) / np.sqrt(
      variance + 1e-3) * gamma + beta
  np.testing.assert_allclose(feats["musicnn"][0], penultimate[0], atol=1e-4)
  np.testing.assert_allclose(feats["musicnn"][-1], penultimate[3], atol=1e-4)


def test_cache_keys_tell_frozen_fine_tuned_and_hops_apart(tiny_config):
  config = _musicnn_config(tiny_config)
  key = lambda c: features_lib.cache_key("musicnn", features_lib.feature_params(c)["musicnn"])
  frozen = key(config)
  assert features_lib.feature_params(config)["musicnn"]["weights"] == (
      musicnn_features.weights_hash("msd"))
  config.features.musicnn_hop_frames = 31
  assert key(config) != frozen
  config.model.pretrained.trainable = True
  params = features_lib.feature_params(config)["musicnn"]
  assert params["output"] == "log_mel" and features_lib.feature_bins("musicnn", params) == 96


@pytest.mark.parametrize("key, value", [("data.sample_rate", 22050),
                                        ("features.hop_length", 512)])
def test_musicnn_off_its_frame_grid_is_refused_naming_the_key(tiny_config, key, value):
  _apply_variant(tiny_config)
  section, field = key.split(".")
  tiny_config[section][field] = value
  with pytest.raises(config_lib.ConfigError, match=key.replace(".", r"\.")):
    config_lib.validate(tiny_config)


@pytest.mark.slow
def test_fine_tuning_updates_the_pretrained_network_at_the_scaled_rate(tiny_config):
  config = _musicnn_config(tiny_config)
  config.model.pretrained.trainable = True
  config.model.pretrained.learning_rate_scale = 0.1
  params = features_lib.feature_params(config)
  model = build.build_model(config, params, labels.GTZAN_GENRES)
  pretrained = build.pretrained_variables(model)
  assert pretrained and not any("bn" in v.path for v in pretrained)  # batch norms stay frozen
  optimizer = optimizers.make_optimizer(
      learning_rate=config.train.learning_rate, weight_decay=config.train.weight_decay,
      epochs=config.train.epochs, warmup_epochs=config.train.warmup_epochs, steps_per_epoch=10)
  optimizer.scale_learning_rate(pretrained, 0.1)
  model.compile(optimizer=optimizer, loss={"genre": "sparse_categorical_crossentropy",
                                           "emotion": "mse"})
  frames = segments_lib.segment_frames(config)
  rng = np.random.default_rng(0)
  x = {"musicnn": rng.uniform(0, 3, (8, frames, 96)).astype(np.float32)}
  y = {"genre": rng.integers(0, 10, 8), "emotion": rng.normal(0, .5, (8, 2))}
  conv = next(v for v in pretrained if v.path.endswith("timbral74_conv/kernel"))
  dense = next(v for v in model.trainable_variables if v.path.endswith("embedding/kernel"))
  before = {id(v): np.array(v) for v in (conv, dense)}
  model.train_on_batch(x, y)
  # Adam's first step moves every weight with a gradient by ~lr, whatever the gradient's size.
  step = lambda v: np.max(np.abs(np.array(v) - before[id(v)]))
  assert step(conv) > 0
  np.testing.assert_allclose(step(conv) / step(dense), 0.1, rtol=0.02)


@pytest.mark.slow
def test_fine_tuned_model_file_loads_in_safe_mode(tiny_config, tmp_path):
  config = _musicnn_config(tiny_config)
  config.model.pretrained.trainable = True
  params = features_lib.feature_params(config)
  model = build.build_model(config, params, labels.GTZAN_GENRES)
  model_files.assert_safe_mode_round_trip(model, config, "musicnn", tmp_path)


@pytest.mark.slow
def test_frozen_musicnn_learns_genre_above_chance(tiny_config, tmp_path):
  config = _musicnn_config(tiny_config)
  config.tasks.emotion = "none"
  config.data.synthetic.clips_per_genre = 8
  config.data.synthetic.clip_seconds = 6.0
  config.data.val_fraction = 0.125
  config.data.test_fraction = 0.25
  config.train.update(epochs=15, crops_per_track=4, learning_rate=3e-3, patience=15)
  report = train.train_and_evaluate(config, tmp_path / "run")
  assert report["metrics"]["genre"]["n"] == 20
  assert report["metrics"]["genre"]["accuracy"] >= 0.3, report["metrics"]["genre"]  # chance 0.1


@pytest.mark.slow
def test_gated_mel_and_musicnn_train_export_and_predict_like_training(tiny_config, tmp_path):
  from jmer.data import loading
  from jmer.inference import predict
  from jmer.models import model_file
  config = _musicnn_config(tiny_config, "mel_musicnn")
  config.model.aux_heads = True
  config.train.epochs = 1
  report = train.train_and_evaluate(config, tmp_path / "run")
  saved = json.loads((tmp_path / "run" / "metrics.json").read_text())
  assert set(saved["fusion_gates"]["genre"]) == {"mel", "musicnn"}
  assert report["metrics"]["genre"]["n"] > 0
  bundle = model_file.load_model_bundle(tmp_path / "run" / model_file.MODEL_FILENAME)
  data = loading.load_run_data(config)
  track = data.splits["test"].tracks[0]
  result = predict.predict_file(bundle, track.path)
  assert result["segments"] >= 1 and len(result["genres"]) == 3
  # What predict computes from the file is what training read from the feature cache.
  cached = features_lib.load_track_features(track, bundle.params,
                                            features_lib.default_cache_root(config))
  blocks = predict.feature_blocks(predict.decoded_blocks(track.path, 16000), bundle.params, 100)
  streamed = {name: np.concatenate(parts) for name, parts in zip(
      bundle.params, zip(*[[b[n] for n in bundle.params] for b in blocks]))}
  for name in bundle.params:
    assert streamed[name].shape[0] >= cached[name].shape[0]
    np.testing.assert_allclose(streamed[name][:len(cached[name])], cached[name],
                               rtol=2e-3, atol=2e-2, err_msg=name)


@pytest.mark.slow
def test_cache_build_with_workers_computes_embeddings_in_this_process(tiny_config, tmp_path):
  import soundfile as sf
  from jmer.data import audio
  from jmer.data import tracks as tracks_lib
  config = _musicnn_config(tiny_config, "mel_musicnn")
  params = features_lib.feature_params(config)
  rng = np.random.default_rng(0)
  tracks = []
  for i in range(8):  # enough for the worker pool (4 per worker)
    path = tmp_path / f"clip{i}.wav"
    sf.write(path, rng.normal(0, 0.1, 16000).astype(np.float32), 16000)
    tracks.append(tracks_lib.Track(track_id=f"clip{i}", path=str(path), dataset="mine"))
  usable, skipped = features_lib.build_cache(tracks, params, tmp_path / "cache", workers=2,
                                             progress=False)
  assert len(usable) == 8 and not skipped
  cached = features_lib.load_track_features(tracks[3], params, tmp_path / "cache")
  expected = features_lib.compute_features(audio.load_audio(tracks[3].path, 16000), params)
  for name in ("mel", "musicnn"):
    np.testing.assert_allclose(cached[name], expected[name], rtol=2e-3, atol=2e-2, err_msg=name)


def test_one_row_per_patch_gives_each_patch_embedding_once(tiny_config):
  # A 30 s clip at musicnn's grid: 1879 frames, patches every 187 frames plus one flush.
  n_frames, hop = 1879, 187
  starts = musicnn_input.patch_starts(n_frames, hop_frames=hop, flush_end=True)
  embeddings = np.arange(len(starts) * 2, dtype=np.float16).reshape(len(starts), 2)
  per_frame = embeddings[musicnn_features.nearest_patch(n_frames, starts)]
  config = _musicnn_config(tiny_config, "mel_musicnn")
  config.features.musicnn_hop_frames = hop
  assert segments_lib.input_strides(config) == {"mel": 1, "musicnn": 1}
  config.features.one_row_per_patch = True
  strides = segments_lib.input_strides(config)
  assert strides == {"mel": 1, "musicnn": hop}  # a log-mel keeps every frame
  cut = segments_lib.crop({"musicnn": per_frame}, 0, n_frames, strides)["musicnn"]
  assert cut.shape == (segments_lib.input_rows(n_frames, hop), 2) == (len(starts), 2)
  np.testing.assert_array_equal(cut, embeddings)  # every patch once, in order
  # A short clip is padded to the segment first, as without strides.
  short = segments_lib.crop({"musicnn": per_frame[:300]}, 0, n_frames, strides)["musicnn"]
  assert short.shape == cut.shape and not short[2:].any()


@pytest.mark.slow
def test_one_row_per_patch_model_predicts_a_file_as_evaluation_did(tiny_config, tmp_path):
  import csv
  from jmer.inference import predict
  from jmer.models import model_file
  config = _musicnn_config(tiny_config, "mel_musicnn")
  config.features.one_row_per_patch = True
  config.tasks.emotion = "none"
  config.train.epochs = 2
  train.train_and_evaluate(config, tmp_path / "run")
  bundle = model_file.load_model_bundle(tmp_path / "run" / model_file.MODEL_FILENAME)
  frames = bundle.meta["segment_frames"]
  hop = config.features.musicnn_hop_frames
  assert tuple(bundle.model.input["musicnn"].shape[1:]) == (-(-frames // hop), 200)
  assert tuple(bundle.model.input["mel"].shape[1:])[0] == frames
  with open(tmp_path / "run" / "test_predictions.csv", newline="") as fh:
    row = next(csv.DictReader(fh))
  from jmer.data import loading
  data = loading.load_run_data(config)
  track = next(t for t in data.splits["test"].tracks if t.track_id == row["track_id"])
  result = predict.predict_file(bundle, track.path)
  top = result["genres"][0]
  assert top["genre"] == row["pred_genre"]
  assert abs(top["probability"] - float(row["genre_prob"])) < 0.02


def test_the_musicnn2_variant_is_the_shipped_recipes_front_end():
  from jmer.config import files as config_files
  from tests.conftest import REPO
  config = config_lib.apply_variants(config_lib.base_config(), "musicnn2")
  assert config.features.names == ("musicnn", "musicnn_mtt") and config.model.fusion == "concat"
  assert (config.features.musicnn_hop_frames, config.features.one_row_per_patch) == (187, True)
  shipped = config_files.load(str(REPO / "configs" / "real_music.py"))
  for key in ("names", "musicnn_hop_frames", "one_row_per_patch"):
    assert shipped.features[key] == config.features[key], key
  assert segments_lib.input_strides(config) == {"musicnn": 187, "musicnn_mtt": 187}
