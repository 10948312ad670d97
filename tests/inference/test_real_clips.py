"""Prediction and the demo on real clips from ../shared/data, and what counts as truncated.

Real MP3s announce a slightly longer length than they decode to (the count is an estimate);
they must be predicted, while a WAV whose header over-promises and an MP3 cut in half are
still refused. The @slow test decodes every real clip through prediction's checks.
"""

import os
import pathlib
import subprocess
import sys

import numpy as np
import pytest
import soundfile as sf

from jmer.data import audio
from jmer.inference import demo
from jmer.inference import predict
from jmer.models import model_file
from tests.support import model_files

REPO = pathlib.Path(__file__).resolve().parents[2]
PER_LARGE_SET = 10  # clips taken from gtzan_real and 4q_dev (spread over their folders)


@pytest.fixture(scope="module")
def bundle():
  return model_file.load_model_bundle(model_files.tiny_model_file())


def real_clip_sample(data: pathlib.Path) -> list:
  """All of pmemo_samples and gtzan_samples, and every n-th clip of gtzan_real and 4q_dev."""
  clips = []
  for name in ("pmemo_samples", "gtzan_samples", "gtzan_real", "4q_dev"):
    found, _ = predict.expand_inputs([data / name])
    step = max(1, len(found) // PER_LARGE_SET) if name in ("gtzan_real", "4q_dev") else 1
    clips += found[::step]
  return clips


@pytest.mark.slow
def test_every_sampled_real_clip_is_predicted(bundle, shared_data):
  clips = real_clip_sample(shared_data)
  assert len(clips) >= 40
  failures = []
  for path in clips:
    try:
      result = predict.predict_file(bundle, path)
    except audio.AudioError as error:
      failures.append(str(error))
      continue
    assert result["segments"] >= 1 and result["duration_seconds"] > 1.0
  assert not failures, "\n".join(failures)


@pytest.mark.slow
def test_every_real_clip_passes_predictions_decoding_checks(shared_data):
  clips = [clip for name in ("pmemo_samples", "gtzan_samples", "gtzan_real", "4q_dev")
           for clip in predict.expand_inputs([shared_data / name])[0]]
  failures = []
  for path in clips:
    try:
      for _ in predict.decoded_blocks(path, 22050):
        pass
    except audio.AudioError as error:
      failures.append(str(error))
  print(f"{len(clips) - len(failures)} of {len(clips)} real clips decode")
  assert not failures, "\n".join(failures)


@pytest.mark.slow
def test_the_demo_analyses_real_clips(bundle, shared_data):
  for path in sorted((shared_data / "pmemo_samples").glob("*.mp3"))[:2]:
    bars, summary, av_plot, timeline_plot = demo.analyse(bundle, str(path))
    assert "Cannot analyse" not in summary and path.name in summary
    assert bars and av_plot is not None and timeline_plot is not None


@pytest.mark.slow
def test_cli_predicts_real_mp3s_with_exit_zero_and_no_decoder_notes(shared_data):
  clips = sorted((shared_data / "pmemo_samples").glob("*.mp3"))
  done = subprocess.run(
      [sys.executable, "-m", "jmer.predict", f"--model={model_files.tiny_model_file()}",
       "--format=json", *map(str, clips)],
      capture_output=True, text=True, cwd=REPO, timeout=300,
      env=dict(os.environ, PYTHONPATH=str(REPO)))
  assert done.returncode == 0, done.stderr
  assert len(done.stdout.splitlines()) == len(clips)
  assert "truncated" not in done.stderr and "MPEG" not in done.stderr


def _junk_inside(source: pathlib.Path, target: pathlib.Path, junk: int) -> pathlib.Path:
  """An MP3 with `junk` garbage bytes spliced between its frames (a bad download or edit)."""
  data = source.read_bytes()
  middle = len(data) // 2
  noise = np.random.default_rng(0).integers(0, 256, junk, dtype=np.uint8).tobytes()
  target.write_bytes(data[:middle] + noise + data[middle:])
  return target


def test_mpg123_notes_stay_off_stderr_while_other_output_survives(tmp_path, capfd):
  song = model_files.write_audio(tmp_path / "song.mp3", 20.0, 22050, channels=2)
  damaged = _junk_inside(song, tmp_path / "damaged.mp3", junk=300)
  with audio.quiet_decoder():
    os.write(2, b"a line that is not the decoder's\n")
    blocks = list(predict.decoded_blocks(damaged, 22050))
  err = capfd.readouterr().err
  assert sum(map(len, blocks)) > 15 * 22050
  assert "Illegal Audio-MPEG-Header" not in err and "resync" not in err
  assert "a line that is not the decoder's" in err


def test_an_mp3_cut_in_half_is_still_truncated(tmp_path):
  song = model_files.write_audio(tmp_path / "song.mp3", 20.0, 22050)  # VBR: Xing header
  data = song.read_bytes()
  (tmp_path / "cut.mp3").write_bytes(data[:len(data) // 2])
  with pytest.raises(audio.AudioError, match=r"truncated: the header announces 20\.0 s"):
    list(predict.decoded_blocks(tmp_path / "cut.mp3", 22050))


def test_a_wav_short_by_a_tenth_of_a_second_is_still_truncated(tmp_path):
  song = model_files.write_audio(tmp_path / "song.wav", 10.0, 22050, subtype="PCM_16")
  data = song.read_bytes()
  (tmp_path / "short.wav").write_bytes(data[:len(data) - 2 * 2205])  # 0.1 s of int16 frames
  with pytest.raises(audio.AudioError, match="truncated: the header announces 10.0 s"):
    list(predict.decoded_blocks(tmp_path / "short.wav", 22050))


def test_the_tolerance_applies_only_to_estimated_lengths(tmp_path):
  wav = model_files.write_audio(tmp_path / "a.wav", 3.0, 22050)
  mp3 = model_files.write_audio(tmp_path / "a.mp3", 3.0, 22050)
  with sf.SoundFile(str(wav)) as sound:
    assert audio.missing_frames_allowed(sound, sound.frames) == 0
  with sf.SoundFile(str(mp3)) as sound:
    assert audio.missing_frames_allowed(sound, 100 * 22050) == 2 * 22050  # 2 % of 100 s
    assert audio.missing_frames_allowed(sound, 10 * 22050) == 22050  # at least 1 s
