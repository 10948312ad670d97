"""Config files: what a `--config` argument names, how it loads, and the keys it holds.

`--config` takes a path to a config file (`configs/mtl.py`, `~/my_config.py`) or the bare name of
a config shipped with jmer (`mtl`, `stl_genre`, ...), either followed by `:variant[,variant]`
(jmer.config.variants). The shipped configs are the repository's top-level `configs/` folder;
setup.py installs it as the package folder `jmer/configs`, so a bare name works from any
directory, in a clone or after `pip install`.

Everything here is light (no Keras, JAX, TensorFlow or librosa), so the command line can check
a config and its overrides before the heavy imports; finding and naming the files needs not even
jmer.config (ml_collections, numpy), so `jmer train --help` lists them at once.
"""

import difflib
import importlib.util
import pathlib

import jmer
from jmer.config.variants import VARIANTS

_PACKAGE_DIR = pathlib.Path(jmer.__file__).resolve().parent


class ConfigFileError(ValueError):
  """A --config argument names no config file; the message names it and the way out."""


def shipped_config_dir() -> pathlib.Path | None:
  """The folder of the shipped configs: jmer/configs when installed, else the clone's configs/.

  Returns:
    The folder, or None if neither exists (a broken install).
  """
  installed = _PACKAGE_DIR / "configs"
  clone = _PACKAGE_DIR.parent / "configs"
  if installed.is_dir():
    return installed
  # Only a source checkout's configs/ (beside pyproject.toml), never a stray folder that happens
  # to sit next to an installed package in site-packages.
  if clone.is_dir() and (_PACKAGE_DIR.parent / "pyproject.toml").is_file():
    return clone
  return None


def shipped_config_names() -> tuple:
  """Sorted names of the shipped configs (the stems of their files), e.g. ('mtl', ...).

  Returns:
    A sorted tuple of names.
  """
  folder = shipped_config_dir()
  if folder is None:
    return ()
  return tuple(sorted(p.stem for p in folder.glob("*.py") if not p.stem.startswith("_")))


def _suggestion(word: str, choices) -> str:
  close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
  return f" (did you mean {close[0]!r}?)" if close else ""


def resolve(spec: str) -> tuple:
  """(config file path, variant string) for a `--config` argument.

  Args:
    spec: `path[:variants]` or `name[:variants]`, e.g. 'configs/mtl.py:musicnn' or 'mtl'.

  Returns:
    (pathlib.Path of an existing file, the variants after ':' or '').

  Raises:
    ConfigFileError: no such file or shipped name; the message lists the shipped names.
  """
  where, _, variants = spec.partition(":")
  path = pathlib.Path(where).expanduser()
  if path.is_file():
    return path, variants
  names = shipped_config_names()
  shipped = f"the shipped configs are {', '.join(names)}" if names else "no shipped configs found"
  is_name = "/" not in where and "\\" not in where and path.suffix != ".py"
  if is_name and path.name in names:
    return shipped_config_dir() / f"{path.name}.py", variants
  if is_name:
    raise ConfigFileError(f"--config={spec}: no such config{_suggestion(where, names)}; "
                          f"{shipped}, or give the path of a config file")
  if path.stem in names:  # e.g. configs/mtl.py outside the clone: the shipped one is the same
    hint = f"; the shipped config of that name is --config={path.stem}"
  else:
    hint = f"; {shipped} (--config=<name>)"
  raise ConfigFileError(f"--config={spec}: no such file {where!r}{hint}")


def load(spec: str):
  """The ConfigDict of a `--config` argument (its get_config(variants)), not yet validated.

  Raises:
    ConfigFileError: the file does not exist or defines no get_config.
    ConfigError: an unknown variant; the message lists the known ones.

  Args:
    spec: 'name', 'path.py' or either with ':variants'.

  Returns:
    The ConfigDict.
  """
  from jmer import config as config_lib
  path, variants = resolve(spec)
  module_spec = importlib.util.spec_from_file_location(f"_jmer_config_{path.stem}", path)
  module = importlib.util.module_from_spec(module_spec)
  module_spec.loader.exec_module(module)
  if not callable(getattr(module, "get_config", None)):
    raise ConfigFileError(f"--config={spec}: {path} defines no get_config(arg) function")
  try:
    return module.get_config(variants or None)
  except config_lib.UnknownVariantError as error:
    raise config_lib.ConfigError(
        f"--config={spec}: unknown variant {error.name!r}{_suggestion(error.name, VARIANTS)}; "
        f"the variants are {', '.join(sorted(VARIANTS))}") from None


def flat_keys(config, prefix: str = "") -> list:
  """Every dotted key of a ConfigDict, sections included, e.g. ['data', 'data.root', ...].

  Args:
    config: a ConfigDict.
    prefix: prepended to every key (used when recursing).

  Returns:
    A list of dotted keys, in the config's order.
  """
  keys = []
  for name in config.keys():
    key = f"{prefix}{name}"
    keys.append(key)
    value = config[name]
    if hasattr(value, "keys") and hasattr(value, "get_ref"):  # a nested ConfigDict
      keys += flat_keys(value, prefix=f"{key}.")
  return keys


def leaf_items(config, prefix: str = "") -> list:
  """[(dotted key, value)] of every setting (no sections), in the config's own order.

  Args:
    config: a ConfigDict.
    prefix: prepended to every key (used when recursing).

  Returns:
    A list of (dotted key, value).
  """
  items = []
  for name in config.keys():
    value = config[name]
    if hasattr(value, "keys") and hasattr(value, "get_ref"):
      items += leaf_items(value, prefix=f"{prefix}{name}.")
    else:
      items.append((f"{prefix}{name}", value))
  return items


def closest_key(key: str, keys) -> str | None:
  """The known key most like an unknown one: by the whole dotted key, else by its last part.

  E.g. 'train.lambda_emotio' -> 'train.lambda_emotion', 'epochs' -> 'train.epochs'.

  Args:
    key: the unknown dotted key.
    keys: the known dotted keys.

  Returns:
    The closest known key, or None when none is close.
  """
  keys = list(keys)
  close = difflib.get_close_matches(key, keys, n=1, cutoff=0.6)
  if close:
    return close[0]
  last = key.rsplit(".", 1)[-1]
  by_last = {k.rsplit(".", 1)[-1]: k for k in reversed(keys)}
  close = difflib.get_close_matches(last, list(by_last), n=1, cutoff=0.75)
  return by_last[close[0]] if close else None


def format_config(config) -> str:
  """One `key = value` line per setting: what --show-config prints, every key overridable.

  Args:
    config: a ConfigDict.

  Returns:
    The lines joined by newlines.
  """
  return "\n".join(f"{key} = {value!r}" for key, value in leaf_items(config))
