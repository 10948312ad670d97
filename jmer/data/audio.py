"""Decoding any audio file to a mono float32 waveform at the rate the config asks for.

soundfile (libsndfile ≥ 1.1 decodes wav/flac/ogg/mp3; .au too) is tried first because it is
fast and exact; librosa's audioread fallback covers formats a given libsndfile build lacks.
tensorflow-io is deliberately not used: its native audio ops fail to load with TF 2.21.
"""

import pathlib
import warnings

import numpy as np
import soundfile as sf

# A file whose peak stays below this (-80 dBFS) is silent.
SILENCE_PEAK = 1e-4
AUDIO_EXTENSIONS = (".wav", ".flac", ".ogg", ".mp3", ".au", ".aiff", ".aif", ".m4a")


class AudioError(RuntimeError):
  """A file could not be used as audio; the message names the file and the reason."""

  def __init__(self, path, reason: str):
    super().__init__(f"{path}: {reason}")
    self.path = str(path)
    self.reason = reason


def _decode(path: pathlib.Path):
  try:
    data, rate = sf.read(str(path), dtype="float32", always_2d=True)
    return data.mean(axis=1), rate
  except (sf.LibsndfileError, RuntimeError, TypeError) as sf_error:
    import librosa  # slow import: only when libsndfile cannot read the file
    try:
      with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        data, rate = librosa.load(str(path), sr=None, mono=True)
      return data.astype(np.float32), rate
    except Exception as fallback_error:  # audioread raises many unrelated types
      raise AudioError(path, f"cannot decode as audio ({sf_error}; fallback: "
                       f"{type(fallback_error).__name__}: {fallback_error})") from None


def load_audio(path, sample_rate: int, *, reject_silent: bool = False) -> np.ndarray:
  """Returns the file as a mono float32 waveform resampled to `sample_rate`.

  Raises AudioError (naming the file) for a missing, undecodable, empty or non-finite file, and
  for a silent one when `reject_silent` (prediction wants that; training data tolerates it).
  """
  path = pathlib.Path(path)
  if not path.is_file():
    raise AudioError(path, "no such file")
  if path.stat().st_size == 0:
    raise AudioError(path, "file is empty (0 bytes)")
  wave, rate = _decode(path)
  if wave.size == 0:
    raise AudioError(path, "decodes to zero samples")
  if not np.all(np.isfinite(wave)):
    raise AudioError(path, "contains NaN or infinite samples")
  if reject_silent and float(np.max(np.abs(wave))) < SILENCE_PEAK:
    raise AudioError(path, "is silent (peak below -80 dBFS)")
  if rate != sample_rate:
    import librosa
    wave = librosa.resample(wave, orig_sr=rate, target_sr=sample_rate, res_type="soxr_hq")
  return np.ascontiguousarray(wave, dtype=np.float32)
