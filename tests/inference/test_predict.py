"""Predicting on any file: formats, rates, lengths, streaming equal to whole-file, bad files."""

import csv
import io
import json

import numpy as np
import pytest
import soundfile as sf

from jmer.models import model_file
from jmer.inference import export
from jmer.tasks import labels
from jmer.inference import predict
from jmer.inference import output as predict_output
from jmer.inference import streamed_features
from jmer.data import audio
from jmer.data import features
from jmer.data import segments as segments_lib
from tests.support import encoded_audio
from tests.support import model_files


@pytest.fixture(scope="module")
def bundle():
  return model_file.load_model_bundle(model_files.tiny_model_file())


@pytest.fixture(scope="module")
def songs(tmp_path_factory):
  folder = tmp_path_factory.mktemp("songs")
  return dict(
      mp3=model_files.write_audio(folder / "stereo44k.mp3", 8.0, 44100, channels=2),
      wav16k=model_files.write_audio(folder / "mono16k.wav", 7.0, 16000, seed=1),
      long=model_files.write_audio(folder / "long.flac", 40.0, 22050, seed=2),
      short=model_files.write_audio(folder / "short.ogg", 1.2, 48000, channels=2, seed=3))


def _check_result(result, bundle, duration):
  assert [g["genre"] for g in result["genres"]][0] == max(
      result["genre_probabilities"], key=result["genre_probabilities"].get)
  assert {g["genre"] for g in result["genres"]} <= set(bundle.genre_names)
  assert sum(result["genre_probabilities"].values()) == pytest.approx(1.0, abs=1e-3)
  assert -1 <= result["arousal"] <= 1 and -1 <= result["valence"] <= 1
  assert result["quadrant"] == labels.QUADRANTS[
      int(labels.av_quadrant(result["arousal"], result["valence"]))]
  assert result["duration_seconds"] == pytest.approx(duration, abs=0.01)


def test_stereo_44k_mp3_and_mono_16k_wav_are_accepted(bundle, songs):
  mp3 = predict.predict_file(bundle, songs["mp3"])
  _check_result(mp3, bundle, 8.0)
  assert (mp3["source_sample_rate"], mp3["source_channels"]) == (44100, 2)
  wav = predict.predict_file(bundle, songs["wav16k"])
  _check_result(wav, bundle, 7.0)
  assert (wav["source_sample_rate"], wav["source_channels"]) == (16000, 1)


@pytest.mark.parametrize("name", ["mp3", "wav16k", "short"])
def test_block_decoding_equals_whole_file_decoding(songs, name):
  """Streaming must not change a sample (python-soundfile's re-seek broke MP3 blocks)."""
  whole = audio.load_audio(songs[name], 22050)
  blocks = list(predict.decoded_blocks(songs[name], 22050, block_seconds=0.7))
  assert len(blocks) > 1
  np.testing.assert_allclose(np.concatenate(blocks), whole, atol=1e-6)


@pytest.mark.parametrize("names", [("mel",), ("mel", "mfcc", "chroma")])
def test_streamed_features_equal_whole_file_features(songs, names):
  config = model_files.tiny_config()
  config.features.names = names
  config.features.mfcc_deltas = True
  params = features.feature_params(config)
  wave = audio.load_audio(songs["long"], 22050)
  whole = features.compute_features(wave, params)
  blocks = list(predict.feature_blocks(iter(np.array_split(wave, 13)), params, 200))
  for name in names:
    streamed = np.concatenate([b[name] for b in blocks])
    np.testing.assert_allclose(streamed, whole[name], atol=1e-3, err_msg=name)


@pytest.mark.parametrize("n_frames", [50, 129, 130, 258, 259, 300, 1000])
@pytest.mark.parametrize("hop", [129, 60, 200])
def test_streamed_tiling_equals_evaluation_tiling(n_frames, hop):
  track = {"mel": np.arange(n_frames * 2, dtype=np.float32).reshape(n_frames, 2)}
  blocks = [{"mel": track["mel"][i:i + 97]} for i in range(0, n_frames, 97)]
  streamed = list(predict.tiled_segments(iter(blocks), 129, hop))
  starts = segments_lib.eval_starts(n_frames, 129, hop)
  assert [s for s, _ in streamed] == starts
  for (start, segment), expected in zip(streamed, starts):
    np.testing.assert_array_equal(segment["mel"], segments_lib.crop(track, expected, 129)["mel"])


@pytest.mark.parametrize("seconds,starts_seconds", [(30.0, [0.0]), (30.03, [0.0]),
                                                    (60.03, [0.0, 30.0]), (45.0, [0.0, 15.0])])
def test_the_shipped_model_judges_each_stretch_of_a_song_once(seconds, starts_seconds):
  """A 30 s clip is one segment (it was two identical rows 0:00-0:30); a 60.03 s song is 0-30
  and 30-60 s, without a near-copy 30.03-60.03 s counted in the average a third time."""
  from jmer.inference import shipped
  meta = model_file.read_metadata(shipped.shipped_model_path(shipped.DEFAULT_MODEL))
  rate, hop_length, length = meta["sample_rate"], meta["hop_length"], meta["segment_frames"]
  hop = max(1, round(meta["eval_hop_seconds"] * rate / hop_length))
  n_frames = 1 + int(seconds * rate) // hop_length  # the feature grid (features.stft_power)
  track = np.zeros((n_frames, 1), np.float32)
  streamed = list(predict.tiled_segments(iter([{"mel": track}]), length, hop))
  assert [start * hop_length / rate for start, _ in streamed] == pytest.approx(
      starts_seconds, abs=0.02)


def test_prediction_equals_evaluation_of_the_whole_file(bundle, songs):
  """Streaming, batching and averaging give what evaluation gives for the same track."""
  result = predict.predict_file(bundle, songs["long"], timeline=True)
  feats = features.compute_features(audio.load_audio(songs["long"], 22050), bundle.params)
  length = bundle.meta["segment_frames"]
  starts = segments_lib.eval_starts(len(feats["mel"]), length, bundle.hop_frames)
  x = {"mel": np.stack([segments_lib.crop(feats, s, length)["mel"] for s in starts])}
  expected = bundle.model.predict(x, verbose=0)
  assert result["segments"] == len(starts) == len(result["timeline"])
  np.testing.assert_allclose([result["genre_probabilities"][g] for g in bundle.genre_names],
                             expected["genre"].mean(0), atol=2e-4)
  np.testing.assert_allclose([result["arousal"], result["valence"]],
                             expected["emotion"].mean(0), atol=2e-4)


def test_timeline_covers_the_track(bundle, songs):
  result = predict.predict_file(bundle, songs["long"], timeline=True)
  rows = result["timeline"]
  assert rows[0]["start"] == 0.0 and rows[-1]["end"] == pytest.approx(40.0, abs=0.01)
  assert all(b["start"] > a["start"] for a, b in zip(rows, rows[1:]))
  segment = 129 * 512 / 22050  # frames × hop / rate
  assert all(r["end"] - r["start"] == pytest.approx(segment, abs=1e-3) for r in rows[:-1])


def test_a_clip_shorter_than_a_segment_is_padded(bundle, songs):
  result = predict.predict_file(bundle, songs["short"], timeline=True)
  _check_result(result, bundle, 1.2)
  assert result["segments"] == 1
  assert result["timeline"][0]["end"] == pytest.approx(1.2, abs=0.01)


def test_a_real_aac_m4a_is_predicted_like_its_source(bundle, tmp_path, capsys):
  """m4a (AAC) used to fail as "not a recognised audio format"; FFmpeg (PyAV) decodes it to
  the source's length, so it is tiled and predicted like the source."""
  wave, rate = encoded_audio.source_clip(12.0)
  source = tmp_path / "source.wav"
  sf.write(str(source), wave, rate)
  m4a = encoded_audio.write_encoded(tmp_path / "song.m4a", wave, rate)
  result, expected = predict.predict_file(bundle, m4a), predict.predict_file(bundle, source)
  assert (result["source_sample_rate"], result["source_channels"]) == (44100, 2)
  assert result["duration_seconds"] == expected["duration_seconds"] == pytest.approx(12.0)
  assert result["segments"] == expected["segments"]
  corrupt = tmp_path / "corrupt.m4a"
  corrupt.write_bytes(m4a.read_bytes()[:len(m4a.read_bytes()) // 2])  # its index is at the end
  assert predict.main([f"--model={model_files.tiny_model_file()}", "--format=json", str(m4a),
                       str(corrupt)]) == 1
  out, err = capsys.readouterr()
  assert [json.loads(line)["file"] for line in out.splitlines()] == [str(m4a)]
  assert err == (f"{corrupt}: not a readable audio file: not a recognised audio format "
                 "(random bytes, text, or a damaged header)\n")


def test_a_clip_too_short_to_judge_is_flagged_in_every_format(bundle, songs, tmp_path, capsys):
  """A 0.5 s tone got a full, confident answer with no word of doubt."""
  tone = tmp_path / "tone.wav"
  sf.write(str(tone), 0.3 * np.sin(2 * np.pi * 440 * np.arange(11025) / 22050), 22050)
  model = f"--model={model_files.tiny_model_file()}"
  assert predict.main([model, "--format=json", str(tone), str(songs["long"])]) == 0
  short, long = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
  assert short["too_short"] is True and long["too_short"] is False and long["warning"] is None
  assert short["warning"].startswith("too short to judge: 0.5 s of audio, under this model's 3 s")
  assert predict.main([model, "--format=table", str(tone)]) == 0
  assert f"  note      {short['warning']}\n" in capsys.readouterr().out
  assert predict.main([model, "--format=csv", "--timeline", str(tone), str(songs["long"])]) == 0
  rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
  assert [(r["level"], r["warning"]) for r in rows][:2] == [("track", short["warning"]),
                                                           ("segment", "")]
  assert {r["warning"] for r in rows[2:]} == {""}


def test_the_shortest_clip_judged_is_half_a_segment_and_at_least_3_s(bundle):
  from jmer.inference import shipped
  real_music = model_file.read_metadata(shipped.shipped_model_path(shipped.DEFAULT_MODEL))
  assert predict.min_judged_seconds(real_music) == 15.0  # 30 s segments
  assert predict.min_judged_seconds(bundle.meta) == 3.0  # 3 s segments: the floor
  assert predict.length_warning(14.9, real_music)["too_short"]
  assert predict.length_warning(15.0, real_music) == dict(too_short=False, warning=None)


@pytest.fixture(scope="module")
def bad_files(tmp_path_factory, songs):
  folder = tmp_path_factory.mktemp("bad")
  (folder / "notes.wav").write_text("these are not the samples you are looking for\n")
  (folder / "empty.mp3").write_bytes(b"")
  model_files.write_audio(folder / "whole.wav", 6.0, 22050)
  data = (folder / "whole.wav").read_bytes()
  (folder / "truncated.wav").write_bytes(data[:len(data) // 3])
  (folder / "whole.wav").unlink()
  sf.write(str(folder / "silent.flac"), np.zeros(22050 * 4, np.float32), 22050)
  return {"not audio": folder / "notes.wav", "empty": folder / "empty.mp3",
          "truncated": folder / "truncated.wav", "silent": folder / "silent.flac"}


@pytest.mark.parametrize("kind,reason", [
    ("not audio", "not a readable audio file"), ("empty", "file is empty"),
    ("truncated", "truncated: the header announces 6.0 s of audio, the file holds 2.0 s"),
    ("silent", "is silent")])
def test_each_bad_file_class_is_refused_with_its_reason(bundle, bad_files, kind, reason):
  with pytest.raises(audio.AudioError, match=reason) as error:
    predict.predict_file(bundle, bad_files[kind])
  assert str(error.value).startswith(f"{bad_files[kind]}: ")


def test_cli_reports_bad_files_on_one_line_and_predicts_the_rest(bad_files, songs, capsys):
  model = model_files.tiny_model_file()
  args = [f"--model={model}", "--format=json", str(bad_files["not audio"]), str(songs["mp3"]),
          str(bad_files["empty"]), str(bad_files["truncated"]), str(bad_files["silent"]),
          str(songs["wav16k"]), str(bad_files["empty"].parent / "missing.ogg")]
  assert predict.main(args) == 1
  out, err = capsys.readouterr()
  printed = [json.loads(line)["file"] for line in out.splitlines()]
  assert printed == [str(songs["mp3"]), str(songs["wav16k"])]
  lines = err.strip().splitlines()
  assert len(lines) == 5
  for line, path in zip(lines, [bad_files["not audio"], bad_files["empty"],
                                bad_files["truncated"], bad_files["silent"]]):
    assert line.startswith(f"{path}: ")
  assert lines[-1] == f"{bad_files['empty'].parent / 'missing.ogg'}: no such file"


def test_cli_takes_folders_and_exits_zero_when_all_succeed(songs, capsys, tmp_path):
  model = model_files.tiny_model_file()
  assert predict.main([f"--model={model}", "--format=csv", str(songs["mp3"].parent)]) == 0
  rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
  assert sorted(r["file"] for r in rows) == sorted(str(p) for p in songs.values())
  assert predict.main([f"--model={model}", str(tmp_path)]) == 1
  assert "folder holds no audio files" in capsys.readouterr().err


def test_output_formats_show_the_same_prediction(bundle, songs):
  result = predict.predict_file(bundle, songs["long"], timeline=True)
  top = result["genres"][0]
  table = predict_output.format_table(result)
  assert f"{top['genre']} {top['probability']:.2f}" in table
  assert table.count("\n") == 3 + 1 + len(result["timeline"]) + 1 - 1
  stream = io.StringIO()
  predict_output.make_writer("csv", stream, timeline=True)(result)
  rows = list(csv.DictReader(io.StringIO(stream.getvalue())))
  assert [r["level"] for r in rows] == ["track"] + ["segment"] * len(result["timeline"])
  assert rows[0]["genre_1"] == top["genre"] and float(rows[0]["arousal"]) == result["arousal"]


def test_a_quadrant_head_names_the_quadrant(tmp_path):
  quadrant_bundle = model_file.load_model_bundle(model_files.tiny_model_file("both"))
  song = model_files.write_audio(tmp_path / "song.wav", 4.0, 22050)
  result = predict.predict_file(quadrant_bundle, song)
  assert result["quadrant_source"] == "quadrant head"
  assert result["quadrant"] in labels.QUADRANTS and 0 < result["quadrant_probability"] <= 1


def test_csv_and_timeline_columns_follow_the_models_heads(tmp_path, capsys):
  # Issue 32: no always-empty columns. A genre + quadrant model (the shipped model's heads)
  # has no genre_tags column; arousal/valence stay, filled by the quadrant head's estimate. A
  # model without a frozen MSD-musicnn branch has no musicnn tags: no tags column.
  model = model_files.tiny_model_file("quadrant")
  song = model_files.write_audio(tmp_path / "song.wav", 8.0, 22050)
  assert predict.main([f"--model={model}", "--format=csv", "--timeline", str(song)]) == 0
  rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
  assert list(rows[0]) == ["file", "level", "start", "end", "genre_1", "probability_1",
                           "genre_2", "probability_2", "genre_3", "probability_3", "arousal",
                           "valence", "quadrant", "warning"]
  assert all(r["arousal"] and r["valence"] and r["quadrant"] for r in rows)
  assert predict.main([f"--model={model}", "--format=table", "--timeline", str(song)]) == 0
  table = capsys.readouterr().out.splitlines()
  header = next(line for line in table if line.split()[:2] == ["start", "end"])
  assert header.split() == ["start", "end", "genre", "prob", "arousal", "valence", "quadrant"]


def test_tags_column_only_for_models_with_musicnn_tags():
  result = dict(file="a.wav", duration_seconds=30.0, genres=[], tags=[
      dict(tag="rock", probability=0.5), dict(tag="guitar", probability=0.25)])
  for tags, expected in ((True, "rock:0.5;guitar:0.25"), (False, None)):
    stream = io.StringIO()
    predict_output.make_writer("csv", stream, output_names=("genre",), tags=tags)(result)
    row = next(csv.DictReader(io.StringIO(stream.getvalue())))
    assert row.get("tags") == expected


def test_the_shipped_models_timeline_steps_a_patch_and_looks_at_three():
  """Issue 32: the timeline was the shipped model's 30 s tiles (one row for a preview); it is
  now a ~9 s window (three 2.99 s musicnn patches) every patch."""
  from jmer.inference import shipped
  meta = model_file.read_metadata(shipped.shipped_model_path(shipped.DEFAULT_MODEL))
  window, step = streamed_features.timeline_frames(meta)
  seconds = meta["hop_length"] / meta["sample_rate"]
  assert (window, step) == (3 * 187, 187)
  assert window * seconds == pytest.approx(8.976) and step * seconds == pytest.approx(2.992)


def test_a_timeline_window_is_its_frames_repeated_to_a_segment():
  track = np.arange(40, dtype=np.float32)[:, None] * np.ones((1, 2), np.float32)
  windows = list(streamed_features.timeline_windows(iter([{"mel": track}]), 12, 5, 5))
  # 0-5, 5-10, ..., 35-40: the last ends with the stream, so no extra flush window.
  assert [(s, n) for s, n, _ in windows] == [(s, 5) for s in range(0, 40, 5)]
  for start, _, x in windows:
    assert x["mel"].shape == (12, 2)
    np.testing.assert_array_equal(x["mel"][:, 0], start + np.arange(12) % 5)


def test_a_stream_shorter_than_a_window_is_padded_once_as_evaluation_pads():
  track = np.ones((3, 2), np.float32)
  (start, frames, x), = streamed_features.timeline_windows(iter([{"chroma": track}]), 12, 5, 5)
  assert (start, frames) == (0, 3)
  np.testing.assert_array_equal(x["chroma"], features.pad_frames("chroma", track, 12))


def test_segments_and_windows_come_from_one_reading_in_order():
  track = np.arange(100, dtype=np.float32)[:, None]
  blocks = [{"mel": track[i:i + 7]} for i in range(0, 100, 7)]
  items = list(streamed_features.segments_and_windows(iter(blocks), 30, 30, 10, 5))
  segments = [(s, x["mel"]) for kind, s, _, x in items if kind == "segment"]
  expected = list(predict.tiled_segments(iter([{"mel": track}]), 30, 30))
  assert [s for s, _ in segments] == [s for s, _ in expected] == [0, 30, 60, 70]
  for (_, got), (_, want) in zip(segments, expected):
    np.testing.assert_array_equal(got, want["mel"])
  windows = [s for kind, s, _, _ in items if kind == "window"]
  assert windows == list(range(0, 91, 5))
  assert [s for _, s, _, _ in items] == sorted(s for _, s, _, _ in items)


def test_the_timeline_leaves_the_files_verdict_as_it_was(bundle, songs):
  plain = predict.predict_file(bundle, songs["long"])
  with_timeline = predict.predict_file(bundle, songs["long"], timeline=True)
  assert with_timeline["segments"] == plain["segments"]
  for genre, p in plain["genre_probabilities"].items():
    assert with_timeline["genre_probabilities"][genre] == pytest.approx(p, abs=1e-6)
