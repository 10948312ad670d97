"""Test set-up: the JAX backend before any Keras import, quiet TensorFlow, shared fixtures."""

import os
import pathlib

os.environ["KERAS_BACKEND"] = "jax"
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import pytest  # noqa: E402

import jmer  # noqa: E402,F401

REPO = pathlib.Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"


@pytest.fixture
def shared_data():
  """The real GTZAN/DEAM/EmoMusic/PMEmo material beside the repo; skips where it is absent."""
  if not SHARED_DATA.is_dir():
    pytest.skip(f"real sample data not found at {SHARED_DATA} (only CI and developers have it)")
  return SHARED_DATA


@pytest.fixture
def tiny_config(tmp_path):
  """configs/test.py with its caches inside the test's temporary folder."""
  from jmer.config import files as config_files
  config = config_files.load(str(REPO / "configs" / "test.py"))
  config.data.cache_dir = str(tmp_path / "cache")
  return config


@pytest.fixture
def tiled_segments():
  """A function giving every tiled evaluation segment of a split, materialised in track order:
  (x, y, w, track index of each segment), as evaluation's batches (tiled_dataset) cut them."""
  import numpy as np
  from jmer.data import pipeline

  def materialise(split, config):
    batches, owner = pipeline.tiled_dataset(split, config, shuffle=False)
    parts = list(batches)
    join = lambda i: {k: np.concatenate([p[i][k].numpy() for p in parts]) for k in parts[0][i]}
    return join(0), join(1), join(2), owner
  return materialise
