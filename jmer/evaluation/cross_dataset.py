"""The cross-dataset genre check: a genre head scored on clips whose labels come from another
dataset's vocabulary, mapped onto GTZAN's genres, with "pop or rock" a set-valued class.

GTZAN → 4Q (a head trained on GTZAN's genres, scored on 4Q clips): a 4Q clip's AllMusic genres
(metadata.csv `GenresStr`) become one GTZAN label by jmer.tasks.labels.allmusic_gtzan_label:
Blues → blues, Classical → classical, Country → country, Jazz → jazz, Rap → hiphop, Reggae →
reggae, Pop/Rock → "pop or rock"; AllMusic genres that name no GTZAN genre (Vocal,
International, ...) are ignored. A clip is

- *evaluated* when its mapped genres agree on one label;
- *single-genre* (a subset, the secondary set) when it also has exactly one AllMusic genre;
- *conflicting*, and left out, when its genres map to two labels ("Pop/Rock; Country");
- *unmapped*, and left out, when none of its genres maps ("Electronic; R&B").

4Q → GTZAN (a head trained on those labels, scored on GTZAN): a GTZAN clip's genre, pop and rock
collapsed into "pop or rock"; disco and metal clips, which no 4Q label names, are left out.

The score (`macro_f1`): each prediction is the head's top-1 over its 10 GTZAN genres, collapsed
like the truth (pop and rock → "pop or rock"; disco and metal stay themselves and are a miss for
every true class). Over the classes C present in the scored clips' truth, for c in C
  TP_c = #(true c, predicted c), FP_c = #(true ≠ c, predicted c), FN_c = #(true c, predicted ≠ c),
  F1_c = 2·TP_c / (2·TP_c + FP_c + FN_c),   macro-F1 = mean over C of F1_c.
So a "pop or rock" clip is right when the head says pop or rock, and a pop or rock prediction for
a clip of another class is a false positive of "pop or rock". A class absent from the truth is
not averaged (as jmer.evaluation.metrics does per fold); a prediction of it is still a miss of
its clip's class.
"""

import collections
import re

from jmer.tasks import labels

# The labels the check scores: GTZAN's genres that an AllMusic genre names, and the set.
CLASSES = tuple(sorted(set(labels.ALLMUSIC_TO_GTZAN.values())))
EVALUATED, SINGLE_GENRE, CONFLICTING, UNMAPPED = ("evaluated", "single-genre", "conflicting",
                                                  "unmapped")
_SEPARATOR = re.compile(r"[;|]")


def tags_of(text: str) -> tuple:
  """The AllMusic genres written in `text` ('Blues; International' or 'Blues|International').

  Args:
    text: the genres joined by ';' (metadata.csv) or '|' (test_predictions.csv).

  Returns:
    A tuple of genre strings, stripped, in their order.
  """
  return tuple(t.strip() for t in _SEPARATOR.split(text or "") if t.strip())


def allmusic_clip(text: str) -> tuple:
  """(the clip's GTZAN label or None, its kind) from its AllMusic genres.

  Args:
    text: the clip's AllMusic genres as written (tags_of).

  Returns:
    (label, kind): label one of CLASSES for an evaluated clip, else None; kind SINGLE_GENRE
    (evaluated, one AllMusic genre), EVALUATED (evaluated, several), CONFLICTING or UNMAPPED.
  """
  tags = tags_of(text)
  label = labels.allmusic_gtzan_label(tags)
  if label is None:
    return None, UNMAPPED
  if label == labels.CONFLICTING:
    return None, CONFLICTING
  return label, SINGLE_GENRE if len(tags) == 1 else EVALUATED


def collapse(genre: str) -> str:
  """A predicted or true GTZAN genre as the check scores it: pop and rock are "pop or rock"."""
  return next((name for name, members in labels.GENRE_SETS.items() if genre in members), genre)


def gtzan_clip(genre: str) -> str | None:
  """The label a GTZAN clip is scored against in the 4Q → GTZAN direction, or None (left out:
  disco and metal, which no mapped AllMusic genre names)."""
  label = collapse(genre)
  return label if label in CLASSES else None


def counts(texts) -> dict:
  """{kind: clips} of clips by their AllMusic genres: evaluated (all, single-genre among them),
  conflicting, unmapped.

  Args:
    texts: each clip's AllMusic genres as written.

  Returns:
    {EVALUATED: clips evaluated (single-genre included), SINGLE_GENRE, CONFLICTING, UNMAPPED}.
  """
  kinds = collections.Counter(allmusic_clip(t)[1] for t in texts)
  return {EVALUATED: kinds[EVALUATED] + kinds[SINGLE_GENRE], SINGLE_GENRE: kinds[SINGLE_GENRE],
          CONFLICTING: kinds[CONFLICTING], UNMAPPED: kinds[UNMAPPED]}


def per_class_f1(pairs) -> dict:
  """{class: F1} over the classes present in the truth of (true label, predicted genre) pairs.

  Args:
    pairs: (true label in CLASSES, the head's top-1 GTZAN genre) per scored clip.

  Returns:
    {class: F1_c} (the module docstring's definition), classes in CLASSES order; {} without
    pairs.
  """
  truth = [t for t, _ in pairs]
  predicted = [collapse(p) for _, p in pairs]
  out = {}
  for c in [c for c in CLASSES if c in truth]:
    tp = sum(t == c and p == c for t, p in zip(truth, predicted))
    fp = sum(t != c and p == c for t, p in zip(truth, predicted))
    fn = sum(t == c and p != c for t, p in zip(truth, predicted))
    out[c] = 2 * tp / (2 * tp + fp + fn)
  return out


def macro_f1(pairs) -> float | None:
  """The check's macro-F1 of (true label, predicted genre) pairs (None without pairs).

  Args:
    pairs: (true label in CLASSES, the head's top-1 GTZAN genre) per scored clip.

  Returns:
    The mean of per_class_f1 over the classes present in the truth.
  """
  scores = per_class_f1(pairs)
  return sum(scores.values()) / len(scores) if scores else None
