"""Training-time augmentation: in range, seeded, aligned across branches, training only."""

import sys

import numpy as np
import pytest
import scipy.fft

from jmer.data import augment
from jmer import config as config_lib
from jmer.data import split_arrays
from jmer.data import train_stream as train_stream_lib
from jmer.data import tracks as tracks_lib

N_MELS, N_MFCC, FRAMES = 32, 8, 200


def config_with(*enabled, **strengths):
  config = config_lib.apply_variants(config_lib.base_config(), "runlocal")
  config.features.names = ("mel", "mfcc", "chroma")
  config.features.n_mels, config.features.n_mfcc = N_MELS, N_MFCC
  for name in enabled:
    config.augment[name].update(enabled=True, p=1.0)
  for key, value in strengths.items():
    section, name = key.split("__")
    config.augment[section][name] = value
  return config_lib.validate(config)


def segment(seed=0, frames=FRAMES):
  """A consistent mel/MFCC/chroma segment: the MFCC is the DCT of the log-mel, as cached."""
  rng = np.random.default_rng(seed)
  mel = (rng.normal(-40, 12, (frames, N_MELS)) + np.linspace(0, -30, N_MELS)).astype(np.float32)
  mfcc = scipy.fft.dct(mel, axis=1, type=2, norm="ortho")[:, :N_MFCC].astype(np.float32)
  chroma = rng.uniform(0, 1, (frames, 12)).astype(np.float32)
  return {"mel": mel, "mfcc": mfcc, "chroma": chroma}


def split_of(n_tracks=4, frames=300):
  tracks = [tracks_lib.Track(track_id=f"t{i}", path=f"t{i}.wav", dataset="fake", genre=i % 2,
                             arousal=0.1 * i, valence=-0.1 * i) for i in range(n_tracks)]
  feats = [segment(seed=10 + i, frames=frames) for i in range(n_tracks)]
  return split_arrays.SplitData(tracks=tracks,
                            features={n: [f[n] for f in feats] for n in ("mel", "mfcc", "chroma")})


def one(aug, x, rng):
  """Augments a single segment through the batched augmenter (a batch of one)."""
  return {name: value[0] for name, value in aug({n: v[None] for n, v in x.items()}, rng).items()}


def snr_db(clean_db, noisy_db):
  clean, noisy = 10 ** (clean_db / 10.0), 10 ** (noisy_db / 10.0)
  return 10 * np.log10(clean.mean() / (noisy - clean).mean())


def mfcc_of(mel):
  return scipy.fft.dct(mel, axis=1, type=2, norm="ortho")[:, :N_MFCC]


def test_nothing_enabled_means_no_augmenter():
  assert augment.make_augmenter(config_with()) is None


def test_gain_lands_in_range_moves_mfcc_c0_consistently_and_leaves_chroma():
  aug = augment.make_augmenter(config_with("gain", gain__max_db=4.0))
  x = segment()
  gains = []
  for seed in range(40):
    out = one(aug, x, np.random.default_rng(seed))
    offset = out["mel"] - x["mel"]
    assert np.ptp(offset) < 1e-3  # one offset for every cell
    gains.append(offset.mean())
    np.testing.assert_allclose(out["mfcc"], mfcc_of(out["mel"]), atol=2e-3)
    np.testing.assert_array_equal(out["chroma"], x["chroma"])
  assert -4.0 <= min(gains) < -2.0 and 2.0 < max(gains) <= 4.0


@pytest.mark.parametrize("use_clips", [False, True])
def test_noise_snr_lands_in_range_and_mfcc_follows_the_mel(use_clips):
  config = config_with("noise", noise__snr_db=(12.0, 18.0), noise__clip_snr_db=(25.0, 28.0),
                       noise__clip_p=1.0 if use_clips else 0.0)
  aug = augment.make_augmenter(config, split_of() if use_clips else None)
  x = segment()
  snrs = []
  for seed in range(20):
    out = one(aug, x, np.random.default_rng(seed))
    snrs.append(snr_db(x["mel"], out["mel"]))
    assert (out["mel"] >= x["mel"] - 1e-3).all()  # adding power never lowers a band
    np.testing.assert_allclose(out["mfcc"], mfcc_of(out["mel"]), atol=5e-3)
  low, high = (25.0, 28.0) if use_clips else (12.0, 18.0)
  assert low - 0.01 <= min(snrs) and max(snrs) <= high + 0.01
  assert max(snrs) - min(snrs) > 0.3 * (high - low)  # a random SNR, not a fixed one


def test_coloured_noise_spectra_tilt_as_their_colour():
  spectra = augment.coloured_noise_spectra(config_with("noise"))
  for colour in ("white", "pink", "brown"):
    assert spectra[colour].mean() == pytest.approx(1.0, rel=1e-5)
  # Low bands over high bands: white < pink < brown.
  tilt = {c: spectra[c][:4].mean() / spectra[c][-4:].mean() for c in spectra}
  assert tilt["white"] < tilt["pink"] < tilt["brown"]


def test_time_shift_rolls_every_branch_by_the_same_frames():
  aug = augment.make_augmenter(config_with("shift", shift__max_fraction=0.25))
  x = segment()
  offsets = set()
  for seed in range(10):
    out = one(aug, x, np.random.default_rng(seed))
    k = next(k for k in range(-50, 51) if np.array_equal(out["mel"], np.roll(x["mel"], k, 0)))
    offsets.add(k)
    for name in ("mfcc", "chroma"):
      np.testing.assert_array_equal(out[name], np.roll(x[name], k, 0))
  assert len(offsets) > 1


def test_specaugment_time_masks_are_aligned_across_branches():
  aug = augment.make_augmenter(config_with(
      "specaugment", specaugment__freq_masks=0, specaugment__time_masks=2,
      specaugment__max_time_fraction=0.2))
  x = segment()
  masked_any = False
  for seed in range(10):
    out = one(aug, x, np.random.default_rng(seed))
    rows = {n: np.flatnonzero((out[n] != x[n]).any(axis=1)) for n in x}
    np.testing.assert_array_equal(rows["mel"], rows["mfcc"])
    np.testing.assert_array_equal(rows["mel"], rows["chroma"])
    assert len(rows["mel"]) <= 2 * int(0.2 * FRAMES)
    masked_any |= len(rows["mel"]) > 0
  assert masked_any


def test_specaugment_frequency_masks_stay_within_each_branch_width():
  aug = augment.make_augmenter(config_with(
      "specaugment", specaugment__time_masks=0, specaugment__freq_masks=1,
      specaugment__max_freq_fraction=0.25))
  x = segment()
  for seed in range(10):
    out = one(aug, x, np.random.default_rng(seed))
    for name, value in out.items():
      cols = np.flatnonzero((value != x[name]).any(axis=0))
      assert len(cols) <= int(0.25 * x[name].shape[1])
      if len(cols):
        assert np.ptp(cols) == len(cols) - 1  # one contiguous band


def test_same_seed_same_augmented_batch_and_inputs_untouched():
  config = config_with("gain", "shift", "noise", "specaugment")
  aug = augment.make_augmenter(config, split_of())
  x = segment()
  original = {n: v.copy() for n, v in x.items()}
  first, again = one(aug, x, np.random.default_rng(7)), one(aug, x, np.random.default_rng(7))
  other = one(aug, x, np.random.default_rng(8))
  for name in x:
    np.testing.assert_array_equal(first[name], again[name])
    np.testing.assert_array_equal(x[name], original[name])  # the cache is never written
  assert any(not np.array_equal(first[n], other[n]) for n in x)


def test_a_batch_draws_per_segment_and_matches_the_same_segments_alone():
  config = config_with("gain", gain__max_db=6.0)
  aug = augment.make_augmenter(config)
  x = segment()
  batch = aug({n: np.stack([v] * 8) for n, v in x.items()}, np.random.default_rng(3))
  offsets = (batch["mel"] - x["mel"][None]).mean(axis=(1, 2))
  assert len(np.unique(np.round(offsets, 3))) == 8  # one gain per segment, not per batch
  for row in range(8):
    np.testing.assert_allclose(batch["mfcc"][row], mfcc_of(batch["mel"][row]), atol=2e-3)


def test_training_stream_is_augmented_evaluation_is_not():
  config = config_with("gain", "noise", "specaugment")
  config.data.segment_seconds = 3.0
  config.train.crops_per_track = 4
  config.train.batch_size = 4
  split = split_of(frames=300)
  calls = []
  aug = augment.make_augmenter(config, split)
  spy = lambda x, rng: calls.append(len(x["mel"])) or aug(x, rng)
  plain = train_stream_lib.TrainStream(split, config)
  augmented = train_stream_lib.TrainStream(split, config, augment=spy)
  steps = augmented.steps_per_epoch
  first = [augmented.batch(0, b) for b in range(steps)]
  again = [augmented.batch(0, b) for b in range(steps)]
  assert calls == [4] * (2 * steps)  # once per training batch, with the whole batch
  # Same crops (drawn before any augmentation), different values.
  assert not np.allclose(plain.batch(0, 0)[0]["mel"], first[0][0]["mel"])
  for a, b in zip(first, again):  # the same seed and epoch: the same augmented batch
    np.testing.assert_array_equal(a[0]["mel"], b[0]["mel"])


@pytest.mark.slow
def test_trainer_builds_the_augmenter_from_config_and_uses_it_for_training_only(
    tiny_config, tmp_path, monkeypatch):
  from jmer.training import train
  tiny_config.train.epochs = 1
  tiny_config.augment.gain.enabled = True
  seen, make_real = [], augment.make_augmenter

  def spy_factory(config, train_split):
    real = make_real(config, train_split)
    assert real is not None and len(train_split.tracks) > 0

    def spy(x, rng):  # who calls it: the training stream, or anything else?
      seen.append(type(sys._getframe(1).f_locals.get("self")).__name__)
      return real(x, rng)
    return spy
  monkeypatch.setattr(train.augment_lib, "make_augmenter", spy_factory)
  report = train.train_and_evaluate(tiny_config, tmp_path / "run")
  per_epoch = report["data"]["tracks"]["train"] * tiny_config.train.crops_per_track
  # Every training batch passes through it (Keras may prefetch a few more); validation and
  # test segments, tiled every epoch and at the end, never do.
  assert len(seen) >= per_epoch // tiny_config.train.batch_size
  assert set(seen) <= {"TrainStream", "MixedStream"}, set(seen)
