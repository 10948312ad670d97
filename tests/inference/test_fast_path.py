"""Prediction's fast path for frozen-musicnn models (jmer.inference.musicnn_engine, many_files,
exported) gives what the generic path gives, on real clips; a warm process needs no Keras."""

import json
import subprocess
import sys

import numpy as np
import pytest

from tests.conftest import REPO
from jmer.data import audio
from jmer.data import musicnn_input
from jmer.inference import exported
from jmer.inference import many_files
from jmer.inference import predict
from jmer.inference import shipped
from jmer.models import model_file
from jmer.pretrained import networks

SHIPPED = shipped.shipped_model_path(shipped.DEFAULT_MODEL)


def _numbers(result: dict, prefix: str = "") -> dict:
  """{path: value} of every number in a (nested) result; text fields as they are."""
  if isinstance(result, list):
    result = dict(enumerate(result))
  if not isinstance(result, dict):
    return {prefix: result}
  out = {}
  for key, value in result.items():
    out.update(_numbers(value, f"{prefix}/{key}"))
  return out


def _assert_same(fast: dict, generic: dict):
  """Every field equal; numbers (printed to 4 decimals) within 2e-4 (one rounding step)."""
  fast, generic = _numbers(fast), _numbers(generic)
  assert fast.keys() == generic.keys()
  for key, value in generic.items():
    if isinstance(value, float):
      assert fast[key] == pytest.approx(value, abs=2e-4), key
    else:
      assert fast[key] == value, key


@pytest.fixture(scope="module")
def clips():
  from tests.conftest import SHARED_DATA
  if not SHARED_DATA.is_dir():
    pytest.skip(f"real sample data not found at {SHARED_DATA}")
  songs = sorted((SHARED_DATA / "4q_dev").rglob("*.mp3"))[::50][:3]
  return songs + [SHARED_DATA / "pmemo_samples" / "108.mp3"]


@pytest.fixture
def cache(tmp_path, monkeypatch):
  monkeypatch.setenv("JMER_CACHE", str(tmp_path / "cache"))
  return tmp_path / "cache"


@pytest.mark.slow  # whole real clips through both paths: the slow tier (CI runs it)
def test_the_fast_path_predicts_what_the_generic_path_does(clips, cache):
  """Both networks from one log-mel in one function, tags per patch, heads from an exported
  program: the same probabilities, arousal/valence, tags and timeline as each feature computed
  on its own (musicnn_features.compute, per-frame tags, Keras' heads)."""
  fast = model_file.load_model_bundle(SHIPPED, lazy=True)
  generic = model_file.load_model_bundle(SHIPPED)
  generic.derived["engine"] = None  # the generic path, as every other model takes it
  assert predict.engine_of(fast) is not None
  for i, clip in enumerate(clips[-2:]):
    _assert_same(predict.predict_file(fast, clip, timeline=i == 0, top_k=5),
                 predict.predict_file(generic, clip, timeline=i == 0, top_k=5))
  assert sorted(p.name.split("-")[0] for p in (cache / "exported").iterdir()) == [
      "heads", "patches"]
  # A second bundle reads the exported programs back: same answers.
  again = model_file.load_model_bundle(SHIPPED, lazy=True)
  _assert_same(predict.predict_file(again, clips[-1]), predict.predict_file(fast, clips[-1]))


@pytest.mark.slow  # whole real clips through both paths: the slow tier (CI runs it)
def test_many_files_share_network_calls_and_keep_their_own_results(clips, tmp_path, cache):
  """predict_files batches the patches of several files: each file gets predict_file's result,
  in order, and a bad file fails alone."""
  bundle = model_file.load_model_bundle(SHIPPED, lazy=True)
  bad = tmp_path / "bad.mp3"
  bad.write_bytes(b"not audio at all" * 100)
  paths = [clips[0], bad, *clips[1:]]
  results = list(many_files.predict_files(bundle, paths, top_k=4))
  assert [p for p, _ in results] == paths
  assert isinstance(results[1][1], audio.AudioError) and results[1][1].path == str(bad)
  for path, result in results[:1] + results[2:]:
    _assert_same(result, predict.predict_file(bundle, path, top_k=4))


@pytest.mark.slow  # whole real clips through both paths: the slow tier (CI runs it)
def test_a_warm_process_predicts_without_keras(clips, cache):
  """With the exported programs on disk, a fresh process loads the model lazily and predicts
  without importing Keras (nor TensorFlow or librosa)."""
  bundle = model_file.load_model_bundle(SHIPPED, lazy=True)
  expected = predict.predict_file(bundle, clips[0])
  code = ("import json, sys\nfrom jmer.inference import api\n"
          f"r = api.load_model().predict({str(clips[0])!r}).raw\n"
          "print(json.dumps(dict(r, heavy=[m for m in ('keras', 'tensorflow', 'librosa') "
          "if m in sys.modules])))")
  out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                       cwd=REPO, env=dict(__import__("os").environ, JMER_CACHE=str(cache)))
  result = json.loads(out.stdout.strip().splitlines()[-1])
  assert result.pop("heavy") == []
  _assert_same({k: result[k] for k in ("genre_probabilities", "quadrant_probabilities",
                                       "arousal", "valence")},
               {k: expected[k] for k in ("genre_probabilities", "quadrant_probabilities",
                                         "arousal", "valence")})


def test_a_damaged_cache_entry_is_rebuilt(cache):
  bundle = model_file.load_model_bundle(SHIPPED, lazy=True)
  x = {n: np.ones((2, *s), np.float32) for n, s in bundle.input_shapes.items()}
  expected = exported.head_function(bundle)(x)
  (entry,) = (cache / "exported").iterdir()
  (entry / "program.bin").write_bytes(b"garbage")
  with pytest.warns(UserWarning, match="ignoring the exported prediction function"):
    again = exported.head_function(model_file.load_model_bundle(SHIPPED, lazy=True))(x)
  np.testing.assert_allclose(again["genre"], expected["genre"], atol=1e-6)


def test_the_numpy_log_mel_is_librosas():
  """musicnn_input.log_mel no longer imports librosa; it computes librosa's log-mel."""
  import librosa
  rng = np.random.default_rng(0)
  wave = (0.3 * np.sin(np.arange(48000) * 0.07) + 0.05 * rng.normal(size=48000)).astype(
      np.float32)
  mel = librosa.feature.melspectrogram(y=wave, sr=16000, n_fft=512, hop_length=256, n_mels=96,
                                       pad_mode="reflect")
  np.testing.assert_allclose(musicnn_input.log_mel(wave),
                             np.log10(1 + 10000 * mel.T.astype(np.float32)), atol=1e-5)
  np.testing.assert_allclose(musicnn_input.mel_filters(),
                             librosa.filters.mel(sr=16000, n_fft=512, n_mels=96), atol=1e-7)


def test_networks_name_the_weights_files_their_families_ship():
  from jmer.pretrained import musicnn
  from jmer.pretrained import vgg
  for key, network in networks.NETWORKS.items():
    if network.family == "moods":  # five weight files under $JMER_DATA, not shipped
      with pytest.raises(ValueError, match="not shipped"):
        networks.weights_path(key)
      continue
    family = {"musicnn": musicnn, "vgg": vgg}[network.family]
    assert family.PRETRAINED[network.dataset][0] == network.weights_file, key
    with networks.weights_path(key) as path:
      assert path.is_file()


@pytest.mark.parametrize("dataset", ["msd", "mtt"])
def test_the_jax_musicnn_computes_the_keras_port(dataset):
  """jmer.pretrained.musicnn_jax (the fast path's network) against the Keras port on the same
  weights: every output prediction reads, to float32 rounding."""
  from jmer.pretrained import musicnn_jax
  outputs = ("penultimate", "penultimate_prerelu", "tags")
  patches = np.random.default_rng(1).normal(2.0, 1.0, (3, 187, 96)).astype(np.float32)
  keras_net = networks.embedding_network(dataset, name=f"check_{dataset}", also=outputs[1:])
  expected = keras_net.predict_on_batch(patches)
  got = musicnn_jax.forward(musicnn_jax.weights(dataset), patches, outputs)
  for name in outputs:
    np.testing.assert_allclose(np.asarray(got[name]), np.asarray(expected[name]), atol=1e-4,
                               rtol=1e-4, err_msg=name)


@pytest.mark.parametrize("dataset", ["msd", "mtt"])
def test_the_jax_musicnn_reads_the_weights_the_keras_port_loads(dataset):
  from jmer.pretrained import musicnn
  from jmer.pretrained import musicnn_jax
  from jmer.pretrained import shipped_weights
  expected = shipped_weights._weights_by_layer(musicnn._full_checkpoint_layout,
                                               tuple(musicnn.PRETRAINED.items()), dataset)
  got = musicnn_jax.weights(dataset)
  assert sorted(got) == sorted(expected)
  for name, arrays in expected.items():
    assert len(got[name]) == len(arrays), name
    for a, b in zip(got[name], arrays):
      np.testing.assert_array_equal(np.asarray(a), b, err_msg=name)
