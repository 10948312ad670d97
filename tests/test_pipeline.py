"""Segments: deterministic eval tiling, seeded training draws, padding, label masks."""

import math

import numpy as np

from jmer.data import features as features_lib
from jmer.data import pipeline
from jmer.data import tracks as tracks_lib


def _split(config, lengths, genres=None):
  rng = np.random.default_rng(0)
  tracks = [tracks_lib.Track(f"t{i}", f"/x/t{i}.wav", "d", genre=(genres or [i % 10] * 99)[i],
                             arousal=0.5 if i % 2 else math.nan,
                             valence=-0.5 if i % 2 else math.nan)
            for i in range(len(lengths))]
  feats = {"mel": [rng.normal(size=(n, config.features.n_mels)).astype(np.float32)
                   for n in lengths]}
  return pipeline.SplitData(tracks=tracks, features=feats)


def test_eval_tiling_covers_every_frame_deterministically():
  assert pipeline.eval_starts(100, 40, 40) == [0, 40, 60]
  assert pipeline.eval_starts(80, 40, 40) == [0, 40]
  assert pipeline.eval_starts(30, 40, 40) == [0]
  for n in (41, 99, 257):
    starts = pipeline.eval_starts(n, 40, 20)
    covered = np.zeros(n, bool)
    for s in starts:
      covered[s:s + 40] = True
    assert covered.all() and starts[-1] + 40 == n


def test_short_tracks_are_padded_with_silence(tiny_config):
  length = pipeline.segment_frames(tiny_config)
  split = _split(tiny_config, [length // 2, length * 2])
  x, y, w, owner = pipeline.eval_segments(split, tiny_config)
  assert x["mel"].shape[1:] == (length, tiny_config.features.n_mels)
  assert list(owner) == [0, 1, 1]
  assert np.all(x["mel"][0, length // 2:] == features_lib.LOG_FLOOR_DB)


def test_missing_labels_become_zero_with_zero_weight(tiny_config):
  split = _split(tiny_config, [100, 100])  # one segment each
  _, y, w, _ = pipeline.eval_segments(split, tiny_config)
  assert list(w["emotion"]) == [0.0, 1.0]
  assert np.all(y["emotion"][0] == 0) and np.all(np.isfinite(y["emotion"]))
  assert list(w["genre"]) == [1.0, 1.0]


def test_training_draws_depend_on_seed_and_epoch_only(tiny_config):
  split = _split(tiny_config, [300, 400, 500, 350])
  first = lambda stream: [x["mel"][:2, :3].copy() for x, _, _ in stream()]
  a, b = pipeline.TrainStream(split, tiny_config), pipeline.TrainStream(split, tiny_config)
  assert all(np.array_equal(p, q) for p, q in zip(first(a), first(b)))
  b.epoch = 1
  assert not all(np.array_equal(p, q) for p, q in zip(first(a), first(b)))
  a.epoch = 1  # a resumed run at epoch 1 draws what an uninterrupted one draws
  assert all(np.array_equal(p, q) for p, q in zip(first(a), first(b)))
  assert len(first(a)) == a.samples_per_epoch == 4 * tiny_config.train.crops_per_track


def test_train_dataset_batches_have_the_model_input_shapes(tiny_config):
  split = _split(tiny_config, [300, 400, 500, 350, 300, 320, 330, 340])
  ds = pipeline.TrainStream(split, tiny_config).dataset()
  x, y, w = next(iter(ds))
  batch = tiny_config.train.batch_size
  assert x["mel"].shape == (batch, pipeline.segment_frames(tiny_config),
                            tiny_config.features.n_mels)
  assert set(y) == set(w) == {"genre", "emotion"}
  assert "track_id" not in x  # strings never reach the model
