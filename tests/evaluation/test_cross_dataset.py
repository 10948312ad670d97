"""The cross-dataset genre check (jmer.evaluation.cross_dataset): AllMusic genres onto GTZAN's,
which clips are scored, and macro-F1 with the set-valued "pop or rock" against hand values."""

import csv

import pytest

from jmer.evaluation import cross_dataset
from jmer.tasks import labels


@pytest.mark.parametrize("tags, label", [
    (("Rap",), "hiphop"),
    (("Jazz", "Vocal"), "jazz"),  # a genre that names no GTZAN genre is ignored
    (("Holiday", "Pop/Rock"), labels.POP_OR_ROCK),
    (("Blues", "Blues"), "blues"),
    (("Pop/Rock", "Country"), labels.CONFLICTING),
    (("Electronic", "R&B"), None),
    ((), None),
])
def test_allmusic_genres_name_one_gtzan_label_or_none(tags, label):
  assert labels.allmusic_gtzan_label(tags) == label


def test_a_clip_is_evaluated_single_genre_conflicting_or_unmapped():
  assert cross_dataset.allmusic_clip("Reggae") == ("reggae", cross_dataset.SINGLE_GENRE)
  assert cross_dataset.allmusic_clip("Reggae; International") == ("reggae",
                                                                  cross_dataset.EVALUATED)
  assert cross_dataset.allmusic_clip("Pop/Rock|Electronic") == (labels.POP_OR_ROCK,
                                                                cross_dataset.EVALUATED)
  assert cross_dataset.allmusic_clip("Pop/Rock; Country") == (None, cross_dataset.CONFLICTING)
  assert cross_dataset.allmusic_clip("Vocal") == (None, cross_dataset.UNMAPPED)
  assert cross_dataset.counts(["Reggae", "Jazz; Vocal", "Pop/Rock; Rap", "Latin", ""]) == {
      "evaluated": 2, "single-genre": 1, "conflicting": 1, "unmapped": 2}


def test_gtzan_clips_of_the_reverse_collapse_pop_and_rock_and_leave_disco_and_metal_out():
  assert [cross_dataset.gtzan_clip(g) for g in ("pop", "rock", "reggae", "disco", "metal")] == [
      labels.POP_OR_ROCK, labels.POP_OR_ROCK, "reggae", None, None]
  assert cross_dataset.CLASSES == ("blues", "classical", "country", "hiphop", "jazz",
                                   labels.POP_OR_ROCK, "reggae")


def test_macro_f1_counts_pop_or_rock_right_for_either_and_a_false_positive_for_others():
  pairs = [("reggae", "reggae"), ("reggae", "hiphop"),
           (labels.POP_OR_ROCK, "rock"), (labels.POP_OR_ROCK, "pop"), (labels.POP_OR_ROCK, "metal"),
           ("jazz", "pop")]
  # reggae: TP 1, FP 0, FN 1 -> 2/3. pop or rock: TP 2, FP 1 (the jazz clip called pop), FN 1
  # (called metal) -> 4/6. jazz: TP 0, FN 1 -> 0. hiphop is predicted but in no clip's truth:
  # not averaged.
  assert cross_dataset.per_class_f1(pairs) == pytest.approx(
      {"jazz": 0.0, labels.POP_OR_ROCK: 2 / 3, "reggae": 2 / 3})
  assert cross_dataset.macro_f1(pairs) == pytest.approx(4 / 9)
  assert cross_dataset.macro_f1([]) is None


def test_the_4q_dev_clips_the_check_scores_and_leaves_out(shared_data):
  with open(shared_data / "4q_dev" / "metadata.csv", newline="") as fh:
    texts = [row["GenresStr"] for row in csv.DictReader(fh)]
  assert cross_dataset.counts(texts) == {"evaluated": 325, "single-genre": 159,
                                         "conflicting": 51, "unmapped": 74}
