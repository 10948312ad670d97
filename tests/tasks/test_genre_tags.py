"""The multi-label genre task (jmer.tasks.genre_tags): labels from a folder's metadata, its metrics
against hand-computed values, clear errors, and joint training with the quadrant head."""

import csv
import json

import numpy as np
import pytest

from jmer.tasks import genre_tags
from jmer.tasks import labels
from jmer import tasks as tasks_lib
from jmer.data import tracks as tracks_lib
from jmer.data.datasets import folder
from jmer.evaluation import metrics

from tests.data.test_own_data import QUADRANT_FOLDERS, folder_config, write_tone

# Each quadrant's clips carry genres, so the tags are learnable from the tone like the quadrant.
TAGS_OF = {"happy": "Pop/Rock; Electronic", "angry": "Pop/Rock", "sad": "Jazz; Blues",
           "calm": "Jazz"}


@pytest.fixture
def tagged_quadrant_folder(tmp_path):
  """4Q's layout: Q1..Q4 folders and a metadata.csv with Artist and GenresStr per song."""
  root = tmp_path / "4q_like"
  rows = []
  for q, (mood, freq) in enumerate(QUADRANT_FOLDERS.items()):
    for i in range(8):
      song = f"S{q}{i}"
      write_tone(root / f"Q{q + 1}" / f"{song}.wav", freq, seconds=3.5, seed=q * 10 + i)
      rows.append(dict(Song=song, Artist=f"artist {q}-{i // 2}", Quadrant=f"Q{q + 1}",
                       GenresStr=TAGS_OF[mood]))
  with open(root / "metadata.csv", "w", newline="") as fh:
    writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
  return root


def test_folder_metadata_columns_become_the_tracks_genre_tags(tagged_quadrant_folder,
                                                              tiny_config):
  config = folder_config(tiny_config, tagged_quadrant_folder, task="quadrant")
  listing = folder.list_tracks(config)
  track = next(t for t in listing.tracks if t.path.endswith("S20.wav"))  # a 'sad' song
  assert track.group == "artist 2-0" and track.quadrant == 2
  assert genre_tags.track_tags(track) == ("Jazz", "Blues")
  label = tasks_lib.TASKS["genre_tags"].label(track)
  assert [labels.ALLMUSIC_GENRES[i] for i, v in enumerate(label) if v] == ["Blues", "Jazz"]
  y, w = tasks_lib.TASKS["genre_tags"].target(track)
  assert y.shape == (len(labels.ALLMUSIC_GENRES),) and y.dtype == np.float32 and w == 1.0


def test_a_track_without_tags_is_masked_and_an_unknown_tag_is_refused():
  task = tasks_lib.TASKS["genre_tags"]
  untagged = tracks_lib.Track("a", "/music/a.mp3", "folder", quadrant=0)
  y, w = task.target(untagged)
  assert w == 0.0 and not y.any()
  odd = tracks_lib.Track("b", "/music/b.mp3", "folder", extra=(("genres", "Jazz|Shoegaze"),))
  with pytest.raises(ValueError, match=r"/music/b.mp3.*'Shoegaze'"):
    task.target(odd)


def test_multilabel_metrics_against_hand_computed_values():
  names = ("a", "b", "c")
  truth = np.array([[1, 0, 0], [1, 1, 0], [0, 1, 0], [0, 0, 0], [np.nan] * 3])
  probs = np.array([[0.9, 0.2, 0.1], [0.6, 0.4, 0.3], [0.3, 0.8, 0.2], [0.7, 0.1, 0.4],
                    [0.5, 0.5, 0.5]])
  m = metrics.multilabel_metrics(truth, probs, names)
  assert m["n"] == 4 and m["averaged_classes"] == ["a", "b"]  # c has no positive: not scored
  # a: scores 0.9(+) 0.6(+) 0.3(-) 0.7(-): ranking +, -, +, - → AP = (1/1 + 2/3) / 2.
  assert m["per_class"]["a"]["average_precision"] == pytest.approx((1 + 2 / 3) / 2)
  # b: 0.8(+) 0.4(+) 0.2(-) 0.1(-) → AP 1, ROC-AUC 1; a's ROC-AUC: 3 of the 4 (+, -) pairs
  # ordered (0.6 < 0.7 is not) → 0.75.
  assert m["per_class"]["b"]["average_precision"] == pytest.approx(1.0)
  assert m["mean_average_precision"] == pytest.approx(((1 + 2 / 3) / 2 + 1) / 2)
  assert m["roc_auc_macro"] == pytest.approx((0.75 + 1.0) / 2)
  # At 0.5: a predicts rows 0, 1, 3 (TP 2, FP 1, FN 0) → F1 0.8; b predicts row 2 (TP 1, FN 1)
  # → F1 2/3; micro over a and b: TP 3, FP 1, FN 1 → 0.75.
  assert m["per_class"]["a"]["f1"] == pytest.approx(0.8)
  assert m["macro_f1"] == pytest.approx((0.8 + 2 / 3) / 2)
  assert m["micro_f1"] == pytest.approx(0.75)
  assert np.isnan(m["per_class"]["c"]["average_precision"]) and m["per_class"]["c"]["support"] == 0
  assert metrics.metric_kind(m) == "multilabel"
  assert set(metrics.headline_values(m)) == {"mean_average_precision", "roc_auc_macro",
                                              "macro_f1", "micro_f1"}


@pytest.mark.slow
def test_genre_tags_and_quadrant_train_together_and_predict(tagged_quadrant_folder,
                                                            tiny_config, tmp_path):
  from jmer.inference import predict
  from jmer.models import model_file
  from jmer.training import train
  config = folder_config(tiny_config, tagged_quadrant_folder, task="quadrant")
  config.tasks.genre_tags = True
  config.data.val_fraction, config.data.test_fraction = 0.0, 0.25
  config.train.update(epochs=12, crops_per_track=4, learning_rate=3e-3, select_on="last")
  train.train_and_evaluate(config, tmp_path / "run")
  saved = json.loads((tmp_path / "run" / "metrics.json").read_text())["metrics"]
  tags, quadrant = saved["genre_tags"], saved["quadrant"]
  assert tags["n"] == 8 and quadrant["n"] == 8
  # Four tags are scored (Pop/Rock, Electronic, Jazz, Blues); chance mAP is about their
  # base rates' mean (~0.44): the tone makes both heads learnable.
  assert tags["averaged_classes"] == ["Blues", "Electronic", "Jazz", "Pop/Rock"]
  assert tags["mean_average_precision"] >= 0.7, tags
  assert quadrant["accuracy"] >= 0.5, quadrant  # chance 0.25
  with open(tmp_path / "run" / "test_predictions.csv", newline="") as fh:
    rows = list(csv.DictReader(fh))
  assert {r["true_genre_tags"] for r in rows} <= {"Pop/Rock|Electronic", "Pop/Rock", "Jazz|Blues",
                                                  "Jazz"}
  bundle = model_file.load_model_bundle(tmp_path / "run" / model_file.MODEL_FILENAME)
  sad = next(tagged_quadrant_folder.glob("Q3/*.wav"))
  result = predict.predict_file(bundle, sad)
  assert set(result["genre_tag_probabilities"]) == set(labels.ALLMUSIC_GENRES)
  assert all(g["probability"] >= genre_tags.THRESHOLD for g in result["genre_tags"])


def test_a_quadrant_folder_may_train_its_genre_tags_alone(tagged_quadrant_folder, tiny_config):
  from jmer import config as config_lib
  config = folder_config(tiny_config, tagged_quadrant_folder, task="quadrant")
  config.tasks.emotion, config.tasks.genre_tags = "none", True
  config_lib.validate(config)  # the tags come from metadata.csv
  config.tasks.genre = True  # single-label genres: a quadrant folder has none
  with pytest.raises(config_lib.ConfigError, match="config.tasks"):
    config_lib.validate(config)
