"""Arousal/valence from Essentia's EmoMusic regressor for quadrant-head models reading frozen
MSD-musicnn (jmer.inference.av_regressor): which models it applies to, how patches make a
file's and a segment's point, and that the shipped model's prediction is that computation."""

import types

import numpy as np
import pytest

from jmer.data import musicnn_input
from jmer.inference import av_regressor
from jmer.pretrained import essentia_heads
from jmer.pretrained import musicnn
from jmer.tasks import labels

FROZEN_MSD = dict(network="msd", output="penultimate", patch_hop=187)


def _bundle(output_names, **params):
  return types.SimpleNamespace(output_names=tuple(output_names), params=params)


def test_applies_to_quadrant_models_reading_frozen_msd_musicnn_only():
  assert av_regressor.feature_of(_bundle(("genre", "quadrant"), musicnn=FROZEN_MSD,
                                         musicnn_mtt=dict(FROZEN_MSD, network="mtt"))) == "musicnn"
  # The model's own AV head says it; no emotion output; MSD-musicnn fine-tuned (log-mel in,
  # its weights changed); only MTT-musicnn; no musicnn at all (a log-mel model).
  for bundle in (_bundle(("quadrant", "emotion"), musicnn=FROZEN_MSD),
                 _bundle(("genre",), musicnn=FROZEN_MSD),
                 _bundle(("quadrant",), musicnn=dict(FROZEN_MSD, output="log_mel")),
                 _bundle(("quadrant",), musicnn_mtt=dict(FROZEN_MSD, network="mtt")),
                 _bundle(("quadrant",), mel=dict(n_mels=96))):
    assert av_regressor.feature_of(bundle) is None
  assert av_regressor.patch_request(None) == {}
  assert av_regressor.patch_request("musicnn") == {"musicnn": {"penultimate_prerelu": None}}


def test_a_segment_averages_the_patches_centred_inside_it():
  starts = np.array([0, 187, 374, 561, 600])
  av = np.arange(10, dtype=float).reshape(5, 2)
  np.testing.assert_allclose(av_regressor.segment_av(starts, av, 0, 374), av[:2].mean(axis=0))
  # The flush-with-end patch (600, centre 693) belongs to the last segment, with 561's.
  np.testing.assert_allclose(av_regressor.segment_av(starts, av, 561, 300), av[3:].mean(axis=0))
  # A segment no patch is centred in takes the patch centred nearest its middle.
  np.testing.assert_allclose(av_regressor.segment_av(starts, av, 0, 50), av[0])


def test_fields_name_the_source_and_the_quadrant_the_point_falls_in():
  fields = av_regressor.fields(np.array([0.31234567, -0.1]))
  assert fields == dict(arousal=0.3123, valence=-0.1, av_source=av_regressor.SOURCE,
                        av_quadrant="Q2_angry")
  assert av_regressor.fields([-0.2, 0.0])["av_quadrant"] == "Q4_calm"  # 0 counts as positive


def test_shipped_model_reports_the_emomusic_regressor_over_its_patches():
  import jmer
  model = jmer.load_model()
  t = np.arange(int(7.5 * 16000)) / 16000
  wave = (0.3 * np.sin(2 * np.pi * 220 * t) * (1 + np.sin(2 * np.pi * 2 * t))).astype(np.float32)
  result = model.predict(wave, sr=16000)
  assert result.av_source == av_regressor.SOURCE == (
      "emomusic regressor (Essentia, CC BY-NC-ND 4.0)")
  # The same numbers computed independently: musicnn's log-mel, the shipped model's patches
  # (3 s every 187 frames, plus one flush with the end), the pre-ReLU network, the EmoMusic head.
  log_mel = musicnn_input.log_mel(wave)
  patches = musicnn_input.patches(log_mel, hop_frames=187, flush_end=True)
  assert len(patches) == 3
  network = musicnn.load_pretrained(musicnn.build_musicnn("penultimate_prerelu"))
  embeddings = network.predict(patches, verbose=0)
  expected = essentia_heads.load("emomusic").unit_av(embeddings).mean(axis=0)
  np.testing.assert_allclose([result.arousal, result.valence], expected, atol=2e-4)
  assert result.av_quadrant == labels.QUADRANTS[labels.av_quadrant(*expected, 0.0)]
  assert result.quadrant in labels.QUADRANTS  # still the quadrant head's own answer
  assert result.quadrant == max(result.quadrant_probabilities,
                                key=result.quadrant_probabilities.get)
  assert result.raw["av_quadrant"] == result.av_quadrant


@pytest.mark.parametrize("quadrant, note", [
    ("Q1_happy", "(emomusic regressor)"),
    ("Q3_sad", "(emomusic regressor: Q1_happy, not the quadrant head's)")])
def test_the_table_shows_the_regressor_and_where_it_disagrees(quadrant, note):
  from jmer import tasks as tasks_lib
  from jmer.inference import task_fields
  result = dict(quadrant=quadrant, quadrant_source="quadrant head", quadrant_probability=0.7,
                **av_regressor.fields([0.2, 0.1]))
  av = task_fields.of(tasks_lib.AROUSAL_VALENCE).describe(result)
  assert av == f"arousal +0.20  valence +0.10 {note}"
  assert task_fields.of(tasks_lib.QUADRANT).describe(result) == f"quadrant {quadrant} 0.70"
