"""The genre head's training labels beyond a dataset's own (jmer.data.genre_labels) and class
balance by artist (split_arrays.class_balanced): targets and weights against hand values."""

import dataclasses

import numpy as np
import pytest

from jmer import config as config_lib
from jmer import tasks as tasks_lib
from jmer.data import genre_labels
from jmer.data import split_arrays
from jmer.data import tracks as tracks_lib
from jmer.tasks import labels

GTZAN = labels.GTZAN_GENRES


def _4q(song, genres, artist="someone", quadrant=0):
  return tracks_lib.Track(track_id=song, path=f"/4q/{song}.mp3", dataset="4q", quadrant=quadrant,
                          group=artist, extra=(("GenresStr", genres),) if genres else ())


def _gtzan(stem, artist="someone"):
  return tracks_lib.Track(track_id=stem, path=f"/g/{stem}.mp3", dataset="gtzan",
                          genre=GTZAN.index(stem.split(".")[0]), group=artist)


def _config(tiny_config, allmusic="sets", own=True):
  tiny_config.tasks.update(genre=True, emotion="quadrant")
  tiny_config.data.genre_labels.update(allmusic=allmusic, own=own)
  return tiny_config


def _targets(tracks):
  split = split_arrays.SplitData(tracks=tracks, features={})
  return split_arrays.track_targets(split, ("genre", "quadrant"))


def test_a_4q_clip_labelled_reggae_trains_genre_reggae_with_weight_1(tiny_config):
  by_split = {"train": [_4q("a", "Reggae"), _4q("b", "Reggae; International")], "val": [],
              "test": []}
  trained = genre_labels.with_training_labels(by_split, _config(tiny_config), GTZAN)
  y, w = _targets(trained["train"])
  assert y["genre"].tolist() == [GTZAN.index("reggae")] * 2
  assert w["genre"].tolist() == [1.0, 1.0]
  assert w["quadrant"].tolist() == [1.0, 1.0]  # its quadrant still trains


def test_pop_rock_is_the_set_label_or_unlabelled_and_a_multi_genre_clip_weighs_0(tiny_config):
  tracks = [_4q("p", "Pop/Rock"), _4q("c", "Pop/Rock; Country"), _4q("e", "Electronic"),
            _4q("n", "")]
  trained = genre_labels.with_training_labels({"train": tracks}, _config(tiny_config), GTZAN)
  y, w = _targets(trained["train"])
  # "pop or rock" is the first genre set: its label is K + 0 = 10.
  assert y["genre"][0] == len(GTZAN) == labels.genre_set_index(labels.POP_OR_ROCK, GTZAN)
  assert w["genre"].tolist() == [1.0, 0.0, 0.0, 0.0]  # conflicting, unmapped, none: weight 0
  singles = genre_labels.with_training_labels({"train": tracks},
                                              _config(tiny_config, "singles"), GTZAN)
  assert _targets(singles["train"])[1]["genre"].tolist() == [0.0] * 4


def test_only_the_trained_splits_take_the_labels_and_own_false_drops_gtzans(tiny_config):
  by_split = {"train": [_4q("a", "Jazz"), _gtzan("blues.00001")], "val": [_4q("v", "Blues")],
              "test": [_4q("t", "Jazz"), _gtzan("blues.00002")]}
  trained = genre_labels.with_training_labels(by_split, _config(tiny_config), GTZAN)
  assert [t.genre for t in trained["train"]] == [GTZAN.index("jazz"), GTZAN.index("blues")]
  assert [t.genre for t in trained["val"]] == [GTZAN.index("blues")]
  assert trained["test"] == by_split["test"]  # the test clips keep their own labels
  reverse = genre_labels.with_training_labels(by_split, _config(tiny_config, own=False), GTZAN)
  assert [t.genre for t in reverse["train"]] == [GTZAN.index("jazz"), labels.NO_GENRE]
  assert reverse["test"][1].genre == GTZAN.index("blues")  # still scored on GTZAN
  plain = genre_labels.with_training_labels(by_split, _config(tiny_config, "none"), GTZAN)
  assert plain == by_split


def test_allmusic_labels_need_gtzans_vocabulary(tiny_config):
  with pytest.raises(ValueError, match="maps AllMusic genres onto GTZAN's ten"):
    genre_labels.with_training_labels({"train": [_4q("a", "Jazz")]}, _config(tiny_config),
                                      ("happy", "sad"))


def test_the_config_refuses_unknown_modes_and_a_genre_head_without_labels(tiny_config):
  tiny_config.data.genre_labels.allmusic = "all"
  with pytest.raises(config_lib.ConfigError, match="data.genre_labels.allmusic = 'all'"):
    config_lib.validate(tiny_config)
  tiny_config.data.genre_labels.update(allmusic="none", own=False)
  with pytest.raises(config_lib.ConfigError, match="the genre head has no training label"):
    config_lib.validate(tiny_config)
  tiny_config.data.genre_labels.own = True
  tiny_config.train.balance_unit = "song"
  with pytest.raises(config_lib.ConfigError, match="train.balance_unit = 'song'"):
    config_lib.validate(tiny_config)


def test_class_counts_name_the_genre_set():
  tracks = [dataclasses.replace(_4q("p", "Pop/Rock"), genre=len(GTZAN)), _gtzan("rock.00001")]
  assert tracks_lib.class_counts(tracks, GTZAN) == {labels.POP_OR_ROCK: 1, "rock": 1}


def test_artist_balance_gives_each_artist_of_a_genre_the_same_total_weight():
  # blues: artist x 3 clips, artist y 1 clip; jazz: artist z 2 clips; one clip without genre.
  genre = np.array([0, 0, 0, 0, 5, 5, 0])
  weights = {"genre": np.array([1, 1, 1, 1, 1, 1, 0], np.float32)}
  artists = np.array(["x", "x", "x", "y", "z", "z", "x"])
  # n = 6 labelled, k = 2 genres: each totals 3. blues: x and y 1.5 each -> x's clips 0.5, y's
  # 1.5; jazz: z's two clips 1.5 each. By clip instead: blues 3/4 = 0.75 each, jazz 1.5.
  by_artist = split_arrays.class_balanced({"genre": genre}, weights, artists=artists)
  np.testing.assert_allclose(by_artist["genre"], [0.5, 0.5, 0.5, 1.5, 1.5, 1.5, 0.0])
  by_clip = split_arrays.class_balanced({"genre": genre}, weights)
  np.testing.assert_allclose(by_clip["genre"], [0.75] * 4 + [1.5, 1.5, 0.0])
  # Without equal classes each genre keeps its clips' count (blues 4, jazz 2), split by artist.
  kept = split_arrays.class_balanced({"genre": genre}, weights, artists=artists,
                                     equal_classes=False)
  np.testing.assert_allclose(kept["genre"], [2 / 3] * 3 + [2.0, 1.0, 1.0, 0.0], rtol=1e-6)


def test_one_artist_across_two_datasets_is_one_artist_for_the_balance():
  split = split_arrays.SplitData(tracks=[
      _gtzan("pop.00001", "Beach Boys"), dataclasses.replace(
          _4q("b", "Pop/Rock", "The Beach Boys"), genre=GTZAN.index("pop")),
      _gtzan("pop.00002", "Someone Else")], features={})
  keys = split_arrays.artist_keys(split)
  assert keys[0] == keys[1] != keys[2]
  y, w = split_arrays.track_targets(split, ("genre",))
  balanced = split_arrays.class_balanced(y, w, artists=keys)
  np.testing.assert_allclose(balanced["genre"], [0.75, 0.75, 1.5])


def test_the_recipe_option_beyond_sets_the_labels_and_the_balance():
  from jmer.config import files
  beyond = files.load("real_music:genre=beyond")
  assert (beyond.data.genre_labels.allmusic, beyond.train.balance_unit) == ("sets", "artist")
  assert tasks_lib.GENRE.loss(beyond) == "set_xent"
  today = files.load("real_music")
  assert (today.data.genre_labels.allmusic, today.train.balance_unit) == ("none", "clip")
  assert tasks_lib.GENRE.loss(today) == "sparse_xent"
  with pytest.raises(config_lib.ConfigError, match="genre"):
    files.load("real_music:genre=everything")
