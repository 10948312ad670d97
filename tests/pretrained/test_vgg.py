"""The musicnn wheel's VGG networks (MSD_vgg, MTT_vgg): equal to the originals, usable as the
`musicnn_vgg` / `musicnn_vgg_mtt` features, frozen or fine-tuned.

tests/pretrained/reference/vgg_reference.npz holds what musicnn 0.1.0's own TF1 graph and checkpoints output for
the 6 real log-mel patches stored in tests/pretrained/reference/musicnn_reference.npz (made by
`tools/musicnn_reference.py vgg` in a separate environment, as the original cannot run beside
Keras 3).
"""

import pathlib

import keras
import numpy as np
import pytest

from tests.support import model_files

from jmer import config as config_lib
from jmer.tasks import labels
from jmer.data import features as features_lib
from jmer.data import musicnn_features
from jmer.data import musicnn_input
from jmer.pretrained import networks
from jmer.pretrained import vgg
from jmer.training import train

DATA = pathlib.Path(__file__).resolve().parent / "reference"
# The musicnn variant's head recipe is for real 30 s clips; these tests keep the tiny config's.
TINY_KEYS = ("data.segment_seconds", "train.epochs", "train.select_on", "train.weight_decay")


@pytest.fixture(scope="module")
def models():
  return {dataset: vgg.load_pretrained(vgg.build_vgg(vgg.OUTPUT_NAMES), dataset=dataset)
          for dataset in ("msd", "mtt")}


@pytest.fixture(scope="module")
def reference():
  return {"log_mel": np.load(DATA / "musicnn_reference.npz")["log_mel"],
          **np.load(DATA / "vgg_reference.npz")}


def _vgg_config(tiny_config, names=("musicnn_vgg",)):
  kept = {key: tiny_config[key.split(".")[0]][key.split(".")[1]] for key in TINY_KEYS}
  config_lib.VARIANTS["musicnn"](tiny_config)
  for key, value in kept.items():
    tiny_config[key.split(".")[0]][key.split(".")[1]] = value
  tiny_config.features.names = names
  return config_lib.validate(tiny_config)


@pytest.mark.slow
@pytest.mark.parametrize("dataset", ["msd", "mtt"])
def test_port_reproduces_the_original_network(models, reference, dataset):
  outputs = models[dataset].predict(reference["log_mel"], verbose=0)
  for ours, theirs in (("tags", "taggram"), ("pool5", "pool5"), ("mean_pool", "mean_pool"),
                       ("max_pool", "max_pool")):
    expected = reference[f"{dataset}_{theirs}"]
    assert outputs[ours].shape == expected.shape, ours
    assert np.max(np.abs(outputs[ours] - expected)) <= 1e-4, ours
  # Not a trivially matching output: the patches differ, and the tags are confident somewhere.
  assert np.ptp(outputs["pool5"], axis=0).max() > 0.5
  assert outputs["tags"].max() > 0.5


@pytest.mark.slow
def test_tags_of_the_reference_patches_name_their_music(models, reference):
  # Patches 0-1 are GTZAN classical, 2-3 GTZAN metal (see tools/musicnn_reference.py); the MSD
  # tags have no 'classical', MagnaTagATune's do.
  tags = models["mtt"].predict(reference["log_mel"], verbose=0)["tags"]
  top = lambda i: [vgg.tag_names("mtt")[j] for j in np.argsort(tags[i])[::-1][:3]]
  assert "classical" in top(0) and "classical" in top(1), (top(0), top(1))
  assert "metal" in top(2) and "metal" in top(3), (top(2), top(3))


@pytest.mark.slow
def test_embedding_network_is_pool5_of_the_full_network(models, reference):
  patches = reference["log_mel"][:2]
  for key, dataset in (("msd_vgg", "msd"), ("mtt_vgg", "mtt")):
    embedding = networks.embedding_network(key).predict(patches, verbose=0)
    assert embedding.shape == (2, networks.get(key).embedding_dim) == (2, 256)
    np.testing.assert_allclose(embedding, models[dataset].predict(patches, verbose=0)["pool5"],
                               atol=1e-6)


@pytest.mark.slow
def test_model_round_trips_through_safe_mode_keras_file(models, reference, tmp_path):
  path = tmp_path / "vgg.keras"
  models["msd"].save(path)
  loaded = keras.models.load_model(path, safe_mode=True)  # standard layers only
  patches = reference["log_mel"][:1]
  np.testing.assert_allclose(loaded.predict(patches, verbose=0)["tags"],
                             models["msd"].predict(patches, verbose=0)["tags"], atol=1e-6)


def test_unknown_outputs_and_networks_are_refused_naming_the_choices():
  with pytest.raises(ValueError, match="penultimate"):
    vgg.build_vgg("penultimate")
  with pytest.raises(ValueError, match="msd_vgg"):
    networks.get("vgg")
  with pytest.raises(ValueError, match="'msd', 'mtt'"):
    vgg.tag_names("gtzan")


@pytest.mark.slow
def test_loud_audio_gives_finite_embeddings(models):
  seconds = np.arange(4 * musicnn_input.SAMPLE_RATE) / musicnn_input.SAMPLE_RATE
  square = np.sign(np.sin(2 * np.pi * 220.0 * seconds)).astype(np.float32)
  outputs = models["msd"].predict(musicnn_input.patches(musicnn_input.log_mel(square)), verbose=0)
  for key, value in outputs.items():
    assert np.all(np.isfinite(value)), key


@pytest.mark.slow
def test_tags_make_sense_on_real_clips(shared_data, models):
  metal = models["msd"].predict(musicnn_input.patches(musicnn_input.load_log_mel(
      shared_data / "gtzan_samples" / "metal" / "metal.00000.wav")), verbose=0)["tags"]
  top = {vgg.tag_names("msd")[i] for i in np.argsort(metal.mean(axis=0))[::-1][:5]}
  assert top & {"metal", "heavy metal", "hard rock"}, top


def test_every_pretrained_feature_name_has_a_network():
  assert set(config_lib.PRETRAINED_FEATURES) == set(musicnn_features.NETWORKS)
  assert set(musicnn_features.NETWORKS.values()) <= set(networks.NETWORKS)


@pytest.mark.slow
def test_vgg_features_are_pool5_embeddings_on_the_frame_grid(tiny_config):
  config = _vgg_config(tiny_config, ("musicnn_vgg", "musicnn_vgg_mtt"))
  params = features_lib.feature_params(config)
  assert {name: (p["network"], p["output"]) for name, p in params.items()} == {
      "musicnn_vgg": ("msd_vgg", "pool5"), "musicnn_vgg_mtt": ("mtt_vgg", "pool5")}
  assert features_lib.feature_bins("musicnn_vgg", params["musicnn_vgg"]) == 256
  # The caches of the MSD and MTT networks never mix, nor with musicnn's.
  keys = {features_lib.cache_key(name, p) for name, p in params.items()}
  assert len(keys) == 2 and params["musicnn_vgg"]["weights"] != params["musicnn_vgg_mtt"]["weights"]
  wave = np.random.default_rng(0).normal(0, 0.1, 16000 * 5).astype(np.float32)
  feats = features_lib.compute_features(wave, params)
  patches = musicnn_input.patches(musicnn_input.log_mel(wave), hop_frames=62, flush_end=True)
  embeddings = networks.embedding_network("mtt_vgg").predict(patches, verbose=0)
  assert feats["musicnn_vgg_mtt"].shape == (313, 256)  # 5 s at hop 256, one row per frame
  np.testing.assert_allclose(feats["musicnn_vgg_mtt"][0], embeddings[0], atol=1e-5)
  np.testing.assert_allclose(feats["musicnn_vgg_mtt"][-1], embeddings[-1], atol=1e-5)


def test_musicnn_feature_caches_made_before_the_vggs_stay_valid():
  # The keys the musicnn variant's features had before the VGG networks were registered: the
  # lead's real-data caches and trained models depend on them.
  config = config_lib.apply_variants(config_lib.base_config(), "musicnn")
  config.features.names = ("musicnn", "musicnn_mtt")
  keys = {name: features_lib.cache_key(name, p)
          for name, p in features_lib.feature_params(config).items()}
  assert keys == {"musicnn": "musicnn-e2215aaf7751", "musicnn_mtt": "musicnn_mtt-9324ba0e5518"}


def test_unknown_feature_name_is_refused_naming_the_key(tiny_config):
  _vgg_config(tiny_config)
  tiny_config.features.names = ("musicnn_vgg_msd",)
  with pytest.raises(config_lib.ConfigError, match=r"features\.names.*musicnn_vgg_mtt"):
    config_lib.validate(tiny_config)


@pytest.mark.slow
def test_fine_tuned_vgg_branch_holds_the_pretrained_network(tiny_config, tmp_path):
  from jmer.models import build
  config = _vgg_config(tiny_config)
  config.model.pretrained.trainable = True
  params = features_lib.feature_params(config)
  assert params["musicnn_vgg"]["output"] == "log_mel"
  model = build.build_model(config, params, labels.GTZAN_GENRES)
  inner = model.get_layer("musicnn_vgg_per_patch").layer
  np.testing.assert_array_equal(inner.get_layer("conv1").get_weights()[0],
                                networks.embedding_network("msd_vgg").get_layer("conv1")
                                .get_weights()[0])
  assert any(v.path.endswith("conv5/kernel") for v in build.pretrained_variables(model))
  model_files.assert_safe_mode_round_trip(model, config, "musicnn_vgg", tmp_path)


@pytest.mark.slow
def test_both_vgg_features_train_one_epoch_from_their_cache(tiny_config, tmp_path):
  config = _vgg_config(tiny_config, ("musicnn_vgg", "musicnn_vgg_mtt"))
  config.train.epochs = 1
  report = train.train_and_evaluate(config, tmp_path / "run")
  assert report["metrics"]["genre"]["n"] > 0
  params = features_lib.feature_params(config)
  for name, p in params.items():
    folder = features_lib.default_cache_root(config) / "features" / features_lib.cache_key(name, p)
    cached = [np.load(path) for path in folder.rglob("*.npy")]
    assert cached and all(array.shape[1] == 256 for array in cached), name
