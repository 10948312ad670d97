"""Essentia's fine-tuned mood networks in jmer's musicnn port: the tensor mapping reproduces
MSD-musicnn's embedding when given MSD-musicnn's weights, and each network's own outputs equal
Essentia's graph run by TensorFlow (tools/mood_network_reference.py).

The real-weight tests need the shared data (../shared/data/essentia_models) and skip without it;
the manifest reader and the refusals are tested on a small hand-made folder.
"""

import json
import pathlib

import numpy as np
import pytest

from jmer import config as config_lib
from jmer.config import files as config_files
from jmer.data import features as features_lib
from jmer.data import musicnn_features
from jmer.data import musicnn_input
from jmer.pretrained import mood_networks
from jmer.pretrained import musicnn
from tools import mood_network_reference as reference

REFERENCE = pathlib.Path(__file__).resolve().parent / "reference" / "musicnn_reference.npz"


@pytest.fixture(scope="module")
def real_patches():
  """6 real 3 s log-mel patches (2 classical, 2 metal, 2 of a 4Q Q1 clip)."""
  return np.load(REFERENCE)["log_mel"]


@pytest.fixture
def essentia_models(shared_data):
  return shared_data / "essentia_models"


@pytest.fixture(scope="module")
def network():
  return mood_networks.build_mood_network(("mood", "penultimate"))


def test_msd_weights_through_the_mood_mapping_give_jmer_msd_embedding(
    essentia_models, real_patches, network):
  """mood_happy's tensors, with msd-musicnn-1's put in wherever the names match (all but the
  new 200 -> 100 -> 2 head), load through the mapping into a network whose penultimate layer is
  jmer's MSD-musicnn embedding: the names, layouts and batch-norm unfolding are right."""
  mood = mood_networks.read_tfjs(mood_networks.network_dir(
      "mood_happy", essentia_models / "mood_networks"))
  msd = reference.msd_musicnn_tensors(essentia_models / "av_heads" / "msd-musicnn-1.pb")
  groups = reference.differing_tensors(mood, msd)
  assert len(groups["differ"]) == 40 and not groups["same"]  # a whole network fine-tuned
  assert sorted(groups["new"]) == ["dense_1/bias", "dense_1/kernel", "dense_2/bias",
                                   "dense_2/kernel"]
  substituted = {name: msd.get(name, array) for name, array in mood.items()}
  mood_networks.set_weights(network, mood_networks.keras_weights(substituted))
  ours = network.predict(real_patches, verbose=0)["penultimate"]
  jmer_msd = musicnn.load_pretrained(musicnn.build_musicnn("penultimate"), dataset="msd")
  expected = jmer_msd.predict(real_patches, verbose=0)
  assert np.abs(expected).max() > 1
  assert np.max(np.abs(ours - expected)) <= 1e-4


@pytest.mark.slow
@pytest.mark.parametrize("mood", mood_networks.MOODS)
def test_port_equals_essentia_graph(essentia_models, real_patches, network, mood):
  folder = essentia_models / "mood_networks"
  mood_networks.load(network, mood, folder)
  ours = network.predict(real_patches, verbose=0)
  theirs = reference.run_tfjs_graph(mood_networks.network_dir(mood, folder), real_patches)
  assert np.max(np.abs(ours["mood"] - theirs["mood"])) <= 1e-4
  # The graph's 200-unit layer is its ReLU output; jmer's penultimate is one batch norm later.
  assert np.ptp(ours["mood"][:, 0]) > 0.05  # the patches are told apart, not one answer


def test_happy_network_tells_classical_from_a_happy_4q_clip(essentia_models, real_patches,
                                                           network):
  """The documented class order on the reference patches: column 0 ('happy') is higher on the
  4Q Q1 clip's patches than on GTZAN's classical.00000 (4q_dev as a whole: the study's report)."""
  mood_networks.load(network, "mood_happy", essentia_models / "mood_networks")
  happy = network.predict(real_patches, verbose=0)["mood"][:, 0]
  assert happy[4:].min() > happy[:2].max()


def _write_folder(path: pathlib.Path, arrays: dict, extra_bytes: bytes = b""):
  path.mkdir(parents=True)
  manifest = [{"paths": [mood_networks.WEIGHTS_FILE],
               "weights": [{"name": n, "shape": list(a.shape), "dtype": a.dtype.name}
                           for n, a in arrays.items()]}]
  (path / mood_networks.GRAPH_FILE).write_text(json.dumps({"weightsManifest": manifest}))
  (path / mood_networks.WEIGHTS_FILE).write_bytes(
      b"".join(a.astype(a.dtype.newbyteorder("<")).tobytes() for a in arrays.values())
      + extra_bytes)


def test_reader_reads_manifest_order_little_endian(tmp_path):
  arrays = {"a/kernel": np.arange(6, dtype=np.float32).reshape(2, 3),
            "model/axis": np.array(2, np.int32), "b/bias": np.array([-1.5], np.float32)}
  _write_folder(tmp_path / "net", arrays)
  read = mood_networks.read_tfjs(tmp_path / "net")
  assert list(read) == list(arrays)
  for name, array in arrays.items():
    np.testing.assert_array_equal(read[name], array)


def test_reader_refuses_a_file_longer_than_its_manifest(tmp_path):
  _write_folder(tmp_path / "net", {"a": np.zeros(3, np.float32)}, extra_bytes=b"\0" * 4)
  with pytest.raises(ValueError, match="manifest covers 12 of 16 bytes"):
    mood_networks.read_tfjs(tmp_path / "net")


def test_mapping_refuses_an_unmapped_float_tensor():
  with pytest.raises(ValueError, match="missing"):
    mood_networks.keras_weights({"conv2d/kernel": np.zeros((7, 38, 1, 204), np.float32)})


def test_unknown_mood_and_missing_folder_are_refused(tmp_path, monkeypatch):
  with pytest.raises(ValueError, match="mood_happy, mood_sad"):
    mood_networks.network_dir("mood_party", tmp_path)
  monkeypatch.delenv(mood_networks.ENV_DIR, raising=False)
  monkeypatch.delenv("JMER_DATA", raising=False)
  with pytest.raises(FileNotFoundError, match="not shipped with jmer"):
    mood_networks.weights_dir()


def test_output_names_are_checked():
  with pytest.raises(ValueError, match="outputs must be among"):
    mood_networks.build_mood_network("tags")


def test_moods_feature_refuses_fine_tuning():
  config = config_files.load("configs/real_music.py:moods")
  config.model.pretrained.trainable = True
  with pytest.raises(ValueError, match="frozen only"):
    musicnn_features.feature_params("musicnn_moods", config, features_lib.FEATURE_VERSION)


def test_real_music_moods_option_adds_one_branch_to_the_recipe():
  recipe = config_files.load("configs/real_music.py")
  with_moods = config_files.load("configs/real_music.py:moods")
  assert with_moods.features.names == recipe.features.names + ("musicnn_moods",)
  assert with_moods.model.fusion == recipe.model.fusion
  assert "musicnn_moods" in config_lib.PRETRAINED_FEATURES  # on musicnn's grid, validated


@pytest.mark.slow
def test_moods_feature_is_the_ten_outputs_on_the_frame_grid(essentia_models, monkeypatch):
  """The cached feature: each frame holds its nearest patch's ten outputs, which are the five
  networks' own, and the cache key carries a hash of their weight files."""
  monkeypatch.setenv(mood_networks.ENV_DIR, str(essentia_models / "mood_networks"))
  config = config_files.load("configs/real_music.py:moods")
  params = features_lib.feature_params(config)["musicnn_moods"]
  assert params["weights"] == mood_networks.weights_hash()
  assert features_lib.feature_bins("musicnn_moods", params) == len(mood_networks.COLUMNS) == 10
  wave = np.random.default_rng(0).normal(0, 0.1, 16000 * 7).astype(np.float32)
  frames = musicnn_features.compute(wave, params)
  patches = musicnn_input.patches(musicnn_input.log_mel(wave), hop_frames=187, flush_end=True)
  assert frames.shape == (len(musicnn_input.log_mel(wave)), 10) and len(patches) == 3
  happy = mood_networks.load(mood_networks.build_mood_network(), "mood_happy",
                             essentia_models / "mood_networks")
  np.testing.assert_allclose(frames[[0, -1], :2], happy.predict(patches[[0, 2]], verbose=0),
                             atol=1e-5)
