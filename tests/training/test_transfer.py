"""Transfer: a genre-only run's weights seed an emotion-only run (pretrain → fine-tune)."""

import numpy as np
import pytest

from jmer.tasks import labels
from jmer.training import train
from jmer.training import transfer
from jmer.data import features as features_lib
from jmer.models import build


@pytest.mark.slow
def test_genre_run_weights_seed_an_emotion_run(tiny_config, tmp_path, capsys):
  tiny_config.tasks.emotion = "none"
  tiny_config.train.epochs = 1
  train.train_and_evaluate(tiny_config, tmp_path / "genre")

  emotion = tiny_config.copy_and_resolve_references()
  emotion.tasks.genre, emotion.tasks.emotion = False, "av"
  params = features_lib.feature_params(emotion)
  fresh = build.build_model(emotion, params, genre_names=labels.GTZAN_GENRES)
  copied = transfer.load_matching_weights(fresh, tmp_path / "genre", freeze=True)
  assert any("crnn" in name for name in copied) and "emotion" not in copied
  source = build.build_model(tiny_config, params, genre_names=labels.GTZAN_GENRES)
  source.load_weights(tmp_path / "genre" / "checkpoints" / "best.keras")
  for name in copied:
    for mine, theirs in zip(fresh.get_layer(name).get_weights(),
                            source.get_layer(name).get_weights()):
      np.testing.assert_array_equal(mine, theirs)
    assert not fresh.get_layer(name).trainable

  emotion.train.init_from = str(tmp_path / "genre")
  capsys.readouterr()
  report = train.train_and_evaluate(emotion, tmp_path / "emotion")
  assert f"Transferred {len(copied)} layer(s)" in capsys.readouterr().out
  assert "emotion_av" in report["metrics"] and "genre" not in report["metrics"]


def test_missing_source_names_the_key(tiny_config, tmp_path):
  params = features_lib.feature_params(tiny_config)
  model = build.build_model(tiny_config, params, genre_names=labels.GTZAN_GENRES)
  with pytest.raises(FileNotFoundError, match="config.train.init_from"):
    transfer.load_matching_weights(model, tmp_path / "nothing_here")
