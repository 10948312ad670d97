"""The genre head's training labels beyond each dataset's own (config.data.genre_labels).

A 4Q clip has no GTZAN genre, but its AllMusic genres (metadata.csv `GenresStr`, kept as the
track's label column) often name one: with `allmusic='sets'` a track without a genre of its own
whose AllMusic genres name one GTZAN label (jmer.tasks.labels.allmusic_gtzan_label) trains the
genre head towards it: Reggae → reggae, Rap → hiphop, ...; Pop/Rock → the genre set "pop or
rock", whose label is past the vocabulary's genres (labels.genre_set_index) and whose loss is
−log(p(pop) + p(rock)) (jmer.training.losses, 'set_xent'). `allmusic='singles'` leaves the
Pop/Rock clips unlabelled instead. A track whose AllMusic genres name two GTZAN labels ("Pop/Rock;
Country") or none stays unlabelled (weight 0). `own=False` takes the datasets' own genre labels
away from training (GTZAN then scored by a head that learnt genre from 4Q alone).

Only the splits the model learns or selects on take these labels, after the folds and splits are
drawn (so they never change which clip is tested): the test split keeps each dataset's own
labels, and the cross-dataset check (jmer.evaluation.cross_dataset) scores every arm's 4Q test
clips alike.
"""

import dataclasses

from jmer.tasks import genre_tags
from jmer.tasks import labels

TRAINED_SPLITS = ("train", "val")


def training_genre(track, allmusic: str, own: bool, genre_names) -> int:
  """The genre label `track` trains with: its own, its AllMusic genres' or NO_GENRE.

  Args:
    track: a Track.
    allmusic: data.genre_labels.allmusic ('none', 'sets' or 'singles').
    own: data.genre_labels.own: whether a dataset's own genre label trains.
    genre_names: the run's genre vocabulary (GTZAN's, when allmusic is not 'none').

  Returns:
    A class index, labels.genre_set_index's index of a genre set, or labels.NO_GENRE.
  """
  if track.genre >= 0:
    return track.genre if own else labels.NO_GENRE
  if allmusic == "none":
    return labels.NO_GENRE
  label = labels.allmusic_gtzan_label(genre_tags.track_tags(track))
  if label is None or label == labels.CONFLICTING:
    return labels.NO_GENRE
  if label in labels.GENRE_SETS:
    return labels.genre_set_index(label, genre_names) if allmusic == "sets" else labels.NO_GENRE
  return genre_names.index(label)


def with_training_labels(by_split: dict, config, genre_names) -> dict:
  """{split: tracks} with the train and val tracks' genres as data.genre_labels says.

  Args:
    by_split: {split: [Track]} of the run.
    config: the run config (data.genre_labels, tasks.genre).
    genre_names: the run's genre vocabulary.

  Returns:
    A new dict; the test split and a run without a genre head are as they were.

  Raises:
    ValueError: AllMusic labels are asked for on a vocabulary other than GTZAN's.
  """
  g = config.data.genre_labels
  if not config.tasks.genre or (g.own and g.allmusic == "none"):
    return dict(by_split)
  if g.allmusic != "none" and tuple(genre_names) != labels.GTZAN_GENRES:
    raise ValueError(f"config.data.genre_labels.allmusic = {g.allmusic!r} maps AllMusic genres "
                     f"onto GTZAN's ten, but this run's genre vocabulary is {tuple(genre_names)}")
  out = dict(by_split)
  for split in TRAINED_SPLITS:
    out[split] = [dataclasses.replace(t, genre=training_genre(t, g.allmusic, g.own, genre_names))
                  for t in by_split.get(split, [])]
  return out
