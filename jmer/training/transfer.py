"""Transfer learning: start a run from another run's weights (e.g. pretrain genre → fine-tune
emotion), copying every layer whose name and weight shapes match."""

import logging
import pathlib

from jmer.data import tracks as tracks_lib
from jmer.models import model_file
from jmer.training import workdir as workdir_lib


def source_model_path(init_from) -> pathlib.Path:
  """The model file behind `train.init_from`.

  Args:
    init_from: a .keras file, or a run dir (its model.keras, else checkpoints/best.keras).
  Returns:
    The path of the existing model file.
  Raises:
    FileNotFoundError if there is none.
  """
  path = pathlib.Path(init_from)
  candidates = [path] if path.suffix == ".keras" else [
      path / model_file.MODEL_FILENAME, path / "checkpoints" / "best.keras"]
  for candidate in candidates:
    if candidate.is_file():
      return candidate
  raise FileNotFoundError(
      f"config.train.init_from = {str(init_from)!r}: expected a .keras model file or a finished "
      f"jmer run dir holding {model_file.MODEL_FILENAME} (train that run first).")


def load_matching_weights(model, init_from, freeze: bool = False) -> list:
  """Copies weights from the source model into `model` layer by layer.

  Layers are matched by name (branches, trunks and fusion are named after their feature, so a
  genre-only run's trunk lands in an emotion-only run's trunk) and copied only when every weight
  has the same shape. With `freeze`, copied layers stop training (set before compiling).

  Args:
    model: the new run's built model (modified in place).
    init_from: the source: a .keras file or a run dir (see source_model_path).
    freeze: make copied layers non-trainable.
  Returns:
    The names of the copied layers.
  Raises:
    ValueError if no layer matches.
  """
  import keras
  from jmer.models import build  # noqa: F401  (registers jmer's serializable layers)
  source = keras.saving.load_model(source_model_path(init_from), safe_mode=True, compile=False)
  by_name = {layer.name: layer for layer in source.layers}
  copied = []
  for layer in model.layers:
    src = by_name.get(layer.name)
    if src is None or not layer.weights:
      continue
    theirs = src.get_weights()
    if [w.shape for w in theirs] != [tuple(w.shape) for w in layer.weights]:
      continue
    layer.set_weights(theirs)
    layer.trainable = not freeze
    copied.append(layer.name)
  if not copied:
    raise ValueError(f"config.train.init_from = {str(init_from)!r}: no layer of that model "
                     "matches this one by name and shape (different features or trunk?).")
  return copied


def source_run_dir(init_from):
  """The run dir behind `train.init_from`.

  Args:
    init_from: a run dir, its model.keras or its checkpoints/best.keras.
  Returns:
    The run dir's path.
  """
  path = source_model_path(init_from)
  if path.parent.name == "checkpoints":
    return path.parent.parent
  return path.parent


def check_test_overlap(init_from, test_tracks, allow: bool) -> dict:
  """Refuses a source run that trained on this run's test songs.

  Compares identities (tracks_lib.song_identities: DEAM and EmoMusic songs with one id are one
  song, and one audio file is one song whichever listing names it) of the source run's
  train_tracks.txt with this run's test tracks. With `allow`
  (train.allow_test_overlap) an overlap only warns.

  Args:
    init_from: the source run (see source_run_dir).
    test_tracks: this run's test tracks.
    allow: warn instead of refusing on an overlap.
  Returns:
    What was checked, for metrics.json: {'source', 'checked'} and, when the source recorded its
    training tracks, 'test_tracks_seen_in_source_training'.
  Raises:
    ValueError on an overlap unless `allow`.
  """
  run_dir = source_run_dir(init_from)
  trained = workdir_lib.read_train_tracks(run_dir)
  if trained is None:
    logging.warning("%s has no %s, so it cannot be checked for training on this run's test "
                    "tracks.", run_dir, workdir_lib.TRAIN_TRACKS_FILE)
    return dict(source=str(run_dir), checked=False)
  overlap = [t for t in test_tracks if trained.intersection(tracks_lib.identity_hashes([t]))]
  report = dict(source=str(run_dir), checked=True, test_tracks_seen_in_source_training=len(overlap))
  if overlap:
    message = (f"config.train.init_from = {str(init_from)!r}: that run trained on {len(overlap)} "
               f"of this run's {len(test_tracks)} test tracks (by song identity; DEAM contains "
               "EmoMusic's songs), so its test numbers would be inflated.")
    if not allow:
      raise ValueError(message + " Use a source run trained without them, or pass "
                       "--config.train.allow_test_overlap=True to run anyway (reported in "
                       "metrics.json).")
    logging.warning("%s Running anyway (train.allow_test_overlap).", message)
  return report
