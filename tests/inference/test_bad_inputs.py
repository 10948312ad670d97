"""Bad input, fuzzed: audio files, labels, config keys and demo uploads (issue 15).

Every bad audio file must be skipped with a named reason by `prepare` (the training path),
refused with one `path: reason` line by `python -m jmer.predict`, and shown as a reason in the
demo, while the good files around it are still used. CASES counts the cases per class; the
README's Reliability table quotes these counts (`python -m pytest tests/inference/test_bad_inputs.py -k
case_counts -s` prints them).
"""

import concurrent.futures
import contextlib
import io
import json
import math
import re
import subprocess
import sys
import tracemalloc

import ml_collections
import pytest

from tests.support import bad_audio
from tests.support import model_files
from jmer import config as config_lib
from jmer.data import audio
from jmer.data import prepare
from jmer.data.datasets import folder as folder_ds
from jmer.data.datasets import manifest as manifest_ds
from jmer.inference import demo
from jmer.inference import predict
from jmer.models import model_file

# What each bad file must be refused for (a fragment of the reason).
REASONS = {
    "zero_bytes": "empty (0 bytes)", "truncated_wav": "truncated", "truncated_mp3": "truncated",
    "truncated_flac": "lost sync", "truncated_m4a": "cut short",
    "random_bytes": "not a recognised audio format", "text_named_mp3": "not a recognised audio format", "header_overstates_frames": "truncated",
    "nan_samples": "NaN or infinite", "inf_samples": "NaN or infinite",
    "silent": "silent", "dc_only": "silent", "one_sample": "too short",
}
LABEL_CASES = ("nan_rating", "inf_rating", "out_of_scale_rating", "unknown_quadrant",
               "duplicate_path", "dot_dot_path", "empty_class_folder", "one_class_folder",
               "one_genre_manifest")


def _leaves(config, prefix=""):
  for key, value in config.items():
    if isinstance(value, ml_collections.ConfigDict):
      yield from _leaves(value, f"{prefix}{key}.")
    else:
      yield f"{prefix}{key}", value


def _test_config():
  config = model_files.tiny_config()
  return config


LEAF_KEYS = dict(_leaves(_test_config()))
# Out-of-range values of the keys that are not plain numbers (numbers: config_lib.number_bounds()).
OUT_OF_RANGE = {
    "data.split": "sometimes", "data.mix_weights": "gtzan:-1", "data.dirs": ("nope:x",),
    "data.group_folds_by": "album",
    "data.val_fraction": 0.7, "data.test_fraction": -0.1, "data.folder.task": "mood",
    "data.folder.quadrant_map": ("happy:Q7",), "data.manifest.quadrant_map": ("sad",),
    "data.manifest.av_scale": (9.0, 1.0), "features.names": ("mel", "bogus"),
    "features.n_mfcc": 0, "features.chroma": "fancy", "model.trunk": "resnet",
    "model.rows.trunk": "lstm",
    "model.fusion": "sum", "model.dropout": 1.0, "model.crnn.conv_filters": (),
    "model.crnn.pool_time": (2,), "model.crnn.pool_freq": (0, 2), "model.crnn.rnn": "rnn",
    "model.crnn.batchnorm_momentum": 1.5, "model.transformer.pooling": "max",
    "tasks.emotion": "joy", "tasks.av_loss": "mae", "augment.gain.p": 1.5,
    "augment.shift.p": -0.1, "augment.noise.p": math.nan, "augment.specaugment.p": 2.0,
    "augment.shift.max_fraction": 1.5, "augment.noise.snr_db": (30.0, 10.0),
    "augment.noise.clip_snr_db": (1.0,), "augment.noise.colours": ("blue",),
    "augment.specaugment.max_time_fraction": 1.0, "augment.specaugment.max_freq_fraction": -1.0,
    "eval.fold": 5, "eval.fold_pool": "gtzan", "train.precision": "float16",
    "train.select_on": "best_guess", "train.balance_unit": "album",
    "data.genre_labels.allmusic": "genres",
}
# Keys with no out-of-range value: any value is usable (flags) or checked when used (paths).
FREE_KEYS = {
    "data.source": "checked when the datasets are listed (CLI test below): error naming it",
    "data.root": "a folder; a missing one means no real data (auto) or a named error",
    "data.cache_dir": "any writable folder, created on use (checked writable before work)",
    "data.folder.path": "checked when listed: `no such folder` naming the key",
    "data.manifest.path": "checked when listed: the CSV's path in the error",
    "train.init_from": "checked when training starts: error naming the key",
    **{k: "a flag: both values are valid" for k, v in LEAF_KEYS.items() if isinstance(v, bool)},
}
UNKNOWN_KEYS = ("train.lambda_emotio", "data.sorce", "model.crnn.units")
_WRONG_TYPE = {bool: "maybe", int: "twelve", float: "x1.5", str: 3, tuple: 7}


def _bad_value_cases():
  cases = []
  for key, value in LEAF_KEYS.items():
    if key in config_lib.number_bounds():
      low, high = config_lib.number_bounds()[key]
      cases += [(key, low - 1), (key, high * 2 + 1)]
      if isinstance(value, float):
        cases += [(key, math.nan), (key, math.inf)]
    if key in OUT_OF_RANGE:
      cases.append((key, OUT_OF_RANGE[key]))
  return cases


CASES = {
    "audio files refused (named reason, run goes on)": sorted(bad_audio.BAD_AUDIO),
    "awkward but valid audio (used)": sorted(bad_audio.AWKWARD_AUDIO),
    "folder oddities (symlink loop, dangling link)": ["symlink_loop", "dangling_symlink"],
    "labels": list(LABEL_CASES),
    "config: wrong type": sorted(LEAF_KEYS),
    "config: out of range": [f"{k}={v!r}" for k, v in _bad_value_cases()],
    "config: unknown keys": list(UNKNOWN_KEYS),
    "demo uploads (too big, not audio, concurrent)": ["too_big", "not_audio", "concurrent"],
}


def test_case_counts_cover_every_config_key():
  """Every leaf key has a wrong-type case, and an out-of-range one unless listed as free."""
  ranged = {k for k, _ in _bad_value_cases()}
  assert set(LEAF_KEYS) == ranged | set(FREE_KEYS), set(LEAF_KEYS) ^ (ranged | set(FREE_KEYS))
  print("\n" + "\n".join(f"{name}: {len(cases)}" for name, cases in CASES.items()))


@pytest.fixture(scope="module")
def files(tmp_path_factory):
  """{case: path} of every bad and awkward file, all in one folder, plus two good songs."""
  folder = tmp_path_factory.mktemp("bad audio")
  made = {name: make(folder) for name, make in
          {**bad_audio.BAD_AUDIO, **bad_audio.AWKWARD_AUDIO}.items()}
  made["good_1"] = model_files.write_audio(folder / "good 1.wav", 4.0, 22050, seed=1)
  made["good_2"] = model_files.write_audio(folder / "good_2.flac", 4.0, 44100, seed=2)
  return made


@pytest.fixture(scope="module")
def bundle():
  return model_file.load_model_bundle(model_files.tiny_model_file())


@pytest.mark.parametrize("case", sorted(bad_audio.BAD_AUDIO))
def test_each_bad_file_is_refused_by_name_when_loaded_and_streamed(files, case):
  for load in (lambda p: audio.load_audio(p, 22050),
               lambda p: list(predict.decoded_blocks(p, 22050))):
    with pytest.raises(audio.AudioError, match=re.escape(REASONS[case])) as error:
      load(files[case])
    assert error.value.path == str(files[case])


@pytest.mark.parametrize("case", sorted(bad_audio.AWKWARD_AUDIO))
def test_awkward_but_valid_audio_is_used(files, case):
  wave = audio.load_audio(files[case], 22050)
  assert abs(wave.size - 4 * 22050) <= 1 and 0.05 < abs(wave).max() < 1.0


def test_prepare_skips_every_bad_file_with_its_reason_and_builds_the_rest(files, tmp_path):
  root = tmp_path / "my music"
  for label, names in {"rock": list(REASONS) + ["good_1", "rate_8k", "six_channels"],
                       "jazz": ["good_2", "rate_192k", "wav_named_mp3", "unicode_and_spaces"]
                       }.items():
    (root / label).mkdir(parents=True)
    for name in names:
      (root / label / files[name].name).write_bytes(files[name].read_bytes())
  (root / "pop").mkdir()  # an empty class folder
  bad_audio.symlink_loop(root / "jazz")
  config = _test_config()
  config.data.update(source="folder", cache_dir=str(tmp_path / "cache"), val_fraction=0.0,
                     test_fraction=0.0)
  config.data.folder.path = str(root)
  config.tasks.emotion = "none"
  prep = prepare.prepare(config, progress=False)
  skipped = dict(prep.skipped)
  for case, reason in REASONS.items():
    assert reason in skipped.pop(str(root / "rock" / files[case].name)), case
  assert "symlink loop" in skipped.pop(str(root / "jazz" / "loop"))
  assert "broken symlink" in skipped.pop(str(root / "jazz" / "dangling.wav"))
  assert "empty label folder" in skipped.pop(str(root / "pop"))
  assert not skipped
  assert len(prep.by_split["train"]) == 7  # every good and awkward file, nothing else


def test_predict_cli_names_each_bad_file_and_predicts_the_rest(files, capsys):
  code = predict.main([f"--model={model_files.tiny_model_file()}", "--format=json",
                       *map(str, files.values())])
  out, err = capsys.readouterr()
  assert code == 1
  failed = dict(line.split(": ", 1) for line in err.strip().splitlines())
  assert {k: v for k, v in failed.items()} and len(failed) == len(REASONS)
  for case, reason in REASONS.items():
    assert reason in failed[str(files[case])], case
  predicted = {json.loads(line)["file"] for line in out.strip().splitlines()}
  assert predicted == {str(p) for k, p in files.items() if k not in REASONS}


def test_predict_lists_symlink_loops_and_goes_on(files, tmp_path):
  (tmp_path / "songs").mkdir()
  (tmp_path / "songs" / "a.wav").write_bytes(files["good_1"].read_bytes())
  bad_audio.symlink_loop(tmp_path / "songs")
  found, errors = predict.expand_inputs([tmp_path / "songs"])
  assert found == [tmp_path / "songs" / "a.wav"]
  assert sorted(reason.split(" ")[0] for _, reason in errors) == ["broken", "symlink"]


def test_demo_shows_a_reason_for_bad_and_oversized_uploads(files, bundle):
  for case, reason in REASONS.items():
    bars, summary, *_ = demo.analyse(bundle, str(files[case]))
    assert bars is None and "Cannot analyse" in summary and reason in summary, case
  _, summary, *_ = demo.analyse(bundle, str(files["good_1"]), max_upload_mb=0.01)
  assert "the limit is 0.01 MB" in summary


def test_demo_handles_concurrent_requests(files, bundle):
  paths = [str(files[k]) for k in ("good_1", "silent", "good_2", "good_1")]
  with concurrent.futures.ThreadPoolExecutor(4) as pool:
    summaries = [r[1] for r in pool.map(lambda p: demo.analyse(bundle, p), paths)]
  assert summaries[0] == summaries[3] and "Top genre" in summaries[0]
  assert "silent" in summaries[1] and "Top genre" in summaries[2]


def test_demo_binds_to_localhost_unless_told_otherwise():
  args = demo.build_parser().parse_args(["--model=m.keras"])
  assert args.host == "127.0.0.1" and args.max_upload_mb == demo.MAX_UPLOAD_MB
  assert demo.build_parser().parse_args(["--model=m.keras", "--host=0.0.0.0"]).host == "0.0.0.0"


# Labels ---------------------------------------------------------------------------------------


def _manifest(tmp_path, files, rows, source="manifest"):
  csv = tmp_path / "data" / "labels.csv"
  csv.parent.mkdir(exist_ok=True)
  for name in ("good_1", "good_2"):
    (csv.parent / files[name].name).write_bytes(files[name].read_bytes())
  csv.write_text("path,genre,arousal,valence,quadrant\n" + "\n".join(rows) + "\n")
  config = _test_config()
  config.data.source = source
  config.data.manifest.update(path=str(csv), av_scale=(1.0, 9.0))
  return config


@pytest.mark.parametrize("cell, expected", [
    ("rock,inf,5,", "outside data.manifest.av_scale"),
    ("rock,12,5,", "12 lies outside data.manifest.av_scale"),
    ("rock,,,Q9", "'Q9' is not a quadrant name"),
    ("rock,,,ecstatic", "Add it to config.data.manifest.quadrant_map"),
])
def test_manifest_bad_labels_are_refused_naming_the_line(tmp_path, files, cell, expected):
  config = _manifest(tmp_path, files, [f"good 1.wav,{cell}", "good_2.flac,jazz,5,5,"])
  with pytest.raises(ValueError, match=expected) as error:
    manifest_ds.list_tracks(config)
  assert "labels.csv, line 2" in str(error.value)


def test_manifest_nan_rating_is_a_missing_label(tmp_path, files):
  listing = manifest_ds.list_tracks(_manifest(
      tmp_path, files, ["good 1.wav,rock,NaN,5,", "good_2.flac,jazz,5,5,"]))
  assert [t.has_av for t in listing.tracks] == [False, True]


def test_manifest_skips_duplicates_and_paths_leaving_its_folder(tmp_path, files):
  outside = tmp_path / "outside.wav"
  outside.write_bytes(files["good_1"].read_bytes())
  config = _manifest(tmp_path, files, [
      "good 1.wav,rock,5,5,", "./good 1.wav,rock,5,5,", f"{tmp_path}/data/good 1.wav,rock,5,5,",
      "../outside.wav,rock,5,5,", "good_2.flac,jazz,5,5,"])
  listing = manifest_ds.list_tracks(config)
  assert [t.path.rsplit("/", 1)[1] for t in listing.tracks] == ["good 1.wav", "good_2.flac"]
  reasons = [reason for _, reason in listing.skipped]
  assert sum(r.startswith("duplicate of") for r in reasons) == 2
  assert any("leaves the manifest's folder" in r for r in reasons)


def test_one_class_is_refused_with_what_to_do(tmp_path, files):
  config = _manifest(tmp_path, files, ["good 1.wav,rock,5,5,", "good_2.flac,rock,5,5,"])
  with pytest.raises(ValueError, match="needs at least two genres"):
    manifest_ds.list_tracks(config)
  (tmp_path / "f" / "rock").mkdir(parents=True)
  (tmp_path / "f" / "rock" / "a.wav").write_bytes(files["good_1"].read_bytes())
  config.data.source, config.data.folder.path = "folder", str(tmp_path / "f")
  with pytest.raises(ValueError, match="only one class folder .'rock'. holds audio"):
    folder_ds.list_tracks(config)


# Config ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("key, value", _bad_value_cases())
def test_out_of_range_values_are_refused_naming_the_key(key, value):
  config = _test_config()
  *parents, name = key.split(".")
  node = config
  for part in parents:
    node = node[part]
  node[name] = value
  with pytest.raises(config_lib.ConfigError, match=re.escape(f"config.{key} =")):
    config_lib.validate(config)


@pytest.mark.parametrize("key", sorted(LEAF_KEYS))
def test_wrong_types_are_refused_naming_the_key(key):
  """The CLI's parser refuses text a key's type cannot hold (`error: flag --config.<key>=…`)."""
  from jmer.cli import train as main
  value = _WRONG_TYPE[type(LEAF_KEYS[key])]
  if isinstance(value, str):
    err = io.StringIO()
    with contextlib.redirect_stderr(err), pytest.raises(SystemExit) as exit_:
      main.parse_flags(["jmer", "--config=configs/test.py", f"--config.{key}={value}"])
    assert exit_.value.code == 1
    lines = err.getvalue().strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and f"config.{key}" in lines[0]
  else:  # every CLI value is text: a non-text value reaches a str key only from Python
    config = _test_config()
    *parents, name = key.split(".")
    node = config
    for part in parents:
      node = node[part]
    with pytest.raises(TypeError):
      node[name] = value


@pytest.mark.parametrize("key", UNKNOWN_KEYS)
def test_unknown_keys_are_one_error_line(key):
  from jmer.cli import train as main
  err = io.StringIO()
  with contextlib.redirect_stderr(err), pytest.raises(SystemExit) as exit_:
    main.parse_flags(["jmer", "--config=configs/test.py", f"--config.{key}=1"])
  assert exit_.value.code == 1
  assert err.getvalue().startswith(f"error: --config.{key}: no such config key"), err.getvalue()
  assert len(err.getvalue().strip().splitlines()) == 1


def _run_main(tmp_path, *args):
  workdir = tmp_path / "run"
  result = subprocess.run(
      [sys.executable, "-m", "jmer.main", "--config=configs/test.py", f"--workdir={workdir}",
       f"--config.data.cache_dir={tmp_path / 'cache'}", *args], cwd=model_files.REPO,
      capture_output=True, text=True, timeout=600)
  errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
  return result.returncode, errors, workdir.exists()


@pytest.mark.slow
@pytest.mark.parametrize("args, named", [
    (["--config.train.lambda_emotio=0.5"], "--config.train.lambda_emotio: no such config key"),
    (["--config.train.epochs=abc"], "--config.train.epochs=abc"),
    (["--config.data.source=bogus"], "config.data.source"),
    (["--config.data.source=folder", "--config.data.folder.path=/nonexistent",
      "--config.tasks.emotion=none"], "config.data.folder.path"),
])
def test_cli_prints_one_error_line_and_creates_no_workdir(tmp_path, args, named):
  code, errors, workdir_made = _run_main(tmp_path, *args)
  assert code == 1 and len(errors) == 1 and named in errors[0], errors
  assert not workdir_made


# Long files -----------------------------------------------------------------------------------


@pytest.mark.slow
def test_three_hour_file_is_predicted_in_flat_memory(tmp_path, bundle):
  """3 h at 8 kHz (173 MB of PCM; 950 MB as float32 at 22.05 kHz): peak traced memory stays a
  small fraction of either."""
  path = bad_audio.write_long_wav(tmp_path / "three hours.wav", hours=3.0)
  tracemalloc.start()
  try:
    result = predict.predict_file(bundle, path)
    _, peak = tracemalloc.get_traced_memory()
  finally:
    tracemalloc.stop()
    path.unlink()
  assert result["duration_seconds"] == pytest.approx(3 * 3600, abs=0.01)
  print(f"3 h file: peak traced memory {peak / 1e6:.0f} MB")
  assert peak < 150e6, f"peak {peak / 1e6:.0f} MB"
