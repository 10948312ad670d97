"""Fixes to what a run reports, each checked on a small hand-made case: the MFCC baseline of a
quadrant-only run, predictions without a class in test_predictions.csv, DEAM's copies of
EmoMusic clips, and a manifest's genre vocabulary."""

import csv

import numpy as np
import pytest
import soundfile as sf

from jmer.tasks import labels
from jmer.data import loading
from jmer.data import split_arrays
from jmer.data import tracks as tracks_lib
from jmer.data.datasets import manifest
from jmer.evaluation import baseline
from jmer.evaluation import evaluate


def _quadrant_split(quadrants, seed):
  """Tracks with only a quadrant label, each a log-mel whose level per band says its quadrant,
  so a linear model on MFCC statistics separates them."""
  rng = np.random.default_rng(seed)
  tracks, mels = [], []
  for i, q in enumerate(quadrants):
    tracks.append(tracks_lib.Track(f"s{seed}_{i}", "", "own", quadrant=int(q)))
    level = np.zeros(32)
    level[8 * q:8 * q + 8] = 3.0
    mels.append((level + 0.3 * rng.standard_normal((40, 32))).astype(np.float32))
  return split_arrays.SplitData(tracks=tracks, features={"mel": mels})


def test_quadrant_only_run_gets_a_linear_baseline_on_its_test_split(tiny_config):
  tiny_config.tasks.genre, tiny_config.tasks.emotion = False, "quadrant"
  test_quadrants = [0, 1, 2, 3, 0, 1, 2]  # Q4 once, so n = 7 tells it is this split
  splits = {"train": _quadrant_split(np.repeat(range(4), 5), seed=1),
            "val": _quadrant_split([], seed=2),
            "test": _quadrant_split(test_quadrants, seed=3)}
  data = loading.RunData(splits=splits, genre_names=(), params={}, description={})
  reference = baseline.mfcc_baseline(data, tiny_config)
  assert set(reference) == {"quadrant"}  # it used to be {} for the quadrant head
  assert reference["quadrant"]["n"] == len(test_quadrants)
  assert np.array(reference["quadrant"]["confusion_matrix"]).sum(axis=1).tolist() == [2, 2, 2, 1]
  assert reference["quadrant"]["accuracy"] == pytest.approx(1.0)  # separable by construction


def test_predictions_csv_leaves_a_non_finite_prediction_blank(tmp_path):
  tracks = [tracks_lib.Track("a", "", "x", genre=1), tracks_lib.Track("b", "", "x", genre=0)]
  split = split_arrays.SplitData(tracks=tracks, features={})
  preds = {"genre": np.array([[0.2, 0.8], [np.nan, np.nan]]),
           "quadrant": np.array([[0.1, 0.7, 0.1, 0.1], [np.nan] * 4])}
  path = tmp_path / "p.csv"
  evaluate.write_predictions_csv(path, preds, split, ("pop", "rock"))
  rows = list(csv.DictReader(open(path)))
  assert (rows[0]["pred_genre"], rows[0]["pred_quadrant"]) == ("rock", labels.QUADRANTS[1])
  # argmax of a NaN row is 0: it used to print the first genre and Q1.
  assert (rows[1]["pred_genre"], rows[1]["pred_quadrant"]) == ("", "")


def test_deam_copies_of_emomusic_clips_are_dropped_and_emomusic_kept():
  listings = {
      "deam": tracks_lib.TrackList("deam", [tracks_lib.Track("7", "d/7.mp3", "deam", arousal=0.1,
                                                             valence=0.2),
                                            tracks_lib.Track("2001", "d/2001.mp3", "deam")]),
      "emomusic": tracks_lib.TrackList("emomusic",
                                       [tracks_lib.Track("7", "e/7.mp3", "emomusic", genre=3)]),
  }
  dropped = loading.drop_deam_copies_of_emomusic(listings)
  assert [t.path for t in dropped] == ["d/7.mp3"]
  assert [t.track_id for t in listings["deam"].tracks] == ["2001"]
  assert [t.path for t in listings["emomusic"].tracks] == ["e/7.mp3"]
  # DEAM alone keeps every song.
  alone = {"deam": tracks_lib.TrackList("deam", [tracks_lib.Track("7", "d/7.mp3", "deam")])}
  assert loading.drop_deam_copies_of_emomusic(alone) == [] and len(alone["deam"].tracks) == 1


def test_manifest_genre_only_on_skipped_rows_is_not_an_output(tiny_config, tmp_path):
  sf.write(str(tmp_path / "a.wav"), np.zeros(1600, np.float32), 16000)
  sf.write(str(tmp_path / "b.wav"), np.zeros(1600, np.float32), 16000)
  path = tmp_path / "labels.csv"
  with open(path, "w", newline="") as fh:
    csv.writer(fh).writerows([("path", "genre"), ("a.wav", "tango"), ("b.wav", "bolero"),
                              ("missing.wav", "waltz"), ("a.wav", "zamba")])  # skipped rows
  tiny_config.data.manifest.path = str(path)
  listing = manifest.list_tracks(tiny_config)
  assert len(listing.skipped) == 2  # a missing file and a duplicate
  assert listing.genre_names == ("bolero", "tango")
  assert [listing.genre_names[t.genre] for t in listing.tracks] == ["tango", "bolero"]


def _tiled_split(config, n_tracks, seconds, seed=0):
  rng = np.random.default_rng(seed)
  frames = int(seconds * config.data.sample_rate / config.features.hop_length)
  tracks = [tracks_lib.Track(f"t{i}", "", "own", genre=i % 10, arousal=0.1, valence=-0.2)
            for i in range(n_tracks)]
  mels = [rng.normal(size=(frames, config.features.n_mels)).astype(np.float16) for _ in tracks]
  return split_arrays.SplitData(tracks=tracks, features={"mel": mels})


@pytest.mark.slow
def test_track_predictions_are_cut_batch_by_batch_and_equal_the_materialised_ones(
    tiny_config, tiled_segments):
  import tracemalloc
  from jmer.data import features as features_lib
  from jmer.models import build
  tiny_config.eval.batch_size = 4
  split = _tiled_split(tiny_config, n_tracks=36, seconds=40)
  model = build.build_model(tiny_config, features_lib.feature_params(tiny_config),
                            labels.GTZAN_GENRES)
  x, _, _, owner = tiled_segments(split, tiny_config)
  evaluate.predict_tracks(model, split, tiny_config)  # compile outside the measurement
  tracemalloc.start()
  preds = evaluate.predict_tracks(model, split, tiny_config)
  peak = tracemalloc.get_traced_memory()[1]
  tracemalloc.stop()
  # Holding every segment at once (as evaluation used to) needs x's bytes; batch by batch, a
  # few batches of 4 of its len(owner) segments.
  assert len(owner) >= 48 and peak < x["mel"].nbytes / 4, (peak, x["mel"].nbytes)
  segment_preds = model.predict(x, batch_size=16, verbose=0)
  for name, values in segment_preds.items():
    expected = evaluate.tasks_lib.TASKS[name].aggregate(values, owner, len(split.tracks))
    np.testing.assert_allclose(preds[name], expected, rtol=1e-5, atol=1e-6)
