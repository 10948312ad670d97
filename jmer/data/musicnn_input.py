"""musicnn's own input: a 96-band log-mel of 16 kHz audio, cut into 3-second (187-frame) patches.

The pretrained musicnn weights (jmer.pretrained.musicnn) only mean something on exactly the features
they were trained on, so this module mirrors musicnn 0.1.0's `extractor.batch_data` rather than
reusing jmer's own feature settings (jmer.data.features uses other rates, hops and scalings).
What it copies and what it deliberately does not:

* `librosa.feature.melspectrogram(y, sr=16000, hop_length=256, n_fft=512, n_mels=96)` with
  librosa's defaults, i.e. power 2 (energy), Slaney mel scale (htk=False), Slaney area
  normalisation (norm='slaney'), centred frames.
* The frame padding is 'reflect', which was librosa's default when musicnn was trained and
  published (librosa < 0.10); librosa >= 0.10 pads with zeros instead. Only the first and last
  frame differ.
* The compression is `log10(1 + 10000 * mel)`, computed in float32. The original casts the mel
  energies to float16 first; float16 overflows to inf above 65504, which loud bins (e.g. a
  full-scale square wave, heavily mastered music) exceed, so its features and every embedding
  downstream become inf/NaN. We do not copy that bug; on bins below the overflow the float16
  rounding changes the log-mel by less than ~5e-4.
"""

import functools

import numpy as np

from jmer.data import audio

SAMPLE_RATE = 16000
FFT_SIZE = 512
HOP_LENGTH = 256
N_MELS = 96
# librosa.time_to_frames(3, sr=16000, n_fft=512, hop_length=256) + 1, as the original computes it.
PATCH_FRAMES = 187


def log_mel(wave: np.ndarray, sample_rate: int = SAMPLE_RATE) -> np.ndarray:
  """Returns the (frames, 96) float32 log-mel musicnn expects, from a mono waveform.

  librosa.feature.melspectrogram's computation (see the module's docstring) done in numpy,
  without importing librosa, whose import (scipy.signal and more) was a third of a fresh
  process's first prediction: a periodic Hann window, 'reflect' centre padding, a complex64
  FFT, |X|^2 and librosa's Slaney mel filter bank (`mel_filters`). It matches librosa's
  result to float32 rounding (tests/data/test_musicnn_input.py).

  Args:
    wave: mono waveform, float, at `sample_rate`.
    sample_rate: must be 16000: the network was trained at that rate, and resampling belongs to
      decoding (`load_log_mel`), not here.
  """
  if sample_rate != SAMPLE_RATE:
    raise ValueError(f"musicnn features need {SAMPLE_RATE} Hz audio, got {sample_rate} Hz")
  wave = np.asarray(wave, dtype=np.float32)
  if wave.ndim != 1:
    raise ValueError(f"expected a mono waveform (1-D), got shape {wave.shape}")
  padded = np.pad(wave, FFT_SIZE // 2, mode="reflect")
  frames = np.lib.stride_tricks.sliding_window_view(padded, FFT_SIZE)[::HOP_LENGTH]
  window = (0.5 - 0.5 * np.cos(2 * np.pi * np.arange(FFT_SIZE) / FFT_SIZE)).astype(np.float32)
  spectrum = np.fft.rfft(frames * window, axis=1).astype(np.complex64)
  power = spectrum.real ** 2 + spectrum.imag ** 2
  # float32 on purpose: the original's float16 cast overflows to inf on loud bins (see above).
  mel = (power @ mel_filters().T).astype(np.float32)
  return np.log10(1.0 + 10000.0 * mel).astype(np.float32)


@functools.lru_cache(maxsize=1)
def mel_filters() -> np.ndarray:
  """librosa.filters.mel(sr=16000, n_fft=512, n_mels=96) (Slaney mel scale and area
  normalisation, float32), as (96, 257)."""
  f_sp, min_log_hz = 200.0 / 3, 1000.0
  min_log_mel, logstep = min_log_hz / f_sp, np.log(6.4) / 27.0

  def hz_to_mel(hz):
    return hz / f_sp if hz < min_log_hz else min_log_mel + np.log(hz / min_log_hz) / logstep

  mels = np.linspace(hz_to_mel(0.0), hz_to_mel(SAMPLE_RATE / 2), N_MELS + 2)
  mel_f = np.where(mels >= min_log_mel, min_log_hz * np.exp(logstep * (mels - min_log_mel)),
                   f_sp * mels)
  fft_freqs = np.fft.rfftfreq(FFT_SIZE, 1.0 / SAMPLE_RATE)
  fdiff, ramps = np.diff(mel_f), np.subtract.outer(mel_f, fft_freqs)
  lower, upper = -ramps[:-2] / fdiff[:-1, None], ramps[2:] / fdiff[1:, None]
  weights = np.maximum(0, np.minimum(lower, upper))
  weights *= (2.0 / (mel_f[2:N_MELS + 2] - mel_f[:N_MELS]))[:, None]
  return weights.astype(np.float32)


def load_log_mel(path) -> np.ndarray:
  """Decodes an audio file at 16 kHz mono and returns its (frames, 96) musicnn log-mel.

  Args:
    path: the audio file.

  Returns:
    A float32 (frames, 96) log-mel, one frame per musicnn_input.HOP_LENGTH samples at 16 kHz.
  """
  return log_mel(audio.load_audio(path, SAMPLE_RATE), SAMPLE_RATE)


def patches(features: np.ndarray, patch_frames: int = PATCH_FRAMES,
            hop_frames: int | None = None, flush_end: bool = False) -> np.ndarray:
  """Cuts a (frames, 96) log-mel into (patches, patch_frames, 96) windows.

  The original (`extractor` with its default input_overlap=False) hops by a whole patch, i.e.
  non-overlapping 3 s patches starting at frame 0, and drops the trailing partial patch; that is
  the default here (`hop_frames=None`). A clip shorter than one patch has no patch in the
  original (it crashes); here it is repeated until it fills one, which is how musicnn's training
  padded short clips ('repeat-pad' in the checkpoint's config.json).

  Args:
    features: (frames, bands) log-mel.
    patch_frames: frames per patch; 187 (3 s) is what the network was trained on.
    hop_frames: frames between patch starts; None means `patch_frames` (no overlap).
    flush_end: add one last patch ending at the last frame when the hops leave frames after
      the last patch (the original drops them); jmer's frozen embeddings use it so that the
      end of a clip is described by a patch that hears it (see musicnn_features).

  Returns:
    A (patches, patch_frames, bands) array.
  """
  features = np.asarray(features, dtype=np.float32)
  if features.ndim != 2 or features.shape[0] == 0:
    raise ValueError(f"expected a non-empty (frames, bands) array, got shape {features.shape}")
  if features.shape[0] < patch_frames:
    repeats = -(-patch_frames // features.shape[0])
    features = np.tile(features, (repeats, 1))[:patch_frames]
  starts = patch_starts(features.shape[0], patch_frames, hop_frames, flush_end)
  return np.stack([features[start:start + patch_frames] for start in starts])


def patch_starts(n_frames: int, patch_frames: int = PATCH_FRAMES, hop_frames: int | None = None,
                 flush_end: bool = False) -> np.ndarray:
  """First frames of the patches `patches` cuts from `n_frames` frames (see there).

  Args:
    n_frames: the log-mel's length in frames (16 kHz, hop 256: 62.5 frames per second).
    patch_frames: patch length in frames (187, 3 s).
    hop_frames: frames between patch starts; None means patch_frames (no overlap).
    flush_end: add one patch ending at the last frame if the hops miss it.

  Returns:
    int64 array of start frames.
  """
  hop_frames = patch_frames if hop_frames is None else hop_frames
  if hop_frames < 1:
    raise ValueError(f"hop_frames must be >= 1, got {hop_frames}")
  starts = list(range(0, max(n_frames - patch_frames, 0) + 1, hop_frames))
  if flush_end and starts[-1] + patch_frames < n_frames:
    starts.append(n_frames - patch_frames)
  return np.asarray(starts, np.int64)
