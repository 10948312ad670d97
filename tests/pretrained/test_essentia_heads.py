"""Essentia's arousal/valence heads in jmer: the pre-ReLU MSD-musicnn embedding they read equals
Essentia's own network's, the converted heads equal their frozen graphs, and the shipped copy
loads (with its licence) and answers on the stated scale.

The comparisons with Essentia's .pb files need the shared data (../shared/data/essentia_models)
and skip without it; the shipped-copy tests do not.
"""

import pathlib

import numpy as np
import pytest

from jmer.pretrained import essentia_heads
from jmer.pretrained import musicnn
from tools import convert_essentia_heads as tool

REFERENCE = pathlib.Path(__file__).resolve().parent / "reference" / "musicnn_reference.npz"
RESOURCES = pathlib.Path(essentia_heads.__file__).resolve().parents[1] / "resources" / "essentia"


@pytest.fixture(scope="module")
def real_patches():
  """6 real 3 s log-mel patches (tools/musicnn_reference.py) as jmer.data.musicnn_input makes
  them."""
  return np.load(REFERENCE)["log_mel"]


@pytest.fixture(scope="module")
def prerelu_network():
  return musicnn.load_pretrained(musicnn.build_musicnn("penultimate_prerelu"), dataset="msd")


@pytest.fixture
def essentia_models(shared_data):
  return shared_data / "essentia_models"


def test_prerelu_embedding_equals_essentia_msd_musicnn(essentia_models, real_patches,
                                                       prerelu_network):
  graph = essentia_models / "av_heads" / "msd-musicnn-1.pb"
  (theirs,) = tool.run_graph(graph, {"model/Placeholder:0": real_patches},
                             ["model/dense/BiasAdd:0"])
  ours = prerelu_network.predict(real_patches, verbose=0)
  assert np.abs(theirs).max() > 1 and (theirs < 0).mean() > 0.2  # real values, pre-ReLU
  assert np.max(np.abs(ours - theirs)) <= 1e-4


@pytest.mark.parametrize("head", essentia_heads.HEADS)
def test_converted_head_equals_its_frozen_graph(essentia_models, head):
  relative, columns = tool.SOURCES[head]
  embeddings = np.random.default_rng(1).normal(0.0, 3.0, (64, 200)).astype(np.float32)
  (graph,) = tool.run_graph(essentia_models / relative, {tool.INPUT: embeddings[:, None]},
                            [tool.OUTPUT])
  in_jmer_order = graph[:, [columns.index("arousal"), columns.index("valence")]]
  np.testing.assert_allclose(essentia_heads.load(head).ratings(embeddings), in_jmer_order,
                             rtol=0, atol=1e-5)


def test_graph_check_refuses_a_head_with_other_ops(essentia_models, tmp_path):
  """A graph with an extra op (say an activation) would not be what jmer computes."""
  graph_def = tool.load_graph_def(essentia_models / tool.SOURCES["deam"][0])
  node = graph_def.node.add()
  node.name, node.op = "relu_out", "Relu"
  node.input.append("dense_out")
  bad = tmp_path / "bad.pb"
  bad.write_bytes(graph_def.SerializeToString())
  with pytest.raises(ValueError, match="not batch norm"):
    tool.head_arrays(bad)


def test_shipped_heads_keep_their_licence_and_notice_beside_them():
  names = {p.name for p in RESOURCES.iterdir()}
  assert {essentia_heads.WEIGHTS_FILE, "LICENSE", "NOTICE"} <= names
  assert "NonCommercial" in (RESOURCES / "LICENSE").read_text()
  notice = (RESOURCES / "NOTICE").read_text()
  for head in essentia_heads.HEADS:
    assert pathlib.Path(tool.SOURCES[head][0]).name in notice


@pytest.mark.parametrize("head", essentia_heads.HEADS)
def test_shipped_head_gives_finite_av_on_the_stated_scale(head, real_patches, prerelu_network):
  embeddings = prerelu_network.predict(real_patches, verbose=0)
  regressor = essentia_heads.load(head)
  assert regressor.kernel.shape == (200, 2) and regressor.epsilon == pytest.approx(1e-6)
  ratings = regressor.ratings(embeddings)
  # Real music lands inside the 1-9 rating scale, not at its edges.
  assert ratings.shape == (len(real_patches), 2) and np.all(np.isfinite(ratings))
  assert np.all((ratings > 2) & (ratings < 8))
  unit = regressor.unit_av(embeddings)
  np.testing.assert_allclose(unit, (ratings - 5) / 4)
  assert np.ptp(unit, axis=0).min() > 0.05  # it tells the clips apart


def test_unit_scale_is_clipped_and_the_mean_of_heads_is_their_average():
  np.testing.assert_allclose(essentia_heads.to_unit([1, 3, 5, 9, 11, -20]),
                             [-1, -0.5, 0, 1, 1, -1])
  x = np.random.default_rng(2).normal(0.0, 1.0, (3, 200))
  both = essentia_heads.unit_av(x, heads=("deam", "emomusic"))
  np.testing.assert_allclose(both, (essentia_heads.load("deam").unit_av(x)
                                    + essentia_heads.load("emomusic").unit_av(x)) / 2)
  with pytest.raises(ValueError, match="no arousal/valence head 'muse'; shipped: deam, emomusic"):
    essentia_heads.load("muse")
