"""Real compressed files that libsndfile cannot read (m4a/AAC, wma), encoded in the test
with the FFmpeg encoders PyAV bundles, so the decoder is tested on what real encoders write."""

import fractions
import pathlib

import numpy as np

# (codec, container) per extension; FFmpeg's native encoders, all in PyAV's wheels.
ENCODERS = {".m4a": ("aac", "ipod"), ".wma": ("wmav2", "asf")}


def write_encoded(path, wave: np.ndarray, rate: int, bit_rate: int = 160_000,
                  faststart: bool = False) -> pathlib.Path:
  """Encodes float samples into `path` with the encoder its extension names (ENCODERS).

  Frames carry their timestamps, so the muxer writes the encoder delay into the file (an MP4
  edit list) as real encoders do, and a decoder can give back the source's alignment.

  Args:
    path: the file to write; its extension picks the codec and container.
    wave: float32 samples in [-1, 1], (samples,) or (samples, channels), 1 or 2 channels.
    rate: the sample rate in Hz.
    bit_rate: the encoder's bit rate in bits per second.
    faststart: for MP4, put the index (moov) before the audio, as streaming sites do.

  Returns:
    The path written.
  """
  import av
  path = pathlib.Path(path)
  codec, container = ENCODERS[path.suffix]
  wave = wave.reshape(len(wave), -1).astype(np.float32)
  options = {"movflags": "+faststart"} if faststart else {}
  with av.open(str(path), "w", format=container, options=options) as out:
    stream = out.add_stream(codec, rate=rate, layout="stereo" if wave.shape[1] == 2 else "mono")
    stream.bit_rate = bit_rate
    for start in range(0, len(wave), 4096):
      frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(wave[start:start + 4096].T),
                                         format="fltp", layout=stream.layout.name)
      frame.sample_rate, frame.pts, frame.time_base = rate, start, fractions.Fraction(1, rate)
      out.mux(stream.encode(frame))
    out.mux(stream.encode(None))
  return path


def source_clip(seconds: float = 12.0) -> tuple:
  """A real song excerpt to encode: the first `seconds` of PMEmo clip 108 (44.1 kHz stereo mp3)
  where ../shared/data exists, else generated music (tests must run in a user's clone).

  Returns:
    (float32 (samples, 2) array, sample rate in Hz).
  """
  import soundfile as sf
  from tests import conftest
  from tests.support import model_files
  real = conftest.SHARED_DATA / "pmemo_samples" / "108.mp3"
  if real.is_file():
    data, rate = sf.read(str(real), frames=int(seconds * 44100), dtype="float32",
                         always_2d=True)
    return data, rate
  return model_files.music_like(seconds, 44100, channels=2), 44100
