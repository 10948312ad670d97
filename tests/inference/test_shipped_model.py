"""The shipped real-music model: loads offline in safe mode, records the recipe the rebuild
command runs, and answers genre, quadrant, arousal/valence (Essentia's DEAM regressor) and
musicnn tags for a real song."""

import json
import socket
import subprocess
import sys

import numpy as np
import pytest

from tests.conftest import REPO
from tools import build_real_model as tool
import jmer
from jmer.tasks import labels
from jmer.data import musicnn_features
from jmer.inference import api
from jmer.inference import av_regressor
from jmer.inference import shipped
from jmer.models import model_file

SHIPPED = shipped.shipped_model_path(shipped.DEFAULT_MODEL)
# The shipped file was built when the real sets reached the recipe as a generated GTZAN manifest
# plus the folder dataset (data.source 'manifest+folder'); these keys record that route, not the
# recipe. That the route found the same clips is checked against the shared data below.
OLD_ROUTE_KEYS = ("data.source", "data.dirs", "data.split", "data.group_folds_by",
                  "data.folder.task", "data.root")
# Keys added since the shipped file was built that only a fold run reads (the shipped model
# trains on every clip, so they cannot change it).
FOLD_ONLY_KEYS = ("eval.fold_pool",)
# Keys added since the shipped file was built whose values here build the same model: the
# pooled row trunk it has (the only one there was), no spectral window summary; width, layers
# and heads size only the other row trunks; the genre head's own labels alone, balanced by clip
# (what there was before data.genre_labels and train.balance_unit).
SAME_MODEL_KEYS = {"model.rows.trunk": "pooled", "model.rows.window": 0,
                   "model.rows.width": None, "model.rows.layers": None, "model.rows.heads": None,
                   "data.genre_labels.own": True, "data.genre_labels.allmusic": "none",
                   "train.balance_unit": "clip"}


@pytest.fixture(scope="module")
def model():
  return jmer.load_model()


def test_names_and_paths_resolve_and_unknown_names_are_refused():
  assert shipped.resolve_model(None) == SHIPPED
  assert shipped.resolve_model("real-music") == SHIPPED
  assert str(shipped.resolve_model("runs/x/model.keras")) == "runs/x/model.keras"
  with pytest.raises(KeyError, match="no shipped model 'pop'; shipped: real-music"):
    shipped.shipped_model_path("pop")


@pytest.mark.parametrize("command", ["predict", "demo"])
def test_an_unknown_model_name_lists_the_shipped_models(command, capsys):
  """--model=quick-start said only "no such model file"; the error now lists the shipped
  names and the closest, on one line, before anything heavy loads (exit code 2)."""
  from jmer.cli import commands
  with pytest.raises(SystemExit) as exit_:
    commands.run_command(command, ["--model=quick-start", "song.mp3"][:2 if command == "predict"
                                                                        else 1])
  assert exit_.value.code == 2
  err = capsys.readouterr().err
  assert err == ("error: --model=quick-start: no such model file, nor a shipped model's name "
                 "(shipped: real-music; did you mean real-music?); for a model you trained: "
                 "--workdir=runs/<name>\n")


def test_an_unknown_model_name_is_refused_by_load_model_too(tmp_path):
  with pytest.raises(model_file.ModelFileError, match=r"^real_music: .*shipped: real-music; "
                     r"did you mean real-music\?"):
    jmer.load_model("real_music")
  with pytest.raises(model_file.ModelFileError, match="no such model file .*shipped model's "
                     "name: real-music"):
    jmer.load_model(str(tmp_path / "missing.keras"))


@pytest.mark.slow
def test_tags_from_cached_embeddings_equal_the_networks_tag_output():
  from jmer.pretrained import musicnn
  network = musicnn.load_pretrained(musicnn.build_musicnn(("penultimate", "tags")), "msd")
  patches = np.random.default_rng(0).normal(size=(4, 187, 96)).astype(np.float32)
  out = network.predict(patches, verbose=0)
  ours = musicnn_features.tag_probabilities(out["penultimate"], "msd")
  assert np.max(np.abs(ours - out["tags"])) <= 1e-5


@pytest.mark.slow
def test_shipped_file_loads_offline_in_safe_mode_with_both_heads():
  # A subprocess with sockets disabled: loading must not touch the network.
  # TensorFlow (tf.data, training only) stays unimported: it would add seconds to the first
  # prediction of every fresh process.
  code = ("import socket, sys\n"
          "import numpy as np\n"
          "def refuse(*a, **k): raise OSError('network used')\n"
          "socket.socket.connect = refuse\n"
          "import jmer\nm = jmer.load_model()\n"
          "t = np.arange(16000 * 5) / 16000\n"
          "r = m.predict(0.3 * np.sin(2 * np.pi * 220 * t), sr=16000)\n"
          "print(sorted(m.bundle.output_names), len(m.bundle.genre_names), r.genre is not None,"
          " 'tensorflow' in sys.modules)\n")
  out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                       timeout=300, cwd=REPO)
  assert out.returncode == 0, out.stderr[-2000:]
  assert out.stdout.split("\n")[-2] == "['genre', 'quadrant'] 10 True False"
  assert SHIPPED.stat().st_size < 5e6  # small: the heads plus musicnn's own weights


def test_recorded_recipe_is_what_the_rebuild_command_runs(tmp_path):
  meta = model_file.read_metadata(SHIPPED)
  recipe = meta["recipe"]
  config = tool.recipe_config(tmp_path)
  assert recipe["overrides"] == tool.OVERRIDES
  for key, value in recipe["overrides"].items():
    section, name = key.split(".")
    config[section][name] = value
  fresh = json.loads(json.dumps(tool.recorded_config(config)))
  recorded = recipe["config"]
  if recorded["data.source"] == "manifest+folder":  # built before gtzan and 4q were datasets
    recorded, fresh = ({k: v for k, v in c.items() if k not in OLD_ROUTE_KEYS}
                       for c in (recorded, fresh))
  fresh = {k: v for k, v in fresh.items() if k in recorded or k not in FOLD_ONLY_KEYS}
  for key, value in SAME_MODEL_KEYS.items():
    if key not in recorded:
      assert value is None or fresh[key] == value, (key, fresh[key])
      del fresh[key]
  assert recorded == fresh
  assert recipe["config_file"] == "configs/real_music.py"
  listing = meta["data_listing"]
  assert recipe["data_digest"] == tool.listing_digest(listing)
  by_task = {t: [r for r in listing if r["task"] == t] for t in ("genre", "quadrant")}
  assert len(by_task["genre"]) == 296 and len(by_task["quadrant"]) == 450
  assert not any("faulty" in r["file"] for r in listing)


def test_the_shipped_temperatures_are_what_the_committed_out_of_fold_probabilities_give():
  """Issue 32 item 4: the shipped file's temperatures come from the calibration analysis's
  committed raw file (fitted there on every fold's out-of-fold probabilities), not by hand."""
  from tools import calibrate_model
  calibration = model_file.read_metadata(SHIPPED)["calibration"]
  assert calibration == calibrate_model.calibration_metadata(calibrate_model.DEFAULT_RESULTS)
  assert calibration["source"] == "experiments/results/real_music/calibration_results.json"
  assert set(calibration["temperatures"]) == {"genre", "quadrant"}
  assert all(t > 1 for t in calibration["temperatures"].values())  # both heads overclaimed


def test_recorded_data_is_what_the_recipe_lists_from_the_shared_data(shared_data):
  listing = model_file.read_metadata(SHIPPED)["data_listing"]
  faulty = set((shared_data / "gtzan_real" / "faulty.txt").read_text().split())
  assert not faulty & {r["file"].removeprefix("gtzan_real/") for r in listing}
  # The files it was trained on, with their labels and artists, are the ones the recipe's data
  # sources list there now (artists as the folds group them: case-folded).
  fresh = tool.data_listing(tool.recipe_config(shared_data))
  assert [dict(r, artist=r["artist"].lower()) for r in listing] == fresh


@pytest.mark.slow
def test_predicts_a_real_song_from_a_file_and_from_an_array(model, shared_data):
  import soundfile as sf
  song = shared_data / "gtzan_samples" / "metal" / "metal.00000.wav"
  result = model.predict(song, top_k=5)
  assert set(result.genre_probabilities) == set(labels.GTZAN_GENRES)
  assert abs(sum(result.genre_probabilities.values()) - 1) < 1e-3
  assert result.genre == max(result.genre_probabilities, key=result.genre_probabilities.get)
  assert result.quadrant in labels.QUADRANTS
  assert result.av_source == av_regressor.SOURCE
  assert -1 <= result.arousal <= 1 and -1 <= result.valence <= 1
  assert result.arousal > 0  # metal: high arousal, whatever its valence
  assert result.av_quadrant == labels.QUADRANTS[labels.av_quadrant(result.arousal,
                                                                   result.valence, 0.0)]
  assert len(result.tags) == 5 and all(0 <= p <= 1 for _, p in result.tags)
  samples, sr = sf.read(song, dtype="float32")
  from_array = model.predict(samples, sr=sr, top_k=5)
  assert from_array.genre == result.genre
  assert from_array.arousal == pytest.approx(result.arousal, abs=0.02)
  np.testing.assert_allclose(list(from_array.genre_probabilities.values()),
                             list(result.genre_probabilities.values()), atol=0.02)


@pytest.mark.slow
def test_real_genres_it_should_know(model, shared_data):
  # Clips of the usable GTZAN set are training data here: a sanity check that the shipped
  # file is the trained model (an untrained head would be near-uniform), not an accuracy claim.
  root = shared_data / "gtzan_samples"
  right = [model.predict(root / g / f"{g}.00000.wav").genre == g
           for g in ("classical", "metal", "hiphop", "reggae", "country")]
  assert sum(right) >= 4


def test_bad_array_input_says_what_is_wrong(model):
  with pytest.raises(ValueError, match="needs the array's sample rate"):
    model.predict(np.zeros(16000, np.float32))
  with pytest.raises(ValueError, match="NaN or infinite"):
    model.predict(np.full(16000, np.nan, np.float32), sr=16000)


@pytest.mark.slow
def test_cli_uses_the_shipped_model_by_default(shared_data):
  song = shared_data / "gtzan_real" / "genres" / "blues" / "blues.00099.mp3"
  out = subprocess.run([sys.executable, "-m", "jmer.predict", str(song), "--format=table",
                        "--top-k=4"], capture_output=True, text=True, timeout=300, cwd=REPO)
  assert out.returncode == 0, out.stderr[-2000:]
  lines = out.stdout.splitlines()
  assert lines[0].startswith(str(song))
  genre = next(l for l in lines if l.strip().startswith("genre"))
  assert len(genre.split()) == 1 + 2 * 4  # 'genre' and four name/probability pairs
  emotion = next(l for l in lines if l.strip().startswith("emotion"))
  assert "quadrant Q" in emotion and "(emomusic regressor" in emotion
  assert "estimated" not in emotion
  assert emotion.count("arousal") == 1  # the regressor's point, once
  assert any(l.strip().startswith("tags") for l in lines)


def test_prediction_keeps_compiled_functions_under_the_jmer_cache(tmp_path, monkeypatch):
  import jax
  from jmer.inference import compilation_cache
  monkeypatch.setenv("JMER_CACHE", str(tmp_path))
  monkeypatch.delenv("JAX_COMPILATION_CACHE_DIR", raising=False)
  before = jax.config.jax_compilation_cache_dir
  try:
    assert compilation_cache.enable() == tmp_path / "jax"
    assert jax.config.jax_compilation_cache_dir == str(tmp_path / "jax")
    monkeypatch.setenv("JAX_COMPILATION_CACHE_DIR", "/somewhere/else")
    assert compilation_cache.enable() is None  # the user's own setting wins
  finally:
    jax.config.update("jax_compilation_cache_dir", before)
