"""A config file's own options, read from the arg string after `--config=<file>:`, and the
variants that follow them (apply_variants).

One arg string holds a config's options and the variants to apply after them, comma-separated:
`key=value` sets an option of that config file; a bare word is one of its boolean options (set
to True) or else a variant name (jmer.config.variants), kept in order for apply_variants:

  stl:task=quadrant,musicnn   # option task='quadrant' of configs/stl.py, then variant musicnn

A config file declares its options with their defaults, in the manner of big_vision's
`bvcc.parse_arg(arg, variant='B/16', runlocal=False)`:

  arg = config_lib.parse_arg(arg, task=("genre", "emotion", "quadrant"))
  ... HEADS[arg.task] ...
  return config_lib.apply_variants(config, arg.variants)
"""

import difflib
import types

from jmer.config.validation import ConfigError
from jmer.config.variants import VARIANTS

_BOOLS = {"true": True, "false": False}


class UnknownOptionError(ConfigError):
  """`key=value` in a config's arg names no option of that config; the message names them."""


class UnknownVariantError(ConfigError):
  """A config variant name that jmer.config.variants does not define (kept in `.name`)."""

  def __init__(self, name: str):
    super().__init__(f"Unknown config variant {name!r}: expected one of {sorted(VARIANTS)}.")
    self.name = name


def parse_arg(arg: str | None, **options) -> types.SimpleNamespace:
  """A config's options from its arg string, and the variants that follow them.

  Args:
    arg: the arg string, e.g. 'task=quadrant,musicnn' (None or '' for none).
    **options: each option's default; a value given is parsed as the default's type (bool:
      'true' or 'false', or the bare name for True; int; float; str), and a tuple default lists
      the allowed strings, its first the default.

  Returns:
    A namespace holding each option's value, and `variants`: the bare words that are not
    boolean options, comma-joined in order (for apply_variants, which refuses unknown ones).

  Raises:
    UnknownOptionError: `key=value` for a key not in `options`.
    ConfigError: an option given twice, or a value its option cannot take.
  """
  if "variants" in options:
    raise ValueError("'variants' names the variants in parse_arg's result, not an option")
  values, variants, given = {}, [], set()
  for item in filter(None, (arg or "").split(",")):
    name, has_value, text = item.partition("=")
    if not has_value and name not in options:
      variants.append(name)
      continue
    if name not in options:
      raise UnknownOptionError(_unknown_option_message(name, options))
    if name in given:
      raise ConfigError(f"option {name!r} given twice")
    given.add(name)
    values[name] = _option_value(name, options[name], text if has_value else None)
  parsed = {name: default[0] if isinstance(default, tuple) else default
            for name, default in options.items()}
  return types.SimpleNamespace(**{**parsed, **values}, variants=",".join(variants))


def describe_options(options: dict) -> str:
  """'task=genre|emotion|quadrant, runlocal=False': each option with its choices or default."""
  return ", ".join(f"{name}={'|'.join(default)}" if isinstance(default, tuple)
                   else f"{name}={default!r}" for name, default in options.items())


def _unknown_option_message(name: str, options: dict) -> str:
  if not options:
    return (f"unknown option {name!r}: this config has no options (only variants: "
            f"{', '.join(sorted(VARIANTS))})")
  close = difflib.get_close_matches(name, list(options), n=1, cutoff=0.6)
  hint = f" (did you mean {close[0]!r}?)" if close else ""
  return f"unknown option {name!r}{hint}; the options are {describe_options(options)}"


def _option_value(name: str, default, text: str | None):
  """`text` as the type of option `name`'s default (None: the bare name, True for a boolean);
  ConfigError naming what it takes."""
  if text is None:
    if isinstance(default, bool):
      return True
    raise ConfigError(f"option {name!r} needs a value: {describe_options({name: default})}")
  if isinstance(default, tuple):
    if text not in default:
      raise ConfigError(f"option {name}={text}: expected one of {'|'.join(default)}")
    return text
  if isinstance(default, bool):
    if text.lower() not in _BOOLS:
      raise ConfigError(f"option {name}={text}: expected true or false")
    return _BOOLS[text.lower()]
  try:
    return type(default)(text)
  except ValueError:
    raise ConfigError(f"option {name}={text}: expected {type(default).__name__}, like "
                      f"{default!r}") from None


def apply_variants(config, arg):
  """Applies the comma-separated named variants in `arg` (None or '' for none), in order.

  Args:
    config: the ConfigDict to change in place.
    arg: comma-separated variant names: a config without options of its own passes its whole
      arg, one with options what parse_arg left (`.variants`).

  Returns:
    `config`.

  Raises:
    UnknownVariantError: a name is not in VARIANTS.
    UnknownOptionError: `key=value` in arg (a config without options was given one).
  """
  for name in filter(None, parse_arg(arg).variants.split(",")):
    if name not in VARIANTS:
      raise UnknownVariantError(name)
    VARIANTS[name](config)
  return config
