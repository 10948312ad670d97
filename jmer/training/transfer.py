"""Transfer learning: start a run from another run's weights (e.g. pretrain genre → fine-tune
emotion), copying every layer whose name and weight shapes match."""

import pathlib

from jmer.models import model_file


def source_model_path(init_from) -> pathlib.Path:
  """The model file behind `train.init_from`: a .keras file, or a run dir's exported model."""
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
  """Copies weights from the source model into `model` layer by layer; returns the names.

  Layers are matched by name (branches, trunks and fusion are named after their feature, so a
  genre-only run's trunk lands in an emotion-only run's trunk) and copied only when every weight
  has the same shape. With `freeze`, copied layers stop training (set before compiling).
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
