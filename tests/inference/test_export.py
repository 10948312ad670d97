"""The self-describing model file: reload anywhere, same predictions, refuse what cannot work."""

import json
import subprocess
import sys
import zipfile

import keras
import numpy as np
import pytest

from jmer.models import model_file
from jmer.inference import export
from jmer.tasks import labels
from jmer.inference import predict
from jmer.data import features
from tests.support import model_files


@pytest.fixture(scope="module")
def model_path():
  return model_files.tiny_model_file()


def _rewrite_metadata(src, dst, change):
  """Copies a model file with its jmer.json passed through `change(meta)`."""
  with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
    for item in zin.namelist():
      data = zin.read(item)
      if item == model_file.METADATA_MEMBER:
        meta = json.loads(data)
        change(meta)
        data = json.dumps(meta)
      zout.writestr(item, data)
  return dst


def test_model_file_carries_feature_settings_and_labels(model_path):
  meta = model_file.read_metadata(model_path)
  config = model_files.tiny_config()
  assert meta["feature_params"] == features.feature_params(config)
  assert meta["genre_names"] == list(labels.GTZAN_GENRES)
  assert meta["output_names"] == ["genre", "emotion"]
  assert meta["segment_frames"] == 129 and meta["sample_rate"] == 22050
  # Still a plain Keras archive: Keras itself loads it (ignoring jmer.json).
  assert keras.saving.load_model(model_path, compile=False).name == "jmer"


@pytest.mark.slow
def test_reloaded_in_a_fresh_process_predicts_the_same(model_path, tmp_path):
  song = model_files.write_audio(tmp_path / "song.wav", 7.5, 44100, channels=2)
  config = model_files.tiny_config()
  original = model_files.build_tiny_model(config)  # same seed → the exported weights
  in_memory = model_file.ModelBundle(original, model_file.model_metadata(config, labels.GTZAN_GENRES),
                                 "in-memory")
  expected = predict.predict_file(in_memory, song, timeline=True)
  out = subprocess.run(
      [sys.executable, "-m", "jmer.predict", f"--model={model_path}", "--format=json",
       "--timeline", str(song)], capture_output=True, text=True, check=True, timeout=240)
  reloaded = json.loads(out.stdout)
  assert reloaded["genre_probabilities"] == pytest.approx(expected["genre_probabilities"],
                                                          abs=1e-4)
  assert (reloaded["arousal"], reloaded["valence"]) == pytest.approx(
      (expected["arousal"], expected["valence"]), abs=1e-4)
  assert [r["genres"][0]["genre"] for r in reloaded["timeline"]] == [
      r["genres"][0]["genre"] for r in expected["timeline"]]


def test_refuses_features_from_another_feature_version(model_path, tmp_path):
  def older(meta):
    meta["feature_params"]["mel"]["version"] = features.FEATURE_VERSION - 1
  bad = _rewrite_metadata(model_path, tmp_path / "old.keras", older)
  with pytest.raises(model_file.ModelFileError, match=r"old\.keras: feature settings do not match"):
    model_file.load_model_bundle(bad)


def test_refuses_settings_that_disagree_with_the_model_inputs(model_path, tmp_path):
  def more_mels(meta):
    meta["feature_params"]["mel"]["n_mels"] = 64
  bad = _rewrite_metadata(model_path, tmp_path / "mels.keras", more_mels)
  with pytest.raises(model_file.ModelFileError, match=r"input 'mel' takes \(129, 32\)"):
    model_file.load_model_bundle(bad)


def test_refuses_settings_other_than_expected(model_path):
  config = model_files.tiny_config()
  config.features.n_fft = 2048
  with pytest.raises(model_file.ModelFileError, match="do not match the expected"):
    model_file.load_model_bundle(model_path, expected_params=features.feature_params(config))


def test_refuses_files_that_are_not_jmer_models(model_path, tmp_path):
  plain = tmp_path / "plain.keras"
  keras.saving.load_model(model_path, compile=False).save(plain)
  with pytest.raises(model_file.ModelFileError, match="without jmer metadata"):
    model_file.load_model_bundle(plain)
  text = tmp_path / "text.keras"
  text.write_text("not a model")
  with pytest.raises(model_file.ModelFileError, match="not a .keras model file"):
    model_file.load_model_bundle(text)


def test_loading_runs_no_code_from_the_file(tmp_path):
  """Safe mode: a Lambda layer (arbitrary Python) in a model file is refused, not run."""
  config = model_files.tiny_config()
  inputs = keras.Input((129, 32), name="mel")
  x = keras.layers.Lambda(lambda t: t * 2.0)(inputs)
  x = keras.layers.GlobalAveragePooling1D()(x)
  model = keras.Model(inputs={"mel": inputs}, outputs={
      "genre": keras.layers.Dense(10, activation="softmax", name="genre")(x),
      "emotion": keras.layers.Dense(2, activation="tanh", name="emotion")(x)})
  path = model_file.export_model(model, config, labels.GTZAN_GENRES, tmp_path / "lambda.keras")
  with pytest.raises(ValueError, match="safe_mode"):
    model_file.load_model_bundle(path)


def _finished_run(model_path, workdir):
  """A run folder as training leaves it, without model.keras: best.keras, config, metrics."""
  (workdir / "checkpoints").mkdir(parents=True)
  keras.saving.load_model(model_path, compile=False).save(workdir / "checkpoints" / "best.keras")
  (workdir / "config.json").write_text(model_files.tiny_config().to_json())
  (workdir / "metrics.json").write_text(json.dumps(
      {"data": {"genre_names": list(labels.GTZAN_GENRES)}}))
  return workdir


def test_exports_an_older_run_from_its_work_dir(model_path, tmp_path):
  """Runs trained before automatic export get model.keras from best.keras + config."""
  workdir = _finished_run(model_path, tmp_path / "run")
  bundle = export.bundle_from_workdir(workdir)
  assert (workdir / "model.keras").is_file()
  assert bundle.genre_names == labels.GTZAN_GENRES
  x = {"mel": np.random.default_rng(0).normal(-40, 20, (2, 129, 32)).astype(np.float32)}
  reference = model_file.load_model_bundle(model_path).model.predict_on_batch(x)
  np.testing.assert_allclose(bundle.model.predict_on_batch(x)["genre"], reference["genre"],
                             atol=1e-6)


def test_a_work_dir_without_a_finished_run_is_named(tmp_path):
  with pytest.raises(model_file.ModelFileError, match="best.keras is missing"):
    export.bundle_from_workdir(tmp_path)


def test_export_refuses_to_overwrite_a_model_file_without_force(model_path, tmp_path, capsys):
  """`jmer export --workdir=run` silently replaced the run's own model.keras (675 KB by 254 KB
  on a real run); now it names the file and the flag, and only --force replaces it."""
  workdir = _finished_run(model_path, tmp_path / "run")
  existing = workdir / "model.keras"
  existing.write_bytes(b"the model the run's metrics were measured with")
  assert export.main([f"--workdir={workdir}"]) == 1
  err = capsys.readouterr().err
  assert err.count("\n") == 1 and str(existing) in err and "--force" in err
  assert existing.read_bytes() == b"the model the run's metrics were measured with"
  assert export.main([f"--workdir={workdir}", "--force"]) == 0
  assert capsys.readouterr().out == f"Wrote {existing}\n"
  assert model_file.load_model_bundle(existing).genre_names == labels.GTZAN_GENRES


@pytest.mark.parametrize("command", ["predict", "demo"])
def test_an_unusable_model_file_is_one_error_line_and_exit_code_2(command, tmp_path, capsys):
  from jmer.inference import demo
  text = tmp_path / "text.keras"
  text.write_text("not a model")
  args = [f"--model={text}"] + (["song.mp3"] if command == "predict" else [])
  assert {"predict": predict.main, "demo": demo.main}[command](args) == 2
  assert capsys.readouterr().err == f"error: {text}: not a .keras model file (not a zip archive)\n"
