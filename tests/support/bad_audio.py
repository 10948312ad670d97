"""Generators of bad (and awkward but valid) audio files for tests/inference/test_bad_inputs.py.

Each case is a function writing one file into a folder and returning its path; BAD_AUDIO holds
the files every stage must refuse with a named reason, AWKWARD_AUDIO the ones that are valid
audio and must be used (predicted, cached) like any other file.
"""

import pathlib
import struct

import numpy as np
import soundfile as sf

from tests.support import encoded_audio
from tests.support import model_files

RATE = 22050


def _good(path, seconds=4.0, rate=RATE, channels=1, **kwargs):
  return model_files.write_audio(path, seconds, rate, channels, **kwargs)


def _cut(path: pathlib.Path, fraction: float) -> pathlib.Path:
  data = path.read_bytes()
  path.write_bytes(data[:int(len(data) * fraction)])
  return path


def zero_bytes(folder):
  path = folder / "zero_bytes.wav"
  path.write_bytes(b"")
  return path


def truncated_wav(folder):
  return _cut(_good(folder / "truncated.wav"), 0.5)


def truncated_mp3(folder):
  return _cut(_good(folder / "truncated.mp3", seconds=12.0, format="MP3"), 0.5)


def truncated_flac(folder):
  return _cut(_good(folder / "truncated.flac", format="FLAC"), 0.5)


def truncated_m4a(folder):
  """A real AAC file (index first, as streaming sites write it) cut in half: FFmpeg's path."""
  wave = model_files.music_like(12.0, 44100, channels=2)
  return _cut(encoded_audio.write_encoded(folder / "truncated.m4a", wave, 44100,
                                          faststart=True), 0.5)


def random_bytes(folder):
  path = folder / "random_bytes.wav"
  path.write_bytes(np.random.default_rng(1).bytes(50_000))
  return path


def text_named_mp3(folder):
  path = folder / "notes.mp3"
  path.write_text("these are my notes, not a song\n" * 200)
  return path


def header_overstates_frames(folder):
  """A complete WAV whose RIFF and data chunk sizes promise 10x the frames it holds."""
  path = _good(folder / "header_overstates.wav", subtype="PCM_16")
  data = bytearray(path.read_bytes())
  at = data.index(b"data")
  size = struct.unpack_from("<I", data, at + 4)[0]
  struct.pack_into("<I", data, at + 4, size * 10)
  struct.pack_into("<I", data, 4, len(data) - 8 + size * 9)
  path.write_bytes(bytes(data))
  return path


def _float_wav(folder, name, value):
  wave = model_files.music_like(4.0, RATE)
  wave[RATE:RATE + 10] = value
  path = folder / name
  sf.write(str(path), wave, RATE, subtype="FLOAT")
  return path


def nan_samples(folder):
  return _float_wav(folder, "nan_samples.wav", np.nan)


def inf_samples(folder):
  return _float_wav(folder, "inf_samples.wav", np.inf)


def silent(folder):
  path = folder / "silent.wav"
  sf.write(str(path), np.zeros(4 * RATE, np.float32), RATE)
  return path


def dc_only(folder):
  path = folder / "dc_only.wav"
  sf.write(str(path), np.full(4 * RATE, 0.5, np.float32), RATE)
  return path


def one_sample(folder):
  path = folder / "one_sample.wav"
  sf.write(str(path), np.array([0.5], np.float32), RATE)
  return path


# Valid audio at the edges of what jmer meets: these must be used, not refused.
def rate_8k(folder):
  return _good(folder / "rate_8k.wav", rate=8000)


def rate_192k(folder):
  return _good(folder / "rate_192k.flac", rate=192_000, format="FLAC")


def six_channels(folder):
  return _good(folder / "six_channels.wav", channels=6, subtype="PCM_16")


def wav_named_mp3(folder):
  """Real WAV bytes behind an .mp3 name: the content decides, not the extension."""
  return _good(folder / "really_a_wav.mp3", format="WAV")


def aac_m4a(folder):
  """AAC in MP4, which libsndfile cannot read: decoded by FFmpeg (PyAV)."""
  return encoded_audio.write_encoded(folder / "aac.m4a", model_files.music_like(4.0, 44100, 2),
                                     44100)


def unicode_and_spaces(folder):
  return _good(folder / "Ünïcödé sóng — 日本語 (live).wav")


BAD_AUDIO = {f.__name__: f for f in (
    zero_bytes, truncated_wav, truncated_mp3, truncated_flac, truncated_m4a, random_bytes,
    text_named_mp3,
    header_overstates_frames, nan_samples, inf_samples, silent, dc_only, one_sample)}
AWKWARD_AUDIO = {f.__name__: f for f in (
    rate_8k, rate_192k, six_channels, wav_named_mp3, aac_m4a, unicode_and_spaces)}


def symlink_loop(folder) -> pathlib.Path:
  """A sub-folder linking back to its parent (and a dangling link): rglob must not recurse."""
  (folder / "loop").symlink_to(folder, target_is_directory=True)
  (folder / "dangling.wav").symlink_to(folder / "does_not_exist.wav")
  return folder / "loop"


def write_long_wav(path, hours: float, rate: int = 8000, chunk_seconds: int = 600):
  """A long mono PCM_16 WAV written chunk by chunk, so the test itself stays small in memory."""
  with sf.SoundFile(str(path), "w", rate, 1, subtype="PCM_16") as sound:
    total, written, seed = int(hours * 3600 * rate), 0, 0
    while written < total:
      n = min(chunk_seconds * rate, total - written)
      sound.write(model_files.music_like(n / rate, rate, seed=seed)[:, 0])
      written, seed = written + n, seed + 1
  return pathlib.Path(path)

