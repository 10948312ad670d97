"""Decoding any audio file to a mono float32 waveform at the rate the config asks for.

soundfile (libsndfile ≥ 1.1 decodes wav/flac/ogg/mp3; .au too) is tried first because it is
fast and exact; FFmpeg, bundled by PyAV (jmer.data.ffmpeg_audio), reads what libsndfile cannot:
m4a (AAC, ALAC), raw .aac, wma and the other formats FFmpeg knows.
tensorflow-io is deliberately not used: its native audio ops fail to load with TF 2.21.
"""

import contextlib
import os
import pathlib
import re
import tempfile
import threading

import numpy as np
import soundfile as sf

# A file whose samples stay within this of their mean (-80 dBFS) is silent: zeros, or a
# constant DC offset (what a broken recorder or a stuck converter writes), carry no music.
SILENCE_PEAK = 1e-4
SILENT_REASON = "is silent or DC-only (its samples vary by less than -80 dBFS)"
UNRECOGNISED = "not a recognised audio format (random bytes, text, or a damaged header)"
# Shorter than one 2048-point FFT window at 22.05 kHz, a file yields no full feature frame.
MIN_SECONDS = 0.1
# Files a folder search picks up. libsndfile reads the first seven and .opus (Ogg Opus),
# FFmpeg (PyAV) .m4a, .aac and .wma.
AUDIO_EXTENSIONS = (".wav", ".flac", ".ogg", ".mp3", ".au", ".aiff", ".aif",
                    ".m4a", ".aac", ".opus", ".wma")
# libsndfile major formats whose header holds the exact frame count (see the docstring).
EXACT_LENGTH_FORMATS = frozenset(
    {"WAV", "WAVEX", "RF64", "W64", "AIFF", "AU", "CAF", "FLAC", "NIST", "IRCAM", "VOC"})
TRUNCATION_TOLERANCE = (1.0, 0.02)  # (seconds, fraction) an estimated length may overshoot


# libmpg123 (inside libsndfile) writes notes such as "Note: Illegal Audio-MPEG-Header 0x...
# at offset N." / "Note: Trying to resync..." straight to the C stderr while it skips junk
# between MPEG frames. They are noise to a user; a real decoding failure raises instead.
_DECODER_CHATTER = re.compile(rb"^(Note: |Warning: |\[src/libmpg123/)")
_quiet_lock = threading.Lock()
_quiet_state = {"depth": 0, "saved_fd": None, "capture": None}


@contextlib.contextmanager
def quiet_decoder():
  """Keeps the C decoder's stderr chatter (libmpg123 notes) off the user's terminal.

  Python cannot silence a C library's writes, so file descriptor 2 is pointed at a temporary
  file while decoding; afterwards every line that is not decoder chatter is written back to
  the real stderr, so nothing else printed meanwhile is lost. Re-entrant and thread-safe: the
  first caller in redirects, the last caller out restores (prediction decodes in a thread).

  Yields:
    None; while inside, file descriptor 2 goes to a temporary file.
  """
  with _quiet_lock:
    if _quiet_state["depth"] == 0:
      try:
        capture = tempfile.TemporaryFile()
        saved_fd = os.dup(2)
        os.dup2(capture.fileno(), 2)
      except OSError:  # no fd 2 to redirect: nothing reaches a terminal anyway
        capture, saved_fd = None, None
      _quiet_state.update(saved_fd=saved_fd, capture=capture)
    _quiet_state["depth"] += 1
  try:
    yield
  finally:
    with _quiet_lock:
      _quiet_state["depth"] -= 1
      if _quiet_state["depth"] == 0 and _quiet_state["saved_fd"] is not None:
        capture, saved_fd = _quiet_state["capture"], _quiet_state["saved_fd"]
        os.dup2(saved_fd, 2)
        os.close(saved_fd)
        capture.seek(0)
        kept = b"".join(line for line in capture if not _DECODER_CHATTER.match(line))
        capture.close()
        if kept:
          os.write(2, kept)
        _quiet_state.update(saved_fd=None, capture=None)


class AudioError(RuntimeError):
  """A file could not be used as audio; the message names the file and the reason."""

  def __init__(self, path, reason: str):
    super().__init__(f"{path}: {reason}")
    self.path = str(path)
    self.reason = reason


def libsndfile_reason(error) -> str:
  """What a libsndfile error means for a file known to exist.

  libsndfile ≥ 1.1 reports an unrecognised format as "File does not exist or is not a regular
  file (possibly a pipe?)", which sends a user looking for a missing file that is right there.

  Args:
    error: the soundfile.LibsndfileError (or its text).

  Returns:
    A short reason for a message, naming what is wrong with the file.
  """
  if libsndfile_unrecognised(error):
    return UNRECOGNISED
  return (getattr(error, "error_string", None) or str(error)).replace("Error : ", "")


def libsndfile_unrecognised(error) -> bool:
  """Whether libsndfile failed because it does not know the file's format (then FFmpeg may);
  False when it knew the format and found the file damaged (its reason is the one to give).

  Args:
    error: the soundfile.LibsndfileError (or its text).

  Returns:
    True for "Format not recognised" and libsndfile ≥ 1.1's misleading "File does not exist or
    is not a regular file" for a file that exists.
  """
  reason = getattr(error, "error_string", None) or str(error)
  return "does not exist or is not a regular file" in reason or "Format not recognised" in reason


def _decode(path: pathlib.Path):
  try:
    with quiet_decoder(), sf.SoundFile(str(path)) as sound:
      data = sound.read(dtype="float32", always_2d=True)
      truncated = _truncation(path, sound, len(data))
  except (sf.LibsndfileError, RuntimeError, TypeError) as sf_error:
    if libsndfile_unrecognised(sf_error):
      return _decode_fallback(path)
    raise AudioError(path, f"cannot decode as audio: {libsndfile_reason(sf_error)}") from None
  if truncated:  # raised here, not inside the try: the fallback would decode what is left
    raise truncated
  return data.mean(axis=1), sound.samplerate


def _decode_fallback(path: pathlib.Path):
  """FFmpeg (PyAV, jmer.data.ffmpeg_audio) for the formats libsndfile does not know: m4a/AAC,
  wma, ... A format it knows but finds damaged keeps libsndfile's reason (see _decode)."""
  from jmer.data import ffmpeg_audio  # imports this module: only when libsndfile fails
  try:
    samples, rate = ffmpeg_audio.read_whole(path)
  except AudioError as error:
    if not error.reason.startswith("not a readable audio file"):
      raise  # FFmpeg knows the format: truncated or damaged, said as such
    raise AudioError(path, f"cannot decode as audio: {UNRECOGNISED}") from None
  return samples.mean(axis=1), rate


def announced_frames(sound: sf.SoundFile) -> int:
  """Frames the header promises; libsndfile logs '(should be N)' when it shortened a chunk.

  Args:
    sound: the open soundfile.SoundFile.

  Returns:
    The number of frames (samples per channel) the header announces.
  """
  announced = sound.frames
  match = re.search(r"^data\s*:\s*(\d+) \(should be (\d+)\)", sound.extra_info, re.M)
  if match:  # data chunk size in bytes, as written vs. as present
    announced = max(announced, sound.frames * int(match[1]) // max(int(match[2]), 1))
  return announced


def missing_frames_allowed(sound: sf.SoundFile, announced: int) -> int:
  """How many announced frames may be absent before the file counts as truncated.

  Args:
    sound: the open soundfile.SoundFile.
    announced: the frames its header announces (announced_frames).

  Returns:
    The number of frames (samples per channel) that may be missing; 0 for exact formats.
  """
  if sound.format in EXACT_LENGTH_FORMATS:
    return 0
  seconds, fraction = TRUNCATION_TOLERANCE
  return int(max(seconds * sound.samplerate, fraction * announced))


def check_length(path, sound: sf.SoundFile, decoded: int):
  """Raises AudioError when `decoded` frames fall short of what the header announces."""
  if (error := _truncation(path, sound, decoded)) is not None:
    raise error


def _truncation(path, sound: sf.SoundFile, decoded: int):
  announced = announced_frames(sound)
  if announced - decoded > missing_frames_allowed(sound, announced):
    return AudioError(path, f"truncated: the header announces {announced / sound.samplerate:.1f} s "
                     f"of audio, the file holds {decoded / sound.samplerate:.1f} s")
  return None


def check_content(path, samples: int, rate: int, low: float, high: float,
                  reject_silent: bool = True):
  """Raises AudioError when a decoded file is too short or (if asked) silent; `low` and `high`
  are its extreme samples, so a stream can check without holding the whole file."""
  if samples / rate < MIN_SECONDS:
    raise AudioError(path, f"too short: {samples} sample(s) ({samples / rate:.3f} s); at least "
                     f"{MIN_SECONDS} s is needed for one feature frame")
  if reject_silent and high - low < 2 * SILENCE_PEAK:
    raise AudioError(path, SILENT_REASON)


def load_audio(path, sample_rate: int, *, reject_silent: bool = True) -> np.ndarray:
  """Decodes an audio file to a mono waveform at `sample_rate`.

  Args:
    path: the audio file (any format libsndfile or FFmpeg reads).
    sample_rate: the output rate in Hz; the file is resampled (soxr) if its own differs.
    reject_silent: refuse a silent or DC-only file.

  Returns:
    float32 samples in [-1, 1], shape (samples,).

  Raises:
    AudioError (naming the file) for a missing, undecodable, empty, truncated, non-finite,
  too short (< MIN_SECONDS) or, unless `reject_silent` is False, silent or DC-only file: a
  silent file labelled as a genre would teach the model that silence is that genre.
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
  check_content(path, wave.size, rate, float(wave.min()), float(wave.max()), reject_silent)
  if rate != sample_rate:
    import librosa
    wave = librosa.resample(wave, orig_sr=rate, target_sr=sample_rate, res_type="soxr_hq")
  return np.ascontiguousarray(wave, dtype=np.float32)


def walk_files(root) -> tuple:
  """(sorted files below `root`, [(path, reason)] for links that lead nowhere or in a loop).

  Symlinked folders are followed (a label folder may live on another drive), each real folder
  once: a link back to a folder already being walked is reported, not followed forever.

  Args:
    root: the folder to walk.

  Returns:
    (files, problems): a sorted list of file Paths, and [(path, reason)].
  """
  files, skipped, seen = [], [], set()
  for folder, subfolders, names in os.walk(root, followlinks=True):
    info = os.stat(folder)
    if (info.st_dev, info.st_ino) in seen:  # reached again through a symlink
      subfolders[:] = []
      skipped.append((folder, f"symlink loop (or a second link) to {os.path.realpath(folder)}, "
                              "which is already listed: not followed again"))
      continue
    seen.add((info.st_dev, info.st_ino))
    for name in names:
      path = pathlib.Path(folder, name)
      if path.is_file():
        files.append(path)
      elif path.is_symlink():
        skipped.append((str(path), f"broken symlink (to {os.readlink(path)})"))
  return sorted(files), skipped
