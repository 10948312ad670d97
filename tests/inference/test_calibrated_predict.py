"""A model file with temperatures in its metadata predicts softmax(log p / T) in every output
(JSON, table, CSV, timeline, the Python API, the demo) and says so; without them, as before."""

import csv
import io
import json
import shutil
import zipfile

import numpy as np
import pytest

from jmer.inference import api
from jmer.inference import demo
from jmer.inference import predict
from jmer.models import model_file
from tests.support import model_files

TEMPERATURES = {"genre": 2.0, "quadrant": 0.5}


def _softmax_of_log(probs: dict, t: float) -> dict:
  """softmax(log p / T), by hand: p^(1/T) / Σ p^(1/T)."""
  powered = {k: p ** (1 / t) for k, p in probs.items()}
  return {k: v / sum(powered.values()) for k, v in powered.items()}


@pytest.fixture(scope="module")
def model_paths(tmp_path_factory):
  """(the tiny genre + quadrant model, a copy of it with TEMPERATURES in its metadata)."""
  plain = model_files.tiny_model_file("quadrant")
  calibrated = tmp_path_factory.mktemp("calibrated") / "model.keras"
  shutil.copyfile(plain, calibrated)
  model_file.update_metadata(calibrated, {"calibration": dict(
      method="temperature scaling", temperatures=TEMPERATURES, fitted_on="a test")})
  return plain, calibrated


@pytest.fixture(scope="module")
def song(tmp_path_factory):
  return model_files.write_audio(tmp_path_factory.mktemp("song") / "song.wav", 8.0, 22050)


def test_update_metadata_keeps_every_other_member_byte_for_byte(model_paths):
  plain, calibrated = model_paths
  with zipfile.ZipFile(plain) as a, zipfile.ZipFile(calibrated) as b:
    assert a.namelist() == b.namelist()
    for name in a.namelist():
      if name != model_file.METADATA_MEMBER:
        assert a.read(name) == b.read(name), name
  meta = model_file.read_metadata(calibrated)
  assert meta["calibration"]["temperatures"] == TEMPERATURES
  assert {k: v for k, v in meta.items() if k != "calibration"} == model_file.read_metadata(plain)
  with pytest.raises(ValueError, match="may not replace"):
    model_file.update_metadata(calibrated, {"class_names": {}})


def test_calibrated_probabilities_are_the_temperature_scaled_ones(model_paths, song):
  plain, calibrated = (model_file.load_model_bundle(p) for p in model_paths)
  assert plain.temperatures == {} and calibrated.temperatures == TEMPERATURES
  before = predict.predict_file(plain, song, timeline=True, top_k=10)
  after = predict.predict_file(calibrated, song, timeline=True, top_k=10)
  assert "calibrated" not in before and "temperatures" not in before  # as before calibration
  assert after["calibrated"] is True and after["temperatures"] == TEMPERATURES
  for head, field in (("genre", "genre_probabilities"), ("quadrant", "quadrant_probabilities")):
    expected = _softmax_of_log(before[field], TEMPERATURES[head])
    assert after[field] == pytest.approx(expected, abs=5e-4), head
  # The quadrant head sharpened (T < 1) and the genre head softened (T > 1); ranks kept.
  assert after["quadrant_probability"] >= before["quadrant_probability"]
  assert after["genres"][0]["probability"] <= before["genres"][0]["probability"]
  assert [g["genre"] for g in after["genres"]] == [g["genre"] for g in before["genres"]]
  q = after["quadrant_probabilities"]  # the AV estimate reads the calibrated probabilities
  assert after["arousal"] == pytest.approx(q["Q1_happy"] + q["Q2_angry"] - q["Q3_sad"]
                                           - q["Q4_calm"], abs=1e-3)
  for row_before, row_after in zip(before["timeline"], after["timeline"]):
    assert row_after["genre_probabilities"] == pytest.approx(
        _softmax_of_log(row_before["genre_probabilities"], 2.0), abs=5e-4)


def test_every_output_shows_the_calibrated_probabilities(model_paths, song, capsys):
  plain, path = model_paths
  bundle = model_file.load_model_bundle(path)
  expected = predict.predict_file(bundle, song)
  assert predict.main([f"--model={path}", "--format=json", str(song)]) == 0
  printed = json.loads(capsys.readouterr().out)
  assert printed["calibrated"] is True and printed["temperatures"] == TEMPERATURES
  assert printed["genre_probabilities"] == expected["genre_probabilities"]
  assert predict.main([f"--model={path}", "--format=csv", str(song)]) == 0
  row = next(csv.DictReader(io.StringIO(capsys.readouterr().out)))
  assert float(row["probability_1"]) == expected["genres"][0]["probability"]
  assert predict.main([f"--model={path}", "--format=table", str(song)]) == 0
  assert "3 segments, calibrated probabilities)" in capsys.readouterr().out
  assert predict.main([f"--model={plain}", "--format=table", str(song)]) == 0
  assert "calibrated" not in capsys.readouterr().out
  prediction = api.Model(bundle).predict(str(song))
  assert prediction.calibrated and prediction.genre_probabilities == expected[
      "genre_probabilities"]
  _, summary, _, _ = demo.analyse(bundle, str(song))
  assert "temperature scaling: genre T = 2.00, quadrant T = 0.50" in summary
  share = round(100 * expected["quadrant_probability"])
  assert f"Quadrant: **{expected['quadrant']}** ({share}%)" in summary


@pytest.mark.parametrize("temperatures, reason", [
    ({"genre": 0.0}, "the genre temperature must be a positive number"),
    ({"emotion": 1.5}, "not a class head of this model"),
])
def test_unusable_temperatures_are_refused_naming_the_file(model_paths, tmp_path, temperatures,
                                                           reason):
  bad = tmp_path / "bad.keras"
  shutil.copyfile(model_paths[0], bad)
  model_file.update_metadata(bad, {"calibration": dict(temperatures=temperatures)})
  with pytest.raises(model_file.ModelFileError, match=f"bad.keras: calibration: .*{reason}"):
    model_file.load_model_bundle(bad)


def test_exported_fields_are_what_export_writes():
  from jmer.tasks import labels
  meta = model_file.model_metadata(model_files.tiny_config(), labels.GTZAN_GENRES)
  assert set(meta) == set(model_file.EXPORTED_FIELDS)
  assert np.isfinite(meta["quadrant_threshold"])
