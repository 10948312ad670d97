"""The musicnn port: equals the original network, stays finite on loud audio, tags real music.

tests/pretrained/reference/musicnn_reference.npz holds 6 real log-mel patches and what musicnn 0.1.0's own TF1
graph and checkpoints output for them (made by tools/musicnn_reference.py in a separate
environment, as the original cannot run beside Keras 3).
"""

import pathlib

import keras
import numpy as np
import pytest

from jmer.data import musicnn_input
from jmer.pretrained import musicnn

REFERENCE = pathlib.Path(__file__).resolve().parent / "reference" / "musicnn_reference.npz"
# log10(1 + 10000 * mel) above this means 10000 * mel > 65504: inf in the original's float16.
FLOAT16_OVERFLOW_LOG_MEL = np.log10(65504.0)


@pytest.fixture(scope="module")
def msd_model():
  return musicnn.load_pretrained(musicnn.build_musicnn(musicnn.OUTPUT_NAMES))


@pytest.fixture(scope="module")
def mtt_tags_model():
  return musicnn.load_pretrained(musicnn.build_musicnn("tags"), dataset="mtt")


@pytest.fixture(scope="module")
def reference():
  return dict(np.load(REFERENCE))


def test_port_reproduces_the_original_network(msd_model, mtt_tags_model, reference):
  outputs = msd_model.predict(reference["log_mel"], verbose=0)
  for ours, theirs in (("tags", "taggram"), ("penultimate", "penultimate"),
                       ("mean_pool", "mean_pool")):
    assert np.max(np.abs(outputs[ours] - reference[theirs])) <= 1e-4, ours
  # max_pool reaches ~100, so float32 summation order alone moves it by ~1e-4 (1e-6 relative).
  np.testing.assert_allclose(outputs["max_pool"], reference["max_pool"], rtol=1e-5, atol=1e-4)
  mtt_tags = mtt_tags_model.predict(reference["log_mel"], verbose=0)
  assert np.max(np.abs(mtt_tags - reference["mtt_taggram"])) <= 1e-4


@pytest.mark.slow
def test_single_output_model_loads_the_same_weights(msd_model, reference):
  penultimate = musicnn.load_pretrained(musicnn.build_musicnn("penultimate"))
  patches = reference["log_mel"][:2]
  np.testing.assert_allclose(penultimate.predict(patches, verbose=0),
                             msd_model.predict(patches, verbose=0)["penultimate"], atol=1e-6)


@pytest.mark.slow
def test_model_round_trips_through_safe_mode_keras_file(msd_model, reference, tmp_path):
  path = tmp_path / "musicnn.keras"
  msd_model.save(path)
  loaded = keras.models.load_model(path, safe_mode=True)
  patches = reference["log_mel"][:1]
  np.testing.assert_allclose(loaded.predict(patches, verbose=0)["tags"],
                             msd_model.predict(patches, verbose=0)["tags"], atol=1e-6)


def _loud_clips():
  seconds = np.arange(4 * musicnn_input.SAMPLE_RATE) / musicnn_input.SAMPLE_RATE
  square = np.sign(np.sin(2 * np.pi * 220.0 * seconds))
  noise = np.clip(3.0 * np.random.default_rng(0).standard_normal(seconds.size), -1.0, 1.0)
  return {"square": square.astype(np.float32), "clipped_noise": noise.astype(np.float32)}


@pytest.mark.parametrize("name", ["square", "clipped_noise"])
def test_loud_audio_gives_finite_features_and_embeddings(msd_model, name):
  features = musicnn_input.log_mel(_loud_clips()[name])
  assert np.all(np.isfinite(features))
  # The clip really is loud enough that musicnn's own float16 features would hold inf.
  assert features.max() > FLOAT16_OVERFLOW_LOG_MEL
  outputs = msd_model.predict(musicnn_input.patches(features), verbose=0)
  for key, value in outputs.items():
    assert np.all(np.isfinite(value)), key


def test_input_features_shape_and_dtype_on_a_tone():
  seconds = np.arange(4 * musicnn_input.SAMPLE_RATE) / musicnn_input.SAMPLE_RATE
  tone = (0.5 * np.sin(2 * np.pi * 440.0 * seconds)).astype(np.float32)
  features = musicnn_input.log_mel(tone)
  assert features.dtype == np.float32
  assert features.shape == (1 + tone.size // musicnn_input.HOP_LENGTH, 96)
  assert features.min() >= 0.0  # log10(1 + x) of energies
  patches = musicnn_input.patches(features)
  assert patches.shape == (1, 187, 96) and patches.dtype == np.float32
  np.testing.assert_array_equal(patches[0], features[:187])
  # 251 frames: overlapping patches start at frames 0, 32 and 64.
  assert musicnn_input.patches(features, hop_frames=32).shape == (3, 187, 96)
  # Shorter than a patch: repeated to fill one, as musicnn's training padded short clips.
  short = musicnn_input.patches(features[:100])
  assert short.shape == (1, 187, 96)
  np.testing.assert_array_equal(short[0, 100:], features[:87])
  with pytest.raises(ValueError, match="16000"):
    musicnn_input.log_mel(tone, sample_rate=22050)


@pytest.mark.slow
def test_tags_make_sense_on_real_clips(shared_data, msd_model, mtt_tags_model):
  samples = shared_data / "gtzan_samples"
  metal = msd_model.predict(musicnn_input.patches(musicnn_input.load_log_mel(
      samples / "metal" / "metal.00000.wav")), verbose=0)["tags"].mean(axis=0)
  top_msd = {musicnn.tag_names("msd")[i] for i in np.argsort(metal)[::-1][:5]}
  assert top_msd & {"metal", "heavy metal", "hard rock"}, top_msd
  # The MSD tags have no 'classical'; MagnaTagATune's do.
  classical = mtt_tags_model.predict(musicnn_input.patches(musicnn_input.load_log_mel(
      samples / "classical" / "classical.00000.wav")), verbose=0).mean(axis=0)
  top_mtt = [musicnn.tag_names("mtt")[i] for i in np.argsort(classical)[::-1][:3]]
  assert "classical" in top_mtt, top_mtt


@pytest.mark.slow
def test_faster_front_end_layers_match_conv2d_and_max_pooling():
  # TimeUnfoldedConv2D and MaxOverFrequency replace Conv2D and MaxPooling2D + Reshape for speed
  # (fine-tuning's kernel gradients); they must compute the same function and gradients.
  import jax
  rng = np.random.default_rng(0)
  x = rng.normal(size=(2, 16, 12, 1)).astype(np.float32)
  fast = musicnn.TimeUnfoldedConv2D(5, (3, 4), activation="relu")
  slow = keras.layers.Conv2D(5, (3, 4), activation="relu")
  fast.build(x.shape)
  slow.build(x.shape)
  slow.set_weights([w + 0.1 * rng.normal(size=w.shape) for w in fast.get_weights()])
  fast.set_weights(slow.get_weights())
  np.testing.assert_allclose(fast(x), slow(x), atol=1e-5)
  assert fast.compute_output_shape(x.shape) == slow(x).shape
  upstream = rng.normal(size=slow(x).shape).astype(np.float32)
  grads = [jax.grad(lambda k, layer=layer: (layer.stateless_call([k, layer.bias.value], [], x)[0]
                                            * upstream).sum())(layer.kernel.value)
           for layer in (fast, slow)]
  np.testing.assert_allclose(grads[0], grads[1], rtol=1e-4, atol=1e-4)
  pooled = musicnn.MaxOverFrequency()(slow(x))
  reference = keras.layers.MaxPooling2D((1, slow(x).shape[2]))(slow(x))[:, :, 0, :]
  np.testing.assert_array_equal(pooled, reference)


def test_fast_and_checkpoint_layouts_give_the_same_embeddings(msd_model, reference):
  checkpoint = musicnn.load_pretrained(
      musicnn.build_musicnn("penultimate", checkpoint_layout=True))
  assert any(isinstance(layer, keras.layers.Conv2D) for layer in checkpoint.layers)
  assert not any(isinstance(layer, keras.layers.MaxPooling2D) for layer in msd_model.layers)
  patches = reference["log_mel"][:2]
  np.testing.assert_allclose(checkpoint.predict(patches, verbose=0),
                             msd_model.predict(patches, verbose=0)["penultimate"], atol=1e-4)
