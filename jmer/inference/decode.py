r"""Streamed decoding: an audio file as mono float32 blocks at a sample rate, checked on the way.

Audio is decoded in blocks and resampled block by block (soxr's streaming resampler gives the
same samples as resampling the whole file), so memory does not grow with the file's length.

libsndfile (soundfile) reads wav/flac/ogg/opus/mp3/aiff/au; a format it does not know (m4a:
AAC or ALAC, raw .aac, wma) is read by the FFmpeg PyAV bundles (jmer.data.ffmpeg_audio), in
blocks too.

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
from jmer.data import ffmpeg_audio

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


class _SoundfileAudio:
  """A file libsndfile reads, as (frames, channels) blocks: FfmpegAudio's interface.

  Attributes:
    sample_rate, channels: the file's own sample rate (Hz) and channel count.
  """

  def __init__(self, path: pathlib.Path):
    with audio.quiet_decoder():
      self._sound = _ForwardReader(str(path))
    self.path, self.sample_rate, self.channels = path, self._sound.samplerate, self._sound.channels

  def __enter__(self):
    return self

  def __exit__(self, *exc_info):
    self._sound.close()

  def blocks(self, block_frames: int):
    """Yields (samples, last): (frames, channels) arrays of `block_frames` frames (int16 for
    16-bit PCM, which _mixdown scales), the last one shorter (perhaps empty) and flagged."""
    buffer = np.empty((block_frames, self.channels),
                      np.int16 if self._sound.subtype == "PCM_16" else np.float32)
    read = 0
    while True:
      try:
        with audio.quiet_decoder():
          data = buffer[:self._sound.buffer_read_into(buffer, dtype=buffer.dtype.name)]
      except (sf.LibsndfileError, RuntimeError) as error:
        raise audio.AudioError(self.path, f"decoding failed after {read / self.sample_rate:.1f} "
                               f"s (damaged or cut short: {audio.libsndfile_reason(error)})"
                               ) from None
      read += len(data)
      yield data, len(data) < block_frames
      if len(data) < block_frames:
        return

  def check_length(self, decoded: int):
    """Raises audio.AudioError when the file holds fewer frames than its header announces."""
    audio.check_length(self.path, self._sound, decoded)


def _open(path: pathlib.Path):
  """The file as a _SoundfileAudio, or, for a format libsndfile does not know (m4a/AAC, wma),
  an ffmpeg_audio.FfmpegAudio; AudioError naming the file when neither reads it."""
  try:
    return _SoundfileAudio(path)
  except (sf.LibsndfileError, RuntimeError, TypeError) as error:
    if not audio.libsndfile_unrecognised(error):  # a format it knows, damaged: its reason
      raise audio.AudioError(
          path, f"not a readable audio file: {audio.libsndfile_reason(error)}") from None
  return ffmpeg_audio.FfmpegAudio(path)


def decoded_blocks(path, sample_rate: int, block_seconds: float = BLOCK_SECONDS,
                   source: dict | None = None):
  """Yields the file as mono float32 blocks at `sample_rate`, checking it along the way.

  Args:
    path: the audio file (what libsndfile reads, else what FFmpeg reads).
    sample_rate: the sample rate in Hz of the blocks yielded (resampled if the file differs).
    block_seconds: how much audio, in seconds of the file, is decoded per block.
    source: if given, receives `sample_rate` (the file's own, in Hz) and `channels` before the
      first block.

  Yields:
    1-D float32 arrays of samples in [-1, 1] at `sample_rate`, in order; the last may be
    shorter (or, with resampling, longer) than a full block.

  Raises:
    jmer.data.audio.AudioError naming the file when it is not audio, empty, truncated,
    non-finite or silent.
  """
  import soxr
  path = pathlib.Path(path)
  _check_readable(path)
  with _open(path) as sound:
    if source is not None:
      source.update(sample_rate=sound.sample_rate, channels=sound.channels)
    resampler = None
    if sound.sample_rate != sample_rate:
      resampler = soxr.ResampleStream(sound.sample_rate, sample_rate, 1, dtype="float32",
                                      quality="HQ")  # HQ = load_audio's soxr_hq
    read, low, high = 0, np.inf, -np.inf
    for data, last in sound.blocks(max(1, int(block_seconds * sound.sample_rate))):
      read += len(data)
      wave = _mixdown(data)
      if not np.all(np.isfinite(wave)):
        raise audio.AudioError(path, "contains NaN or infinite samples")
      if len(wave):
        low, high = min(low, float(wave.min())), max(high, float(wave.max()))
      if last:
        if read == 0:
          raise audio.AudioError(path, "decodes to zero samples")
        sound.check_length(read)
        audio.check_content(path, read, sound.sample_rate, low, high)
      yield resampler.resample_chunk(wave, last=last) if resampler else wave
