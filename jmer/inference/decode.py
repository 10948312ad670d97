r"""Streamed decoding: an audio file as mono float32 blocks at a sample rate, checked on the way.

Audio is decoded in blocks and resampled block by block (soxr's streaming resampler gives the
same samples as resampling the whole file), so memory does not grow with the file's length.

A file whose header announces more audio than it holds (truncated) fails rather than being
judged on an unknown fraction of the song. Formats whose
header states the exact sample count (WAV, AIFF, AU, FLAC, ...) must hold every sample. An
MP3's count is an estimate (file size / bitrate without a Xing header, encoder delay and
padding, tags) that real, intact MP3s miss by a fraction of a second. So compressed formats
count as truncated only when the gap exceeds audio.TRUNCATION_TOLERANCE (max 1 s, 2 %): well
above that estimate error, far less than a cut-off download loses. (The measurement behind the
tolerance: CHANGELOG, "Real MP3 lengths".)
"""

import pathlib

import numpy as np
import soundfile as sf

from jmer.data import audio

BLOCK_SECONDS = 30.0  # decoded and featurised at a time: bounds memory, amortises overhead


def _check_readable(path: pathlib.Path):
  if not path.is_file():
    raise audio.AudioError(path, "no such file")
  if path.stat().st_size == 0:
    raise audio.AudioError(path, "file is empty (0 bytes)")


def _mixdown(data: np.ndarray) -> np.ndarray:
  """The channel mean as float32 in [-1, 1], as load_audio takes it, summed column by column:
  faster than data.mean(axis=1) and bit-identical for mono and stereo. int16 input (read raw
  because libsndfile's own int→float conversion is slower than decoding) is scaled like
  libsndfile scales it (1 / 32768), which is exact in float32."""
  wave = data[:, 0].astype(np.float32)
  for channel in range(1, data.shape[1]):
    wave += data[:, channel]
  scale = (1 / 32768 if data.dtype == np.int16 else 1.0) / data.shape[1]
  return wave * np.float32(scale) if scale != 1.0 else wave


class _ForwardReader(sf.SoundFile):
  """A SoundFile read front to back, and so not seekable: python-soundfile re-seeks a seekable
  file after each read, and libsndfile's MP3 decoder restarts on any seek, losing its bit
  reservoir (each block would begin with ~10 MPEG frames of silence and glitches)."""

  def seekable(self) -> bool:
    return False


def _read_into(sound: sf.SoundFile, out: np.ndarray) -> int:
  """Reads up to len(out) frames into `out` (frames, channels); returns how many were read."""
  with audio.quiet_decoder():
    return sound.buffer_read_into(out, dtype=out.dtype.name)


def decoded_blocks(path, sample_rate: int, block_seconds: float = BLOCK_SECONDS,
                   source: dict | None = None):
  """Yields the file as mono float32 blocks at `sample_rate`, checking it along the way.

  Files libsndfile cannot open go through jmer.data.audio.load_audio and come as one block.

  Args:
    path: the audio file.
    sample_rate: the sample rate in Hz of the blocks yielded (resampled if the file differs).
    block_seconds: how much audio, in seconds of the file, is decoded per block.
    source: if given, receives `sample_rate` (the file's own, in Hz, or None) and
      `channels` (or None) before the first block.

  Yields:
    1-D float32 arrays of samples in [-1, 1] at `sample_rate`, in order; the last may be
    shorter (or, with resampling, longer) than a full block.

  Raises:
    jmer.data.audio.AudioError naming the file when it is not audio, empty, truncated,
    non-finite or silent.
  """
  import soxr
  path = pathlib.Path(path)
  source = {} if source is None else source
  _check_readable(path)
  try:
    with audio.quiet_decoder():
      sound = _ForwardReader(str(path))
  except (sf.LibsndfileError, RuntimeError, TypeError) as error:
    source.update(sample_rate=None, channels=None)
    try:  # formats this libsndfile lacks (e.g. m4a) may still decode via librosa
      wave = audio.load_audio(path, sample_rate, reject_silent=True)
    except audio.AudioError as fallback_error:
      if not fallback_error.reason.startswith("cannot decode"):
        raise
      raise audio.AudioError(
          path, f"not a readable audio file: {audio.libsndfile_reason(error)}") from None
    yield wave
    return
  source.update(sample_rate=sound.samplerate, channels=sound.channels)
  with sound:
    resampler = None
    if sound.samplerate != sample_rate:
      resampler = soxr.ResampleStream(sound.samplerate, sample_rate, 1, dtype="float32",
                                      quality="HQ")  # HQ = load_audio's soxr_hq
    read, low, high, block = 0, np.inf, -np.inf, max(1, int(block_seconds * sound.samplerate))
    buffer = np.empty((block, sound.channels),
                      np.int16 if sound.subtype == "PCM_16" else np.float32)
    while True:
      try:
        data = buffer[:_read_into(sound, buffer)]
      except (sf.LibsndfileError, RuntimeError) as error:
        raise audio.AudioError(path, f"decoding failed after {read / sound.samplerate:.1f} s "
                               f"(damaged or cut short: {audio.libsndfile_reason(error)})"
                               ) from None
      last = len(data) < block
      read += len(data)
      wave = _mixdown(data)
      if not np.all(np.isfinite(wave)):
        raise audio.AudioError(path, "contains NaN or infinite samples")
      if len(wave):
        low, high = min(low, float(wave.min())), max(high, float(wave.max()))
      if last:
        if read == 0:
          raise audio.AudioError(path, "decodes to zero samples")
        audio.check_length(path, sound, read)
        audio.check_content(path, read, sound.samplerate, low, high)
      yield resampler.resample_chunk(wave, last=last) if resampler else wave
      if last:
        return
