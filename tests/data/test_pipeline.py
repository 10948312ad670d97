"""Segments: deterministic eval tiling, seeded training draws, padding, label masks."""

import math

import numpy as np
import pytest

from jmer.data import features as features_lib
from jmer.data import pipeline
from jmer.data import segments as segments_lib
from jmer.data import split_arrays
from jmer.data import normalisation
from jmer.data import train_stream as train_stream_lib
from jmer.data import tracks as tracks_lib


def _split(config, lengths, genres=None):
  rng = np.random.default_rng(0)
  tracks = [tracks_lib.Track(f"t{i}", f"/x/t{i}.wav", "d", genre=(genres or [i % 10] * 99)[i],
                             arousal=0.5 if i % 2 else math.nan,
                             valence=-0.5 if i % 2 else math.nan)
            for i in range(len(lengths))]
  feats = {"mel": [rng.normal(size=(n, config.features.n_mels)).astype(np.float32)
                   for n in lengths]}
  return split_arrays.SplitData(tracks=tracks, features=feats)


def test_eval_tiling_covers_all_but_a_tail_under_a_quarter_hop_deterministically():
  assert segments_lib.eval_starts(100, 40, 40) == [0, 40, 60]
  assert segments_lib.eval_starts(80, 40, 40) == [0, 40]
  assert segments_lib.eval_starts(30, 40, 40) == [0]
  assert segments_lib.eval_starts(41, 40, 40) == [0]  # one frame more is no second segment
  assert segments_lib.eval_starts(89, 40, 40) == [0, 40]  # 9 frames < 40 / 4
  assert segments_lib.eval_starts(90, 40, 40) == [0, 40, 50]
  for n in (41, 99, 257, 1000):
    starts = segments_lib.eval_starts(n, 40, 20)
    covered = np.zeros(n, bool)
    for s in starts:
      covered[s:s + 40] = True
    assert covered[:n - 4].all() and starts == sorted(set(starts))


def test_the_quick_start_and_test_tilings_are_unchanged():
  """The tail rule must not move the metrics of configs/mtl.py (30 s clips, 10 s segments) or
  configs/test.py (4 s clips, 3 s segments): their tracks' frame counts tile as before."""
  assert segments_lib.eval_starts(1292, 431, 431) == [0, 431, 861]
  assert segments_lib.eval_starts(1293, 431, 431) == [0, 431, 862]
  assert segments_lib.eval_starts(173, 129, 129) == [0, 44]


def test_short_tracks_are_padded_with_silence(tiny_config, tiled_segments):
  length = segments_lib.segment_frames(tiny_config)
  split = _split(tiny_config, [length // 2, length * 2])
  x, y, w, owner = tiled_segments(split, tiny_config)
  assert x["mel"].shape[1:] == (length, tiny_config.features.n_mels)
  assert list(owner) == [0, 1, 1]
  assert np.all(x["mel"][0, length // 2:] == features_lib.LOG_FLOOR_DB)


def test_missing_labels_become_zero_with_zero_weight(tiny_config, tiled_segments):
  split = _split(tiny_config, [100, 100])  # one segment each
  _, y, w, _ = tiled_segments(split, tiny_config)
  assert list(w["emotion"]) == [0.0, 1.0]
  assert np.all(y["emotion"][0] == 0) and np.all(np.isfinite(y["emotion"]))
  assert list(w["genre"]) == [1.0, 1.0]


def _epoch(stream, epoch):
  return [stream.batch(epoch, b)[0]["mel"] for b in range(stream.steps_per_epoch)]


def test_training_draws_depend_on_seed_and_epoch_only(tiny_config):
  tiny_config.train.batch_size = 2
  split = _split(tiny_config, [300, 400, 500, 350])
  a = train_stream_lib.TrainStream(split, tiny_config)
  b = train_stream_lib.TrainStream(split, tiny_config)
  same = lambda p, q: all(np.array_equal(u, v) for u, v in zip(p, q))
  assert same(_epoch(a, 0), _epoch(b, 0))
  assert not same(_epoch(a, 0), _epoch(b, 1))
  _epoch(b, 5)  # a resumed run at epoch 1 draws what an uninterrupted one draws
  assert same(_epoch(a, 1), _epoch(b, 1))
  assert sum(len(x) for x in _epoch(a, 0)) == a.samples_per_epoch == 4 * 2


def test_the_dataset_yields_the_seeded_batches_of_the_epoch_set_when_it_starts(tiny_config):
  tiny_config.train.batch_size = 2
  tiny_config.train.crops_per_track = 3
  split = _split(tiny_config, [300, 400, 500, 350])
  stream = train_stream_lib.TrainStream(split, tiny_config)
  for epoch in (0, 2):
    stream.epoch = epoch
    got = [x["mel"].numpy() for x, _, _ in stream.dataset()]
    expected = _epoch(train_stream_lib.TrainStream(split, tiny_config), epoch)
    assert len(got) == stream.steps_per_epoch == 6
    assert all(np.array_equal(g, e) for g, e in zip(got, expected))


def test_a_batch_is_the_tracks_crop_with_its_labels(tiny_config):
  tiny_config.train.batch_size = 4
  split = _split(tiny_config, [300, 400, 500, 350])
  stream = train_stream_lib.TrainStream(split, tiny_config)
  tracks, starts = stream.plan(0)
  x, y, w = stream.batch(0, 0)
  length = segments_lib.segment_frames(tiny_config)
  for row in range(4):
    i, s = tracks[row], starts[row]
    assert 0 <= s <= split.frames(i) - length
    np.testing.assert_array_equal(x["mel"][row], split.features["mel"][i][s:s + length])
    assert y["genre"][row] == split.tracks[i].genre
    assert w["emotion"][row] == (1.0 if i % 2 else 0.0)


def test_feature_stats_are_the_full_statistics_when_nothing_is_subsampled(tiny_config):
  split = _split(tiny_config, [300, 400])
  split.features["mel"] = [a.astype(np.float16) for a in split.features["mel"]]
  mean, var = normalisation.feature_stats(split)["mel"]
  frames = np.concatenate(split.features["mel"]).astype(np.float64)
  np.testing.assert_allclose(mean, frames.mean(0), rtol=1e-6)
  np.testing.assert_allclose(var, frames.var(0) + 1e-6, rtol=1e-6)
  sampled_mean, _ = normalisation.feature_stats(split, max_frames=350)["mel"]
  assert np.abs(sampled_mean - frames.mean(0)).max() < 0.3  # ~N(0,1) frames: a fair sample


def test_train_dataset_batches_have_the_model_input_shapes(tiny_config):
  split = _split(tiny_config, [300, 400, 500, 350, 300, 320, 330, 340])
  ds = train_stream_lib.TrainStream(split, tiny_config).dataset()
  x, y, w = next(iter(ds))
  batch = tiny_config.train.batch_size
  assert x["mel"].shape == (batch, segments_lib.segment_frames(tiny_config),
                            tiny_config.features.n_mels)
  assert set(y) == set(w) == {"genre", "emotion"}
  assert "track_id" not in x  # strings never reach the model


def test_validation_batches_are_the_tiled_segments_shuffled_once_cut_on_demand(tiny_config,
                                                                              tiled_segments):
  tiny_config.eval.batch_size = 3
  split = _split(tiny_config, [300, 170, 450, 90])
  x, y, w, owner = tiled_segments(split, tiny_config)
  batches = list(pipeline.eval_dataset(split, tiny_config))
  assert [len(b[0]["mel"]) for b in batches][:-1] == [3] * (len(batches) - 1)
  got = np.concatenate([b[0]["mel"].numpy() for b in batches])
  order = np.random.default_rng([tiny_config.seed, 2]).permutation(len(owner))
  np.testing.assert_array_equal(got, x["mel"][order])
  np.testing.assert_array_equal(np.concatenate([b[1]["genre"].numpy() for b in batches]),
                                y["genre"][order])
  np.testing.assert_array_equal(np.concatenate([b[2]["emotion"].numpy() for b in batches]),
                                w["emotion"][order])


@pytest.mark.slow
def test_importing_the_pipeline_leaves_tensorflows_devices_alone():
  # A fresh interpreter records every set_visible_devices call: none on import, one (GPUs
  # hidden) when an entry point asks for it.
  import subprocess
  import sys
  script = (
      "import tensorflow as tf\n"
      "calls = []\n"
      "tf.config.set_visible_devices = lambda *args: calls.append(args)\n"
      "from jmer.data import pipeline\n"
      "print(calls)\n"
      "pipeline.hide_gpus_from_tensorflow()\n"
      "print(calls)\n")
  out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                       check=True).stdout.split("\n")
  assert out[:2] == ["[]", "[([], 'GPU')]"], out


def test_class_balance_gives_every_genre_the_same_total_weight(tiny_config):
  # 6 blues (0), 2 jazz (5), 1 rock (9) and one track without a genre (-1, weight 0).
  genres = [0, 0, 0, 0, 0, 0, 5, 5, 9, -1]
  split = _split(tiny_config, [100] * len(genres), genres=genres)
  labels, weights = split_arrays.track_targets(split, ("genre", "emotion"))
  balanced = split_arrays.class_balanced(labels, weights)
  # n = 9 labelled tracks, k = 3 classes: blues 9/(3*6) = 0.5, jazz 9/(3*2) = 1.5, rock 3.
  np.testing.assert_allclose(balanced["genre"], [0.5] * 6 + [1.5, 1.5, 3.0, 0.0])
  assert balanced["genre"].sum() == 9.0
  assert np.array_equal(balanced["emotion"], weights["emotion"])  # regression: unchanged
  tiny_config.train.class_balance = True
  stream = train_stream_lib.TrainStream(split, tiny_config)
  np.testing.assert_allclose(stream.weights["genre"], balanced["genre"])
  tiny_config.train.class_balance = False
  assert np.array_equal(train_stream_lib.TrainStream(split, tiny_config).weights["genre"],
                        weights["genre"])


def _features_freed(make_datasets) -> bool:
  """Whether a split's features are garbage once the datasets built on it were read and
  dropped (plus whatever cleanup make_datasets returns, run before dropping them)."""
  import gc
  import weakref
  features = _Features()
  datasets, cleanup = make_datasets(features)
  for batch in (b for dataset in datasets for b in dataset):
    del batch
  cleanup()
  alive = weakref.ref(features)
  del features, datasets, cleanup
  gc.collect()
  return alive() is None


class _Features(dict):
  """A split's feature dict that a weak reference can watch."""


def test_read_datasets_do_not_keep_a_splits_features_alive(tiny_config):
  # TensorFlow's py_func registry outlives a dataset; what the batch function holds stayed in
  # memory, so a suite running 55 runs in one process grew by ~0.7 GB a run until it was killed.
  def evaluation(features):
    features["mel"] = _split(tiny_config, [300, 400, 500]).features["mel"]
    split = split_arrays.SplitData(tracks=_split(tiny_config, [300, 400, 500]).tracks,
                                 features=features)
    return [pipeline.tiled_dataset(split, tiny_config, shuffle=False)[0]], lambda: None

  def training(features):
    features["mel"] = _split(tiny_config, [300, 400, 500, 350]).features["mel"]
    split = split_arrays.SplitData(tracks=_split(tiny_config, [300, 400, 500, 350]).tracks,
                                 features=features)
    stream = train_stream_lib.TrainStream(split, tiny_config)
    return [stream.dataset()], stream.close  # train.py closes the stream after fit
  assert _features_freed(evaluation)
  assert _features_freed(training)
