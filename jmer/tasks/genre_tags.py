"""The multi-label genre task: which of AllMusic's genres a song has, a sigmoid each.

4Q's clips carry their AllMusic genres (metadata.csv `GenresStr`, one or several per song, e.g.
"Country; International"), so genre and emotion labels sit on the same clips. A track's tags
come from one of its own label columns (`Track.extra`: a manifest column or a folder's
metadata.csv column) named in TAG_COLUMNS, separated by ';' or '|'. The vocabulary is
labels.ALLMUSIC_GENRES; a tag outside it is refused with the track's file named.

Switched on by `config.tasks.genre_tags`; it weighs 1 in the loss like the genre head
(L = L_genre + L_genre_tags + λ·L_emotion). Scored by jmer.evaluation.metrics'
`multilabel_metrics` (mAP, macro ROC-AUC, F1 at 0.5).
"""

import dataclasses
import re

from jmer.tasks import labels
from jmer.tasks import outputs as outputs_lib
from jmer.tasks.spec import MULTILABEL, MultiLabelTask  # noqa: F401 (MULTILABEL re-exported)

TAG_COLUMNS = ("genres", "GenresStr")  # the first one a track has is its tags
THRESHOLD = 0.5  # a tag is predicted when its probability reaches this
_SEPARATOR = re.compile(r"[;|]")


def track_tags(track) -> tuple:
  """The track's tags as written in its first TAG_COLUMNS column (empty: none known).

  Args:
    track: a Track.

  Returns:
    A tuple of tag strings.
  """
  text = next((track.extra_label(c) for c in TAG_COLUMNS if track.extra_label(c)), "")
  return tuple(t.strip() for t in _SEPARATOR.split(text) if t.strip())


@dataclasses.dataclass(frozen=True)
class GenreTagsTask(MultiLabelTask):
  """Genres as independent yes/no decisions over labels.ALLMUSIC_GENRES (sigmoids).

  Its methods override Task's (jmer.tasks.spec) and follow their documented contracts.
  """
  name: str = "genre_tags"
  target_shape: tuple = (len(labels.ALLMUSIC_GENRES),)
  outputs = outputs_lib.TagProbabilities(THRESHOLD)

  def enabled(self, config) -> bool:
    return bool(config.tasks.get("genre_tags", False))

  def labelled(self, track) -> bool:
    return bool(track_tags(track))

  def label(self, track):
    tags = track_tags(track)
    unknown = sorted(set(tags) - set(labels.ALLMUSIC_GENRES))
    if unknown:
      raise ValueError(f"{track.path}: genre tag(s) {unknown} are not AllMusic genres; the "
                       f"genre_tags task knows {list(labels.ALLMUSIC_GENRES)}")
    return [float(g in tags) for g in labels.ALLMUSIC_GENRES]

  def class_names(self, genre_names) -> tuple:
    return labels.ALLMUSIC_GENRES

  def loss_weight(self, config) -> float:
    return 1.0  # a genre head: λ weighs the emotion heads only
