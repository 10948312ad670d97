"""Audio that libsndfile cannot read (m4a: AAC or ALAC; raw .aac; wma), decoded by FFmpeg via PyAV.

soundfile stays the decoder of wav/flac/ogg (vorbis, opus)/mp3/aiff/au: it is fast, exact, and the length
checks are tuned to what it reports. A file it cannot open comes here. PyAV (`av` on PyPI)
bundles FFmpeg's libraries in its wheels, so no system ffmpeg is needed and nothing downloads
at run time; audioread (librosa's fallback) needs an ffmpeg program on PATH that most machines
lack, which is why an m4a used to fail as "not a recognised audio format".

The file is read front to back in blocks (memory does not grow with its length), converted to
float32 by FFmpeg's own resampler (swresample: it scales integer codecs such as ALAC like
libsndfile does), and checked like a compressed format: refused when it decodes more than
audio.TRUNCATION_TOLERANCE short of the duration its container announces.
"""

import pathlib

import numpy as np

from jmer.data import audio

# What the user is told when FFmpeg finds no container or stream it knows (its own text,
# "Invalid data found when processing input", names no cause), the same as for libsndfile.
UNRECOGNISED = audio.UNRECOGNISED
# The most end padding dropped: codecs pad the last frame (AAC frames are 1024 samples, WMA's
# 2048); a longer excess over the announced length is audio, and is kept.
END_PADDING_MAX = 2048


def ffmpeg_reason(error) -> str:
  """A short reason for a message from a PyAV (FFmpeg) error, without the file name it quotes.

  Args:
    error: an av.FFmpegError.

  Returns:
    The reason, e.g. UNRECOGNISED for data FFmpeg cannot parse.
  """
  import av
  if isinstance(error, av.error.InvalidDataError):
    return UNRECOGNISED
  return getattr(error, "strerror", None) or str(error)


class FfmpegAudio:
  """An audio file opened with FFmpeg, read front to back as float32 (frames, channels) blocks.

  Attributes:
    path: the file.
    sample_rate: its sample rate in Hz (of the first audio stream).
    channels: its channel count.
    announced_frames: frames (samples per channel) its container announces, or None when it
      states no duration.
  """

  def __init__(self, path):
    import av
    self.path = pathlib.Path(path)
    try:
      self._container = av.open(str(path), metadata_errors="ignore")
    except (av.FFmpegError, UnicodeDecodeError) as error:
      raise audio.AudioError(path, f"not a readable audio file: {ffmpeg_reason(error)}") from None
    if not self._container.streams.audio:
      self._container.close()
      raise audio.AudioError(path, "not a readable audio file: it holds no audio stream")
    self._stream = self._container.streams.audio[0]
    self.sample_rate = int(self._stream.rate or 0)
    self.channels = int(self._stream.layout.nb_channels)
    if self.sample_rate <= 0 or self.channels <= 0:
      self._container.close()
      raise audio.AudioError(path, f"not a readable audio file: {UNRECOGNISED}")
    self.announced_frames = self._announced_frames()

  def _announced_frames(self):
    stream = self._stream
    if stream.duration is not None and stream.time_base is not None:
      return int(stream.duration * stream.time_base * self.sample_rate)
    if self._container.duration is not None:  # in microseconds (AV_TIME_BASE)
      return int(self._container.duration * self.sample_rate / 1_000_000)
    return None

  def __enter__(self):
    return self

  def __exit__(self, *exc_info):
    self._container.close()

  def blocks(self, block_frames: int):
    """Yields (samples, last): float32 (frames, channels) arrays of about `block_frames`
    frames, in order; `last` is True for the final one (which may be empty).

    Decoders give whole codec frames, so a file's last frame carries the encoder's padding
    (AAC: up to 1023 samples of near-silence); where the container states the true length
    (an MP4 edit list does), the padding is dropped, as gapless players drop it.

    Raises:
      audio.AudioError naming the file when decoding fails part way (damaged or cut short).
    """
    import av
    resampler = av.AudioResampler(format="fltp", layout=self._stream.layout,
                                  rate=self.sample_rate)
    pending, held, decoded = [], 0, 0
    try:
      for frame in self._container.decode(self._stream):
        for converted in resampler.resample(frame):
          pending.append(converted.to_ndarray().T)
          held, decoded = held + converted.samples, decoded + converted.samples
        if held >= block_frames + END_PADDING_MAX:  # the padding may only be cut from the end
          block = np.concatenate(pending)
          pending, held = [block[-END_PADDING_MAX:]], END_PADDING_MAX
          yield block[:-END_PADDING_MAX], False
      pending += [converted.to_ndarray().T for converted in resampler.resample(None)]
    except av.FFmpegError as error:  # FFmpeg's own words: the cause is somewhere in the data
      raise audio.AudioError(
          self.path, f"decoding failed after {decoded / self.sample_rate:.1f} s (damaged or "
          f"cut short: {error.strerror or error})") from None
    tail = np.concatenate(pending) if pending else np.zeros((0, self.channels), np.float32)
    padding = decoded - (self.announced_frames or decoded)
    yield (tail[:len(tail) - padding] if 0 < padding <= END_PADDING_MAX else tail), True

  def check_length(self, decoded: int):
    """Raises audio.AudioError when `decoded` frames fall short of the announced duration by
    more than audio.TRUNCATION_TOLERANCE (a compressed format's duration is an estimate)."""
    announced = self.announced_frames
    if announced is None:
      return
    seconds, fraction = audio.TRUNCATION_TOLERANCE
    if announced - decoded > max(seconds * self.sample_rate, fraction * announced):
      raise audio.AudioError(
          self.path, f"truncated: the container announces {announced / self.sample_rate:.1f} s "
          f"of audio, the file holds {decoded / self.sample_rate:.1f} s")


def read_whole(path) -> tuple:
  """The whole file as (float32 (frames, channels) samples, sample rate in Hz), checked for
  truncation; for jmer.data.audio.load_audio.

  Args:
    path: the audio file.

  Returns:
    (samples, sample_rate).

  Raises:
    audio.AudioError naming the file when FFmpeg cannot read it or it is truncated.
  """
  with FfmpegAudio(path) as sound:
    parts = [block for block, _ in sound.blocks(1 << 20)]
    samples = np.concatenate(parts)
    sound.check_length(len(samples))
  return samples, sound.sample_rate
