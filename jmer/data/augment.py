"""Training-time augmentation of cached features: gain, time shift, noise mixing, SpecAugment.

`make_augmenter(config, train_split)` returns `augment(x, rng) -> x` for the training stream, or
None when every augmentation is off. It works on a whole batch at once, `x` being
{name: float32 (batch, frames, bins)}: `train_stream.TrainStream` calls it once per batch with a
Generator seeded by (seed, epoch, batch), so the same seed and epoch give the same augmented
batches whichever order tf.data's parallel workers run them in. Every draw is one vectorised
call per batch (no per-segment Python loop) and all arithmetic is float32. Evaluation never sees
it. All four work on the cached features, not on audio, so they need no decoding:

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

  `train_split` (splits.SplitData) supplies other training clips as background noise.

  Args:
    config: the run config (augment.*, features.*).
    train_split: the training split, for background-clip noise (None: no clips).

  Returns:
    A callable(x, rng) -> x over {feature: (batch, frames, bins) float32}, or None.
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
    x = {name: np.array(value, np.float32) for name, value in x.items()}  # never the cache
    batch = len(next(iter(x.values())))
    for p, step in steps:
      # Drawn for every step, so one step's switch never shifts another's draws.
      chosen = np.flatnonzero(rng.random(batch) < p)
      if len(chosen):
        changed = step({name: value[chosen] for name, value in x.items()}, rng)
        for name, value in changed.items():
          x[name][chosen] = value
    return x
  return augment


def _mfcc_layout(config) -> dict:
  return dict(n_mfcc=config.features.n_mfcc, deltas=bool(config.features.mfcc_deltas),
              n_mels=config.features.n_mels)


def time_shift(x: dict, rng, max_fraction: float) -> dict:
  """Shifts each segment circularly along time by a random number of frames.

  Args:
    x: {feature name: float32 (batch, frames, bins)}, all with the same frames.
    rng: a numpy Generator; one offset is drawn per segment, shared by every feature.
    max_fraction: the largest shift, as a fraction of the segment's frames.

  Returns:
    New arrays, same shapes.
  """
  batch, frames = next(iter(x.values())).shape[:2]
  limit = int(max_fraction * frames)
  offsets = rng.integers(-limit, limit + 1, size=batch)
  # np.roll by k: out[t] = in[(t - k) mod frames], one k per segment, the same for every branch.
  source = (np.arange(frames)[None, :] - offsets[:, None]) % frames
  return {name: np.take_along_axis(value, source[:, :, None], axis=1)
          for name, value in x.items()}


def gain(x: dict, rng, max_db: float, n_mels: int) -> dict:
  """Adds a random gain per segment: to every log-mel bin, and to the MFCC's c0 only.

  Args:
    x: {feature name: float32 (batch, frames, bins)}; "mel" in dB and "mfcc" change.
    rng: a numpy Generator; one gain is drawn per segment, uniform in ±max_db.
    max_db: the largest gain, in dB.
    n_mels: the mel bands the MFCC was computed from (c0 moves by gain·√n_mels).

  Returns:
    `x`, with its mel and MFCC entries replaced.
  """
  db = rng.uniform(-max_db, max_db, size=len(next(iter(x.values())))).astype(np.float32)
  if "mel" in x:
    x["mel"] = x["mel"] + db[:, None, None]
  if "mfcc" in x:
    x["mfcc"] = x["mfcc"].copy()
    x["mfcc"][:, :, 0] += db[:, None] * np.float32(np.sqrt(n_mels))
  return x


def coloured_noise_spectra(config) -> dict:
  """{colour: mel-band power profile (n_mels,), mean 1} of 1/f^k noise through the mel bank.

  Args:
    config: the run config (data.sample_rate, features.*, augment noise colours).

  Returns:
    A dict from colour name to a float32 (n_mels,) power profile with mean 1.
  """
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
  """The segments' log-mel, or (MFCC-only models) the smooth log-mel their MFCC describes."""
  if "mel" in x:
    return x["mel"]
  return scipy.fft.idct(x["mfcc"][..., :n_mfcc], n=n_mels, axis=-1, type=2,
                        norm="ortho").astype(np.float32)


def _clip_noise(rng, clips, count: int, frames: int) -> np.ndarray:
  """(count, frames, n_mels) log-mel windows of random training clips, floor-padded."""
  out = np.full((count, frames, clips[0].shape[1]), features_lib.LOG_FLOOR_DB, np.float32)
  which = rng.integers(len(clips), size=count)
  highs = np.array([max(len(clips[k]) - frames, 0) for k in which])
  starts = rng.integers(0, highs + 1)
  for row, (k, start) in enumerate(zip(which, starts)):
    window = clips[k][start:start + frames]
    out[row, :len(window)] = window
  return out


def add_noise(x: dict, rng, spectra: dict, snr_db, clips, clip_p: float, clip_snr_db,
              mfcc: dict) -> dict:
  """Adds noise power at a random SNR (mean power over each segment) in the mel power domain.

  float32 throughout: dB values span about ±100, so powers stay well inside float32's range, and
  the dB change it returns is exact to ~1e-4 dB.

  Args:
    x: {feature: (batch, frames, bins) float32}; 'mel' is log-mel in dB.
    rng: the numpy Generator of this batch.
    spectra: coloured_noise_spectra's profiles.
    snr_db: (low, high) of the signal-to-noise ratio drawn per segment, in dB.
    clips: other training clips' log-mels for background noise, or None.
    clip_p: the probability that a segment's noise is a clip rather than coloured noise.
    clip_snr_db: (low, high) SNR of clip noise, in dB.
    mfcc: the MFCC layout (n_mfcc, deltas, n_mels), to carry the noise's change into 'mfcc'.

  Returns:
    `x`, its mel and MFCC entries replaced by the noisy ones.
  """
  log_mel = _log_mel_of(x, mfcc["n_mels"], mfcc["n_mfcc"])
  power = np.power(np.float32(10.0), log_mel / np.float32(10.0))
  batch, frames, bands = power.shape
  from_clip = (rng.random(batch) < clip_p) if clips is not None else np.zeros(batch, bool)
  colours = sorted(spectra)
  profile = np.stack([spectra[c] for c in colours])[rng.integers(len(colours), size=batch)]
  # Gamma(8) per cell: the frame-to-frame fluctuation of a noise band's power.
  noise = profile[:, None, :] * (rng.standard_gamma(8.0, (batch, frames, bands), np.float32)
                                 / np.float32(8.0))
  snr = rng.uniform(*snr_db, size=batch)
  if from_clip.any():
    rows = np.flatnonzero(from_clip)
    noise[rows] = np.power(np.float32(10.0), _clip_noise(rng, clips, len(rows), frames) / 10)
    snr[rows] = rng.uniform(*clip_snr_db, size=len(rows))
  scale = (power.mean(axis=(1, 2)) / np.maximum(noise.mean(axis=(1, 2)), 1e-30)
           / 10.0 ** (snr / 10.0)).astype(np.float32)
  delta = np.float32(10.0) * np.log10(power + noise * scale[:, None, None]) - log_mel
  if "mel" in x:
    x["mel"] = x["mel"] + delta
  if "mfcc" in x:
    x["mfcc"] = x["mfcc"] + _mfcc_change(delta, mfcc)
  return x


def _mfcc_change(log_mel_change: np.ndarray, mfcc: dict) -> np.ndarray:
  """How the MFCC (and its deltas) move when the log-mel moves: both are linear maps."""
  import librosa
  change = scipy.fft.dct(log_mel_change, axis=-1, type=2, norm="ortho")[..., :mfcc["n_mfcc"]]
  if mfcc["deltas"]:
    change = np.concatenate([change, librosa.feature.delta(change, axis=-2),
                             librosa.feature.delta(change, order=2, axis=-2)], axis=-1)
  return change.astype(np.float32)


def _band_masks(rng, batch: int, size: int, count: int, max_fraction: float) -> np.ndarray:
  """(batch, size) bool: the union of `count` random bands of width ≤ max_fraction·size."""
  masked = np.zeros((batch, size), bool)
  index = np.arange(size)[None, :]
  for _ in range(count):
    width = rng.integers(0, int(max_fraction * size) + 1, size=batch)
    start = rng.integers(0, size - width + 1)
    masked |= (index >= start[:, None]) & (index < (start + width)[:, None])
  return masked


def spec_augment(x: dict, rng, time_masks: int, max_time_fraction: float, freq_masks: int,
                 max_freq_fraction: float) -> dict:
  """SpecAugment: time and frequency bands set to the segment's per-bin mean.

  Args:
    x: {feature name: float32 (batch, frames, bins)}.
    rng: a numpy Generator.
    time_masks: time bands per segment, at the same frames in every feature.
    max_time_fraction: the widest time band, as a fraction of the frames.
    freq_masks: frequency bands per segment, drawn separately for each feature.
    max_freq_fraction: the widest frequency band, as a fraction of that feature's bins.

  Returns:
    {feature name: masked array, same shape}.
  """
  batch, frames = next(iter(x.values())).shape[:2]
  means = {name: value.mean(axis=1, keepdims=True) for name, value in x.items()}
  # One draw for all branches: the same seconds go missing.
  rows = _band_masks(rng, batch, frames, time_masks, max_time_fraction)[:, :, None]
  out = {}
  for name, value in x.items():  # each branch's own frequency axis
    cols = _band_masks(rng, batch, value.shape[2], freq_masks, max_freq_fraction)[:, None, :]
    out[name] = np.where(rows | cols, means[name], value)
  return out
