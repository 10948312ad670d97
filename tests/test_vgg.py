"""The musicnn wheel's VGG networks (MSD_vgg, MTT_vgg): equal to the originals.

tests/data/vgg_reference.npz holds what musicnn 0.1.0's own TF1 graph and checkpoints output for
the 6 real log-mel patches stored in tests/data/musicnn_reference.npz (made by
`tools/musicnn_reference.py vgg` in a separate environment, as the original cannot run beside
Keras 3).
"""

import pathlib

import keras
import numpy as np
import pytest

from jmer.data import musicnn_input
from jmer.pretrained import vgg

DATA = pathlib.Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="module")
def models():
  return {dataset: vgg.load_pretrained(vgg.build_vgg(vgg.OUTPUT_NAMES), dataset=dataset)
          for dataset in ("msd", "mtt")}


@pytest.fixture(scope="module")
def reference():
  return {"log_mel": np.load(DATA / "musicnn_reference.npz")["log_mel"],
          **np.load(DATA / "vgg_reference.npz")}


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


def test_tags_of_the_reference_patches_name_their_music(models, reference):
  # Patches 0-1 are GTZAN classical, 2-3 GTZAN metal (see tools/musicnn_reference.py); the MSD
  # tags have no 'classical', MagnaTagATune's do.
  tags = models["mtt"].predict(reference["log_mel"], verbose=0)["tags"]
  top = lambda i: [vgg.tag_names("mtt")[j] for j in np.argsort(tags[i])[::-1][:3]]
  assert "classical" in top(0) and "classical" in top(1), (top(0), top(1))
  assert "metal" in top(2) and "metal" in top(3), (top(2), top(3))


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
  with pytest.raises(ValueError, match="'msd', 'mtt'"):
    vgg.tag_names("gtzan")


def test_loud_audio_gives_finite_embeddings(models):
  seconds = np.arange(4 * musicnn_input.SAMPLE_RATE) / musicnn_input.SAMPLE_RATE
  square = np.sign(np.sin(2 * np.pi * 220.0 * seconds)).astype(np.float32)
  outputs = models["msd"].predict(musicnn_input.patches(musicnn_input.log_mel(square)), verbose=0)
  for key, value in outputs.items():
    assert np.all(np.isfinite(value)), key


def test_tags_make_sense_on_real_clips(shared_data, models):
  metal = models["msd"].predict(musicnn_input.patches(musicnn_input.load_log_mel(
      shared_data / "gtzan_samples" / "metal" / "metal.00000.wav")), verbose=0)["tags"]
  top = {vgg.tag_names("msd")[i] for i in np.argsort(metal.mean(axis=0))[::-1][:5]}
  assert top & {"metal", "heavy metal", "hard rock"}, top
