"""Who a track is by, as the folds compare it across datasets: a normalised artist key.

Datasets spell one artist differently (GTZAN's 'Beach Boys', 4Q's 'The Beach Boys'), and the
same artist can be in two datasets of one study (9 artists are in both GTZAN's usable clips
and 4Q). Folds group tracks by `fold_group`, which is the same string for one artist in every
dataset, so no artist is on both sides of a fold even through the other dataset.

Normalisation (`normalise_artist`): Unicode compatibility decomposition with the accents
dropped, case-folded, '&' read as 'and', every other punctuation mark a space, spaces
collapsed, and a leading 'the ' dropped ('The Beach Boys' = 'beach boys', 'Simon & Garfunkel'
= 'simon and garfunkel', 'Beyoncé' = 'beyonce', "Johnny O'Neal" = 'johnny o neal').

Unknown artists: a group written `unknown:<anything>` (GTZAN's artists.csv marks the 5 clips
no index names so) is no artist. Such clips of one dataset and class share one group (GTZAN's
5 unknown jazz clips fold together), so they can never sit on both sides of a fold; as their
artists are unknown, they could still be by a known artist of the same class (GTZAN's sit
among Coleman Hawkins' clips), which no rule can check.
"""

import re
import unicodedata

UNKNOWN_PREFIX = "unknown:"


def normalise_artist(name: str) -> str:
  """The artist's key for comparisons across datasets (the module docstring's rule).

  Args:
    name: an artist as a dataset writes it.

  Returns:
    The normalised key; '' for a name of punctuation only.
  """
  text = unicodedata.normalize("NFKD", name)
  text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
  text = re.sub(r"[^\w\s]|_", " ", text.replace("&", " and "))
  text = " ".join(text.split())
  return text[4:] if text.startswith("the ") else text


def is_unknown(group: str) -> bool:
  """Whether a track's group says its artist is unknown (`unknown:<stem>`)."""
  return group.casefold().startswith(UNKNOWN_PREFIX)


def fold_group(track, stratum: str) -> str:
  """The key that folds keep together, comparable across datasets.

  Args:
    track: a Track; its group is an artist (or album, any id) or ''.
    stratum: the track's class within its dataset (its genre or quadrant), for unknown artists.

  Returns:
    'artist/<normalised artist>' for a known group, 'unknown/<dataset>/<stratum>' for an
    unknown artist, 'track/<dataset>/<track id>' for a track without a group (its own group).
  """
  if not track.group:
    return f"track/{track.dataset}/{track.track_id}"
  if is_unknown(track.group):
    return f"unknown/{track.dataset}/{stratum}"
  return f"artist/{normalise_artist(track.group) or track.group}"
