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

import numpy as np

from jmer.tasks import labels
from jmer.tasks.spec import Task

MULTILABEL = "multilabel"
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
class GenreTagsTask(Task):
  """Genres as independent yes/no decisions over labels.ALLMUSIC_GENRES (sigmoids).

  Its methods override Task's (jmer.tasks.spec) and follow their documented contracts.
  """
  name: str = "genre_tags"
  kind: str = MULTILABEL
  target_shape: tuple = (len(labels.ALLMUSIC_GENRES),)
  target_dtype: str = "float32"
  head_activation = "sigmoid"
  fused_activation = "sigmoid"
  train_metric = "binary_accuracy"
  figure = None

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

  def loss(self, config) -> str:
    return "binary_xent"

  def loss_weight(self, config) -> float:
    return 1.0  # a genre head: λ weighs the emotion heads only

  def truth(self, tracks) -> np.ndarray:
    k = len(labels.ALLMUSIC_GENRES)
    return np.array([self.label(t) if self.labelled(t) else [np.nan] * k for t in tracks],
                    np.float64).reshape(len(tracks), k)

  def csv_columns(self) -> tuple:
    return ("true_genre_tags", "pred_genre_tags")

  def csv_cells(self, track, prediction, class_names) -> list:
    true = "|".join(track_tags(track))
    if prediction is None or not np.isfinite(prediction).all():
      return [true, ""]
    return [true, "|".join(c for c, p in zip(class_names, prediction) if p >= THRESHOLD)]

  @property
  def report_tables(self) -> dict:
    return {self.name: "Genre tags (multi-label, AllMusic)"}

  def report_metrics(self) -> tuple:
    return (("genre tags mAP", (self.name, "mean_average_precision"), True, True),
            ("genre tags ROC-AUC", (self.name, "roc_auc_macro"), True, False),
            ("genre tags micro-F1", (self.name, "micro_f1"), True, False))

  def summary(self, mean, class_names, meta, outputs) -> dict:
    order = np.argsort(-mean)
    return dict(genre_tags=[dict(genre=class_names[i], probability=round(float(mean[i]), 4))
                            for i in order if mean[i] >= THRESHOLD],
                genre_tag_probabilities={g: round(float(p), 4)
                                         for g, p in zip(class_names, mean)})

  def describe(self, result: dict) -> str:
    if "genre_tags" not in result:
      return ""
    tags = result["genre_tags"]
    return ("  ".join(f"{g['genre']} {g['probability']:.2f}" for g in tags) if tags
            else f"(no genre tag reaches {THRESHOLD})")

  def predict_columns(self) -> tuple:
    return ("genre_tags",)

  def predict_cells(self, entry: dict) -> list:
    return ["|".join(g["genre"] for g in entry.get("genre_tags", []))]

  def timeline_header(self) -> str:
    return f"{'genre tags':<24}"

  def timeline_cell(self, row: dict) -> str:
    return f"{'|'.join(g['genre'] for g in row.get('genre_tags', [])):<24}"
