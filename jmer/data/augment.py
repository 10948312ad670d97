"""Training-time augmentation of cached features: gain, time shift, noise mixing, SpecAugment.

`make_augmenter(config, train_split)` returns `augment(x, rng) -> x` for the training stream
(`pipeline.TrainStream` calls it once per training segment with its seeded Generator, so the
same seed and epoch give the same augmented batch) or None when every augmentation is off.
Evaluation never sees it. All four work on the cached features, not on audio, so they cost
microseconds and need no decoding:

- gain: a random ±max_db offset, exact on the absolute-dB log-mel; on the MFCC only c0 moves
  (by gain·√n_mels: c0 of an orthonormal DCT is the band sum / √n_mels); chroma is normalised
  per frame and so gain-invariant.
- shift: a circular shift of the segment along time, the same for every feature.
- noise: mixing in the mel power domain (10^(dB/10) + noise power at a random SNR, back to dB)
  with white, pink or brown noise shaped by the mel filter bank, or (with probability clip_p)
  another training clip's log-mel at a low level. The MFCC follows exactly (it is a linear
  function of the log-mel); chroma is left as is (it cannot be recomputed from the mel).
- specaugment: time masks at the same frames in every branch (so the branches stay aligned),
  frequency masks per branch; masked cells get the segment's per-bin mean, which the model's
  normalisation maps near zero.
"""

import functools

import numpy as np
import scipy.fft

from jmer.data import features as features_lib

COLOUR_EXPONENTS = {"white": 0.0, "pink": 1.0, "brown": 2.0}  # noise power ∝ 1 / f^exponent


def make_augmenter(config, train_split=None):
  """The configured augmentations as one callable(x_dict, rng), or None if all are off.

  `train_split` (pipeline.SplitData) supplies other training clips as background noise.
  """
  a, names = config.augment, tuple(config.features.names)
  steps = []
  if a.shift.enabled:
    steps.append((a.shift.p, functools.partial(time_shift, max_fraction=a.shift.max_fraction)))
  if a.gain.enabled and {"mel", "mfcc"} & set(names):
    steps.append((a.gain.p, functools.partial(gain, max_db=a.gain.max_db,
                                              n_mels=config.features.n_mels)))
  if a.noise.enabled and {"mel", "mfcc"} & set(names):
    clips = None
    if train_split is not None and "mel" in train_split.features and a.noise.clip_p > 0:
      clips = train_split.features["mel"]
    steps.append((a.noise.p, functools.partial(
        add_noise, spectra=coloured_noise_spectra(config), snr_db=tuple(a.noise.snr_db),
        clips=clips, clip_p=a.noise.clip_p, clip_snr_db=tuple(a.noise.clip_snr_db),
        mfcc=_mfcc_layout(config))))
  if a.specaugment.enabled:
    s = a.specaugment
    steps.append((s.p, functools.partial(
        spec_augment, time_masks=s.time_masks, max_time_fraction=s.max_time_fraction,
        freq_masks=s.freq_masks, max_freq_fraction=s.max_freq_fraction)))
  if not steps:
    return None

  def augment(x: dict, rng: np.random.Generator) -> dict:
    x = {name: np.array(value, np.float32) for name, value in x.items()}  # crops are cache views
    for p, step in steps:
      if rng.random() < p:  # drawn for every step, so one step's switch never shifts another's
        x = step(x, rng)
    return x
  return augment


def _mfcc_layout(config) -> dict:
  return dict(n_mfcc=config.features.n_mfcc, deltas=bool(config.features.mfcc_deltas),
              n_mels=config.features.n_mels)


def time_shift(x: dict, rng, max_fraction: float) -> dict:
  frames = next(iter(x.values())).shape[0]
  limit = int(max_fraction * frames)
  offset = int(rng.integers(-limit, limit + 1))
  return {name: np.roll(value, offset, axis=0) for name, value in x.items()}


def gain(x: dict, rng, max_db: float, n_mels: int) -> dict:
  db = rng.uniform(-max_db, max_db)
  if "mel" in x:
    x["mel"] = x["mel"] + db
  if "mfcc" in x:
    x["mfcc"] = x["mfcc"].copy()
    x["mfcc"][:, 0] += db * np.sqrt(n_mels)
  return x


def coloured_noise_spectra(config) -> dict:
  """{colour: mel-band power profile (n_mels,), mean 1} of 1/f^k noise through the mel bank."""
  import librosa
  f, sr = config.features, config.data.sample_rate
  bank = librosa.filters.mel(sr=sr, n_fft=f.n_fft, n_mels=f.n_mels, fmin=f.fmin,
                             fmax=f.fmax or sr / 2)
  freqs = np.maximum(librosa.fft_frequencies(sr=sr, n_fft=f.n_fft), 20.0)  # no DC blow-up
  spectra = {}
  for colour in config.augment.noise.colours:
    profile = bank @ freqs ** -COLOUR_EXPONENTS[colour]
    spectra[colour] = (profile / profile.mean()).astype(np.float32)
  return spectra


def _log_mel_of(x: dict, n_mels: int, n_mfcc: int) -> np.ndarray:
  """The segment's log-mel, or (MFCC-only models) the smooth log-mel its MFCC describes."""
  if "mel" in x:
    return x["mel"]
  return scipy.fft.idct(x["mfcc"][:, :n_mfcc], n=n_mels, axis=1, type=2, norm="ortho")


def add_noise(x: dict, rng, spectra: dict, snr_db, clips, clip_p: float, clip_snr_db,
              mfcc: dict) -> dict:
  """Adds noise power at a random SNR (mean power over the segment) in the mel power domain."""
  log_mel = _log_mel_of(x, mfcc["n_mels"], mfcc["n_mfcc"])
  power = 10.0 ** (log_mel.astype(np.float64) / 10.0)
  frames = power.shape[0]
  if clips is not None and rng.random() < clip_p:
    clip = clips[int(rng.integers(len(clips)))]
    start = int(rng.integers(0, max(len(clip) - frames, 0) + 1))
    noise_db = clip[start:start + frames]
    noise_db = np.pad(noise_db, ((0, frames - len(noise_db)), (0, 0)),
                      constant_values=features_lib.LOG_FLOOR_DB)
    noise, snr = 10.0 ** (noise_db.astype(np.float64) / 10.0), rng.uniform(*clip_snr_db)
  else:
    colour = sorted(spectra)[int(rng.integers(len(spectra)))]
    # Gamma(8) per cell: the frame-to-frame fluctuation of a noise band's power.
    noise = spectra[colour][None, :] * rng.gamma(8.0, 1.0 / 8.0, power.shape)
    snr = rng.uniform(*snr_db)
  noise *= power.mean() / max(noise.mean(), 1e-30) / 10.0 ** (snr / 10.0)
  delta = (10.0 * np.log10(power + noise) - log_mel).astype(np.float32)
  if "mel" in x:
    x["mel"] = x["mel"] + delta
  if "mfcc" in x:
    x["mfcc"] = x["mfcc"] + _mfcc_change(delta, mfcc)
  return x


def _mfcc_change(log_mel_change: np.ndarray, mfcc: dict) -> np.ndarray:
  """How the MFCC (and its deltas) move when the log-mel moves: both are linear maps."""
  import librosa
  change = scipy.fft.dct(log_mel_change, axis=1, type=2, norm="ortho")[:, :mfcc["n_mfcc"]]
  if mfcc["deltas"]:
    change = np.concatenate([change, librosa.feature.delta(change, axis=0),
                             librosa.feature.delta(change, order=2, axis=0)], axis=1)
  return change.astype(np.float32)


def spec_augment(x: dict, rng, time_masks: int, max_time_fraction: float, freq_masks: int,
                 max_freq_fraction: float) -> dict:
  frames = next(iter(x.values())).shape[0]
  means = {name: value.mean(axis=0) for name, value in x.items()}
  x = {name: value.copy() for name, value in x.items()}
  for _ in range(time_masks):  # one draw for all branches: the same seconds go missing
    width = int(rng.integers(0, int(max_time_fraction * frames) + 1))
    start = int(rng.integers(0, frames - width + 1))
    for name in x:
      x[name][start:start + width] = means[name]
  for name in x:  # each branch's own frequency axis
    bins = x[name].shape[1]
    for _ in range(freq_masks):
      width = int(rng.integers(0, int(max_freq_fraction * bins) + 1))
      start = int(rng.integers(0, bins - width + 1))
      x[name][:, start:start + width] = means[name][start:start + width]
  return x
