"""Configs: the base config, its variants, validation and key ranges, config files, names.

  base.py        base_config(): every key's default, one builder per section
  variants.py    the named variants (`mtl:musicnn`), each a function of the config
  validation.py  validate(): names the offending key before any work; ranges.py: numeric bounds
  files.py       what `--config=` names, how a config file loads, how overrides apply
  names.py       the names a config may choose (features, trunks, fusions), each kind once
  provenance.py  what every run records beside its results (atomic JSON, package versions)

Callers use this package's surface: `from jmer import config as config_lib`.
"""

from jmer.config.base import UnknownVariantError, apply_variants, base_config  # noqa: F401
from jmer.config.validation import (  # noqa: F401
    EMOTION_TASKS, PRETRAINED_FEATURES, PRETRAINED_GRID, SELECT_ON, ConfigError,
    parse_dataset_dirs, parse_mix_weights, parse_sources, validate)
from jmer.config.variants import VARIANTS  # noqa: F401
