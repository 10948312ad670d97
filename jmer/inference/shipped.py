"""The trained models that ship inside the package, by name.

`jmer.predict`, the demo and `jmer.load_model()` use `DEFAULT_MODEL` when no model is named, so a
song can be predicted right after `pip install`, with no training and no download. Each model's
card (what it was trained on, how well it does, what it cannot do) is docs/model_card.md.
"""

import difflib
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


def unknown_model_reason(name_or_path: str | None) -> str | None:
  """Why `name_or_path` names no model (neither a file nor a shipped model), or None.

  A name without a folder or `.keras` gets the shipped names and the closest of them: the user
  typed a name (`--model=quick-start`), so "no such model file" alone would not help.

  Args:
    name_or_path: what --model or jmer.load_model() was given (None: the default model).

  Returns:
    A one-line reason naming the shipped models, or None when it names a model.
  """
  if name_or_path is None or name_or_path in SHIPPED_MODELS:
    return None
  path = pathlib.Path(name_or_path).expanduser()
  if path.exists():
    return None
  shipped = ", ".join(sorted(SHIPPED_MODELS))
  if path.suffix == ".keras" or len(path.parts) > 1:
    return f"no such model file (--model also takes a shipped model's name: {shipped})"
  closest = difflib.get_close_matches(name_or_path, list(SHIPPED_MODELS), n=1, cutoff=0.0)
  return (f"no such model file, nor a shipped model's name (shipped: {shipped}; did you mean "
          f"{closest[0]}?); for a model you trained: --workdir=runs/<name>")
