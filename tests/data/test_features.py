"""Decoding errors name the file; the feature cache is keyed by parameters and idempotent."""

import os

import numpy as np
import pytest
import soundfile as sf

from jmer import config as config_lib
from jmer.data import audio
from jmer.data import features as features_lib
from jmer.data import tracks as tracks_lib


def _tone(path, seconds=2.0, rate=22050, channels=1):
  t = np.arange(int(seconds * rate)) / rate
  wave = 0.3 * np.sin(2 * np.pi * 440 * t)
  sf.write(path, np.stack([wave] * channels, axis=1) if channels > 1 else wave, rate)
  return path


def test_bad_audio_files_are_rejected_with_their_name(tmp_path):
  (tmp_path / "empty.wav").write_bytes(b"")
  (tmp_path / "text.wav").write_text("this is not audio\n" * 50)
  sf.write(tmp_path / "silent.wav", np.zeros(22050, np.float32), 22050)
  for name, reason in [("missing.wav", "no such file"), ("empty.wav", "empty"),
                       ("text.wav", "cannot decode")]:
    with pytest.raises(audio.AudioError, match=reason) as error:
      audio.load_audio(tmp_path / name, 22050)
    assert name in str(error.value)
  with pytest.raises(audio.AudioError, match="silent"):
    audio.load_audio(tmp_path / "silent.wav", 22050, reject_silent=True)


def test_stereo_and_other_rates_become_mono_at_the_configured_rate(tmp_path):
  wave = audio.load_audio(_tone(tmp_path / "s.wav", seconds=1.0, rate=44100, channels=2), 22050)
  assert wave.ndim == 1 and abs(wave.size - 22050) <= 1
  assert 0.25 < np.abs(wave).max() < 0.35


def test_features_are_time_aligned_with_expected_shapes(tmp_path):
  config = config_lib.base_config()
  config.features.names = ("mel", "mfcc", "chroma")
  params = features_lib.feature_params(config)
  wave = audio.load_audio(_tone(tmp_path / "a.wav", seconds=3.0), 22050)
  feats = features_lib.compute_features(wave, params)
  frames = 1 + wave.size // config.features.hop_length  # centred STFT
  assert feats["mel"].shape == (frames, 128)
  assert feats["mfcc"].shape == (frames, 20)
  assert feats["chroma"].shape == (frames, 12)
  # A 440 Hz tone: chroma peaks at A (index 9), log-mel peaks at the band holding 440 Hz.
  assert np.argmax(feats["chroma"].mean(0)) == 9
  # Gain is an additive offset in the absolute-dB log-mel (augmentation relies on it).
  louder = features_lib.compute_features(wave * 2, params)["mel"]
  assert np.allclose((louder - feats["mel"])[:, 5:60].mean(), 20 * np.log10(2), atol=0.05)


def test_cache_key_changes_with_every_parameter():
  config = config_lib.base_config()
  key = lambda c: features_lib.cache_key("mel", features_lib.feature_params(c)["mel"])
  base = key(config)
  for section, name, value in [("features", "n_mels", 64), ("features", "hop_length", 256),
                               ("features", "n_fft", 1024), ("data", "sample_rate", 16000),
                               ("features", "fmax", 8000.0)]:
    changed = config_lib.base_config()
    changed[section][name] = value
    assert key(changed) != base, name


def test_cache_build_skips_bad_files_and_is_idempotent(tmp_path):
  config = config_lib.base_config()
  params = features_lib.feature_params(config)
  good = [tracks_lib.Track(f"t{i}", str(_tone(tmp_path / f"t{i}.wav")), "d") for i in range(3)]
  (tmp_path / "broken.wav").write_bytes(b"RIFF\x00\x00\x00\x00WAVEjunkjunk")
  bad = tracks_lib.Track("broken", str(tmp_path / "broken.wav"), "d")
  cache = tmp_path / "cache"
  usable, skipped = features_lib.build_cache(good + [bad], params, cache, workers=1,
                                             progress=False)
  assert [t.track_id for t in usable] == ["t0", "t1", "t2"]
  assert len(skipped) == 1 and skipped[0][0].endswith("broken.wav")
  cached = features_lib.track_cache_path(cache, "mel", params["mel"], good[0])
  mtime = os.stat(cached).st_mtime_ns
  features_lib.build_cache(good, params, cache, workers=1, progress=False)
  assert os.stat(cached).st_mtime_ns == mtime  # nothing recomputed
  # Another parameter value gets its own cache instead of reusing the stale one.
  config.features.n_mels = 40
  params40 = features_lib.feature_params(config)
  features_lib.build_cache(good, params40, cache, workers=1, progress=False)
  loaded = features_lib.load_track_features(good[0], params40, cache)
  assert loaded["mel"].shape[1] == 40
