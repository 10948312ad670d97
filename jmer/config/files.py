"""Config files: what a `--config` argument names, how it loads, and the keys it holds.

`--config` takes a path to a config file (`configs/mtl.py`, `~/my_config.py`) or the bare name of
a config shipped with jmer (`mtl`, `stl`, ...), either followed by `:<arg>`: the config's own
options and the variants to apply, comma-separated (`stl:task=quadrant,musicnn`;
jmer.config.options, jmer.config.variants). The shipped configs are the repository's top-level
`configs/` folder; setup.py installs it as the package folder `jmer/configs`, so a bare name
works from any directory, in a clone or after `pip install`.

`load(spec, overrides)` is the one way to load a config and set keys on it (the train command,
the experiment suites and config files that build on another all use it); `apply_overrides`
holds the one rule by which a value given for a key is converted to the key's type.

Everything here is light (no Keras, JAX, TensorFlow or librosa), so the command line can check
a config and its overrides before the heavy imports; finding and naming the files needs not even
jmer.config (ml_collections, numpy), so `jmer train --help` lists them at once.
"""

import ast
import difflib
import pathlib
import runpy

import jmer
from jmer.config.variants import VARIANTS

_PACKAGE_DIR = pathlib.Path(jmer.__file__).resolve().parent


class ConfigFileError(ValueError):
  """A --config argument names no config file; the message names it and the way out."""


class OverrideError(ValueError):
  """An override names no key of the config, or gives a value its key cannot hold.

  Attributes:
    key: the dotted key as given.
    closest: the known key most like an unknown one (None if it exists, or none is close).
    reason: what is wrong, e.g. 'no such config key' or "expected an int, not 'abc'".
  """

  def __init__(self, key: str, reason: str, closest: str | None = None):
    hint = f"; did you mean config.{closest}?" if closest else ""
    super().__init__(f"config.{key}: {reason}{hint}")
    self.key, self.reason, self.closest = key, reason, closest


class UnknownKeyError(OverrideError):
  """An override names no key of the config (`closest`: the known key most like it)."""

  def __init__(self, key: str, closest: str | None):
    super().__init__(key, "no such config key", closest)


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


def load(spec: str, overrides: dict | None = None):
  """The ConfigDict of a `--config` argument: its file's get_config(arg), then the overrides.

  Args:
    spec: 'name', 'path.py' or either with ':arg' (the config's options and variants).
    overrides: {dotted key: value} set in order after loading (apply_overrides).

  Returns:
    The ConfigDict, not yet validated.

  Raises:
    ConfigFileError: the file does not exist or defines no get_config.
    ConfigError: an unknown variant or option; the message lists the known ones.
    OverrideError: an override names no key, or gives a value its key cannot hold.
  """
  from jmer import config as config_lib
  path, arg = resolve(spec)
  get_config = run_file(path).get("get_config")
  if not callable(get_config):
    raise ConfigFileError(f"--config={spec}: {path} defines no get_config(arg) function")
  try:
    config = get_config(arg or None)
  except config_lib.UnknownVariantError as error:
    raise config_lib.ConfigError(
        f"--config={spec}: unknown variant {error.name!r}{_suggestion(error.name, VARIANTS)}; "
        f"the variants are {', '.join(sorted(VARIANTS))}") from None
  except config_lib.ConfigError as error:  # an option of the config's own
    raise config_lib.ConfigError(f"--config={spec}: {error}") from None
  return apply_overrides(config, overrides or {})


def run_file(path) -> dict:
  """Runs a config or suite file by its path (not imported: it need not be on sys.path).

  Args:
    path: the .py file.

  Returns:
    The names the file defined, e.g. {'get_config': ..., 'SUITE': ...}.

  Raises:
    FileNotFoundError: path is not a file.
  """
  path = pathlib.Path(path)
  if not path.is_file():
    raise FileNotFoundError(f"{path}: no such suite or config file")
  return runpy.run_path(str(path), run_name=f"_jmer_{path.stem}")


def with_variants(spec: str, variants: str) -> str:
  """`spec` with comma-separated `variants` appended to its arg: ('mtl:fused', 'runlocal') ->
  'mtl:fused,runlocal', ('mtl', 'runlocal') -> 'mtl:runlocal', (spec, '') -> spec."""
  if not variants:
    return spec
  return f"{spec}{',' if ':' in spec else ':'}{variants}"


def apply_overrides(config, overrides: dict):
  """Sets each dotted key of `overrides` in `config`, in order, converting the value first.

  One rule for every caller: a string given for a key that holds no string is read as the
  key's type (bool: true/false, yes/no, 1/0; int; float; tuple: a Python literal, one bare
  item making a 1-tuple), as the command line gives every value as a string; an int for a
  float key becomes a float. A derived key (data.split_seed) set this way stops following.

  Args:
    config: the ConfigDict to change in place.
    overrides: {dotted key: value}, e.g. {'train.epochs': '5', 'features.names': 'mel,mfcc'}.

  Returns:
    `config`.

  Raises:
    UnknownKeyError: a key that does not exist; the message names the closest known key.
    OverrideError: a section, or a value its key cannot hold.
  """
  for key, value in overrides.items():
    *sections, name = key.split(".")
    target = config
    for section in sections:
      target = target[section] if _is_section(target) and section in target else None
    if not _is_section(target) or name not in target:
      raise UnknownKeyError(key, closest_key(key, flat_keys(config)))
    if _is_section(target[name]):
      raise OverrideError(key, "a section, not a key: set its keys, e.g. "
                          f"config.{key}.{next(iter(target[name].keys()))}")
    current = target[name]
    try:
      target[name] = _converted(current, value)
    except ValueError as error:
      raise OverrideError(key, f"{error}, not {value!r}") from None
    except TypeError:  # the ConfigDict refuses a value of another type
      raise OverrideError(key, f"expected {type(current).__name__} (like {current!r}), "
                          f"not {value!r}") from None
  return config


_TRUE, _FALSE = ("true", "t", "yes", "y", "1"), ("false", "f", "no", "n", "0")


def _converted(current, value):
  """`value` as the type of a key holding `current` (apply_overrides' rule), or ValueError
  saying what the key expects; the ConfigDict then refuses (TypeError) any other type."""
  if isinstance(value, bool) and not isinstance(current, bool):  # a bare `--config.<key>`
    raise ValueError(f"expected a value like {current!r}")
  if isinstance(value, str) and not isinstance(current, str):
    if isinstance(current, bool):
      if value.strip().lower() not in _TRUE + _FALSE:
        raise ValueError("expected true or false")
      value = value.strip().lower() in _TRUE
    elif isinstance(current, (int, float)):
      kind = type(current)
      try:
        value = kind(value)
      except ValueError:
        raise ValueError(f"expected {'an int' if kind is int else 'a number'}") from None
    elif isinstance(current, (tuple, list)):
      value = _tuple(value)
  if isinstance(current, float) and isinstance(value, int) and not isinstance(value, bool):
    value = float(value)
  if isinstance(current, tuple) and isinstance(value, list):
    value = tuple(value)
  return value


def _tuple(text: str) -> tuple:
  """A tuple from its Python literal ("('mel', 'mfcc')", "(10.0, 30.0)"); a bare word that is
  no literal ('mel') is a 1-tuple, and so is a literal that is not a tuple or list."""
  try:
    value = ast.literal_eval(text)
  except (ValueError, SyntaxError):
    if "," in text:
      raise ValueError("expected a tuple as a Python literal, e.g. \"('mel', 'mfcc')\"") from None
    value = text
  return tuple(value) if isinstance(value, (tuple, list)) else (value,)


def _is_section(value) -> bool:
  return hasattr(value, "keys") and hasattr(value, "get_ref")  # a (nested) ConfigDict


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
    if _is_section(config[name]):
      keys += flat_keys(config[name], prefix=f"{key}.")
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
    if _is_section(value):
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
