"""The trained models that ship inside the package, by name.

`jmer.predict`, the demo and `jmer.load_model()` use `DEFAULT_MODEL` when no model is named, so a
song can be predicted right after `pip install`, with no training and no download. Each model's
card (what it was trained on, how well it does, what it cannot do) is docs/model_card.md.
"""

import importlib.resources
import pathlib

# Name -> file under jmer/resources/models/. One entry per shipped model.
SHIPPED_MODELS = {"real-music": "real_music.keras"}
DEFAULT_MODEL = "real-music"


def shipped_model_path(name: str) -> pathlib.Path:
  """The file of shipped model `name`.

  Args:
    name: a key of SHIPPED_MODELS.

  Returns:
    The path of the model's `.keras` file inside the installed package.

  Raises:
    KeyError naming the shipped models when `name` is not one of them.
  """
  if name not in SHIPPED_MODELS:
    raise KeyError(f"no shipped model {name!r}; shipped: {', '.join(sorted(SHIPPED_MODELS))}")
  resource = importlib.resources.files("jmer") / "resources" / "models" / SHIPPED_MODELS[name]
  return pathlib.Path(str(resource))


def resolve_model(name_or_path: str | None) -> pathlib.Path:
  """A model file from a shipped model's name, a path, or None (the default shipped model).

  Args:
    name_or_path: a key of SHIPPED_MODELS, a path to a `.keras` file (`~` expanded), or None.

  Returns:
    The model file's path; a path given is returned without checking that it exists.
  """
  name_or_path = name_or_path or DEFAULT_MODEL
  if name_or_path in SHIPPED_MODELS:
    return shipped_model_path(name_or_path)
  return pathlib.Path(name_or_path).expanduser()
