from jmer.models import model_file
"""Small exported models and generated audio shared by the predict, export and demo tests.

An untrained model is enough to test prediction plumbing (same input → same output), so no
test here trains: each model is built once per session and exported like a run exports it.
"""

import functools
import pathlib
import tempfile

import numpy as np
import soundfile as sf

REPO = pathlib.Path(__file__).resolve().parents[2]


def tiny_config(emotion: str = "av"):
  from jmer.config import files as config_files
  config = config_files.load(str(REPO / "configs" / "test.py"))
  config.tasks.emotion = emotion
  return config


def build_tiny_model(config):
  from jmer.tasks import labels
  from jmer.data import features
  from jmer.models import build
  params = features.feature_params(config)
  # Roughly log-mel-scaled statistics, so the untrained outputs are not saturated.
  stats = {name: (np.full(features.feature_bins(name, p), -40.0, np.float32),
                  np.full(features.feature_bins(name, p), 400.0, np.float32))
           for name, p in params.items()}
  return build.build_model(config, params, labels.GTZAN_GENRES, stats)


@functools.lru_cache(maxsize=None)
def tiny_model_file(emotion: str = "av") -> pathlib.Path:
  """An exported configs/test.py-sized model (built once per test session)."""
  from jmer.inference import export
  from jmer.tasks import labels
  config = tiny_config(emotion)
  folder = pathlib.Path(tempfile.mkdtemp(prefix="jmer_test_model_"))
  return model_file.export_model(build_tiny_model(config), config, labels.GTZAN_GENRES,
                             folder / "model.keras")


def music_like(seconds: float, rate: int, channels: int = 1, seed: int = 0) -> np.ndarray:
  """A chord with a beat and a little noise: varied enough that segments differ."""
  rng = np.random.default_rng(seed)
  t = np.arange(int(seconds * rate)) / rate
  root = 110 * 2 ** ((t // 2) % 5 / 12)
  mono = (0.15 * sum(np.sin(2 * np.pi * root * k * t) / k for k in (1, 1.5, 2))
          + 0.2 * np.exp(-30 * (t % 0.5)) * rng.standard_normal(t.size)
          + 0.01 * rng.standard_normal(t.size))
  wave = np.stack([mono * (1 - 0.2 * c) for c in range(channels)], axis=1)
  return wave.astype(np.float32)


def write_audio(path, seconds: float, rate: int, channels: int = 1, seed: int = 0,
                **kwargs) -> pathlib.Path:
  sf.write(str(path), music_like(seconds, rate, channels, seed), rate, **kwargs)
  return pathlib.Path(path)


def assert_safe_mode_round_trip(model, config, feature: str, folder):
  """Exports `model` as a jmer model file, loads it in Keras safe mode and checks that it
  predicts what the model does on a random batch of feature `feature`'s log-mel segments."""
  from jmer.tasks import labels
  from jmer.data import segments
  from jmer.models import model_file
  path = model_file.export_model(model, config, labels.GTZAN_GENRES,
                                 pathlib.Path(folder) / "model.keras")
  bundle = model_file.load_model_bundle(path)  # safe mode: registered layers only
  x = {feature: np.random.default_rng(0).uniform(
      0, 3, (2, segments.segment_frames(config), 96)).astype(np.float32)}
  expected, loaded = model.predict(x, verbose=0), bundle.model.predict(x, verbose=0)
  for name in expected:
    np.testing.assert_allclose(loaded[name], expected[name], atol=1e-5)
