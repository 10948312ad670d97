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


def genre_set_index(name: str, genre_names) -> int:
  """The class index a genre set's training label takes: past the vocabulary's genres.

  A genre label is an index into the vocabulary (0..K-1); the j-th set of GENRE_SETS is K + j,
  which only the genre head's set loss (jmer.training.losses, 'set_xent') reads.

  Args:
    name: a key of GENRE_SETS.
    genre_names: the vocabulary (K genres), which must hold every member of the set.

  Returns:
    K + the set's position in GENRE_SETS.

  Raises:
    ValueError: the vocabulary lacks one of the set's genres.
  """
  missing = [g for g in GENRE_SETS[name] if g not in genre_names]
  if missing:
    raise ValueError(f"the genre set {name!r} needs the genres {missing}, which the vocabulary "
                     f"{tuple(genre_names)} lacks")
  return len(genre_names) + list(GENRE_SETS).index(name)


def genre_label_name(index: int, genre_names) -> str:
  """The name of a genre training label: the vocabulary's genre, or the genre set's name."""
  k = len(genre_names)
  return genre_names[index] if index < k else list(GENRE_SETS)[index - k]


def genre_target_rows(genre_names) -> np.ndarray:
  """Which classes each genre training label allows: a (K + sets, K) 0/1 float32 matrix.

  Row i < K is class i alone; row K + j allows the members of the j-th set of GENRE_SETS (those
  in the vocabulary). The set loss of a label is −log of the probability its row allows.

  Args:
    genre_names: the vocabulary (K genres).

  Returns:
    The matrix.
  """
  k = len(genre_names)
  rows = np.zeros((k + len(GENRE_SETS), k), np.float32)
  rows[np.arange(k), np.arange(k)] = 1.0
  for j, members in enumerate(GENRE_SETS.values()):
    rows[k + j, [genre_names.index(g) for g in members if g in genre_names]] = 1.0
  return rows


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
