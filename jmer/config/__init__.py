"""Configs: the base config, its variants, options and validation, config files, names.

  base.py        base_config(): every key's default, and each numeric key's bounds beside it
  variants.py    the named variants (`mtl:musicnn`), each a function of the config
  options.py     parse_arg(): a config file's own options (`stl:task=quadrant`); apply_variants
  validation.py  validate(): names the offending key before any work
  files.py       what `--config=` names, how a config file loads, how overrides apply
  names.py       the names a config may choose (features, trunks, fusions), each kind once
  provenance.py  what every run records beside its results (atomic JSON, package versions)

Callers use this package's surface: `from jmer import config as config_lib`; loading a config
file with overrides is jmer.config.files.load.
"""

from jmer.config.base import base_config, number_bounds  # noqa: F401
from jmer.config.options import (  # noqa: F401
    UnknownOptionError, UnknownVariantError, apply_variants, parse_arg)
from jmer.config.validation import (  # noqa: F401
    EMOTION_TASKS, PRETRAINED_FEATURES, PRETRAINED_GRID, SELECT_ON, ConfigError,
    parse_dataset_dirs, parse_mix_weights, parse_sources, validate)
from jmer.config.variants import VARIANTS  # noqa: F401
