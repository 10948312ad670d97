"""How jmer predict shows each task (jmer.inference.task_fields): the emotion heads' fields
depend on which of them the model has."""

import numpy as np

from jmer import tasks as tasks_lib
from jmer.inference import task_fields
from jmer.tasks import labels


def test_quadrant_fields_estimate_av_only_without_an_av_head():
  view = task_fields.of(tasks_lib.QUADRANT)
  mean = np.array([0.1, 0.6, 0.2, 0.1])
  alone = view.fields(mean, labels.QUADRANTS, {}, ("genre", "quadrant"))
  assert alone["quadrant"] == "Q2_angry" and alone["av_source"] == "quadrant probabilities"
  assert (alone["arousal"], alone["valence"]) == (0.4, -0.6)
  assert alone["quadrant_probabilities"] == dict(zip(labels.QUADRANTS, [0.1, 0.6, 0.2, 0.1]))
  assert view.describe(alone) == ("quadrant Q2_angry 0.60   arousal +0.40  valence -0.60 "
                                  "(estimated from the quadrant probabilities)")
  beside_av = view.fields(mean, labels.QUADRANTS, {}, ("emotion", "quadrant"))
  assert "arousal" not in beside_av  # the AV head says it


def test_an_av_head_names_the_implied_quadrant_only_without_a_quadrant_head():
  view = task_fields.of(tasks_lib.AROUSAL_VALENCE)
  alone = view.fields(np.array([0.3, -0.2]), (), {"quadrant_threshold": 0.0}, ("emotion",))
  assert alone == dict(arousal=0.3, valence=-0.2, quadrant="Q2_angry",
                       quadrant_source="arousal-valence")
  assert view.describe(alone) == "arousal +0.30  valence -0.20   quadrant Q2_angry"
  beside = view.fields(np.array([0.3, -0.2]), (), {}, ("emotion", "quadrant"))
  assert beside == dict(arousal=0.3, valence=-0.2)
  # The quadrant head's AV estimate is described on its own line, not as an AV head's.
  assert view.describe(dict(beside, av_source="quadrant probabilities")) == ""


def test_genre_tags_list_the_tags_reaching_the_threshold_best_first():
  view = task_fields.of(tasks_lib.GENRE_TAGS)
  mean = np.zeros(len(labels.ALLMUSIC_GENRES))
  mean[labels.ALLMUSIC_GENRES.index("Jazz")], mean[labels.ALLMUSIC_GENRES.index("Blues")] = .9, .6
  fields = view.fields(mean, labels.ALLMUSIC_GENRES, {}, ("genre_tags",))
  assert fields["genre_tags"] == [dict(genre="Jazz", probability=0.9),
                                  dict(genre="Blues", probability=0.6)]
  assert fields["genre_tag_probabilities"]["Rap"] == 0.0
  assert view.csv_cells(fields) == ["Jazz|Blues"]
  assert view.describe(fields) == "Jazz 0.90  Blues 0.60"
  assert view.describe(dict(genre_tags=[])) == "(no genre tag reaches 0.5)"


def test_the_columns_shown_are_those_the_models_heads_fill():
  def names(output_names):
    return [view.name for view in task_fields.shown(output_names)]
  assert names(("genre",)) == ["genre"]
  assert names(("genre", "quadrant")) == ["genre", "emotion", "quadrant"]  # AV estimated
  assert names(("emotion",)) == ["emotion", "quadrant"]  # the quadrant AV implies
  assert names(("genre_tags", "genre")) == ["genre", "genre_tags"]
  assert names(None) == list(tasks_lib.TASKS)
