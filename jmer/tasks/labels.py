"""Label vocabularies and the arousal–valence quadrant convention shared by every dataset."""

import numpy as np

# GTZAN's ten genres, in the order the genre head's outputs use by default.
GTZAN_GENRES = ("blues", "classical", "country", "disco", "hiphop",
                "jazz", "metal", "pop", "reggae", "rock")

# AllMusic's top-level genres (allmusic.com/genres), the vocabulary of the multi-label genre
# task: a song has one or several (4Q's metadata `GenresStr`, e.g. "Country; International").
ALLMUSIC_GENRES = ("Avant-Garde", "Blues", "Children's", "Classical", "Comedy/Spoken", "Country",
                   "Easy Listening", "Electronic", "Folk", "Holiday", "International", "Jazz",
                   "Latin", "New Age", "Pop/Rock", "R&B", "Rap", "Reggae", "Religious",
                   "Stage & Screen", "Vocal")

# AllMusic genres that name a GTZAN genre, and the GTZAN label each becomes (the cross-dataset
# genre check and the genre head's extra training labels, jmer.data.genre_labels). AllMusic's
# Pop/Rock covers both of GTZAN's pop and rock, so it becomes the genre *set* POP_OR_ROCK: right
# when a prediction is pop or rock. The other AllMusic genres (Electronic, R&B, Vocal, ...) name
# no GTZAN genre.
POP_OR_ROCK = "pop or rock"
GENRE_SETS = {POP_OR_ROCK: ("pop", "rock")}  # a set label -> its GTZAN genres
ALLMUSIC_TO_GTZAN = {"Blues": "blues", "Classical": "classical", "Country": "country",
                     "Jazz": "jazz", "Rap": "hiphop", "Reggae": "reggae",
                     "Pop/Rock": POP_OR_ROCK}
# What allmusic_gtzan_label says of a song whose AllMusic genres name two different GTZAN labels.
CONFLICTING = "conflicting"

# Quadrants of the arousal–valence plane (Russell's circumplex), numbered like the usual Q1..Q4:
# Q1 high arousal / positive valence ("happy"), Q2 high / negative ("angry"),
# Q3 low / negative ("sad"), Q4 low / positive ("calm").
QUADRANTS = ("Q1_happy", "Q2_angry", "Q3_sad", "Q4_calm")

# Sentinels for "this sample carries no such label": the pipeline turns them into a zero label
# with a zero sample weight (a NaN label would make the loss NaN even at weight 0).
NO_GENRE = -1


def allmusic_gtzan_label(tags) -> str | None:
  """The GTZAN label a song's AllMusic genres name: a GTZAN genre, POP_OR_ROCK, CONFLICTING or
  None.

  Each tag that ALLMUSIC_TO_GTZAN knows is mapped; tags it does not know (Vocal, International,
  Holiday, ...) are ignored. "Jazz; Vocal" is jazz, "Holiday; Pop/Rock" pop or rock, "Pop/Rock;
  Country" conflicting, "Electronic" None.

  Args:
    tags: the song's AllMusic genres, e.g. ('Country', 'International').

  Returns:
    The one label its mapped tags agree on; CONFLICTING when they name two or more; None when
    no tag maps.
  """
  mapped = {ALLMUSIC_TO_GTZAN[t] for t in tags if t in ALLMUSIC_TO_GTZAN}
  if len(mapped) > 1:
    return CONFLICTING
  return next(iter(mapped), None)


def av_quadrant(arousal, valence, threshold: float = 0.0):
  """Quadrant index (0..3, see QUADRANTS) of AV values in [-1, 1].

  A point exactly on an axis (== threshold) counts as the positive side. NaN inputs give -1.

  Args:
    arousal: arousal value(s).
    valence: valence value(s), same shape.
    threshold: the value separating low from high on both axes.

  Returns:
    An int64 array (a 0-d one for scalars) of quadrant indices, -1 where an input is NaN.
  """
  a = np.asarray(arousal, dtype=np.float64)
  v = np.asarray(valence, dtype=np.float64)
  high = a >= threshold
  positive = v >= threshold
  quadrant = np.where(high, np.where(positive, 0, 1), np.where(positive, 3, 2))
  return np.where(np.isnan(a) | np.isnan(v), -1, quadrant).astype(np.int64)


def rescale_to_unit(values, low: float, high: float):
  """Maps ratings on a [low, high] scale (e.g. 1–9 SAM ratings) linearly onto [-1, 1].

  Args:
    values: ratings.
    low: the scale's lowest rating.
    high: the scale's highest rating.

  Returns:
    A float64 array, same shape.
  """
  values = np.asarray(values, dtype=np.float64)
  return 2.0 * (values - low) / (high - low) - 1.0
