"""What every run records beside its results: atomic JSON files and the package versions.

Both training (state, config) and evaluation (metrics.json) write these, so they live below both.
"""

import importlib.metadata
import json
import os
import pathlib
import platform
import sys

PACKAGES = ("jmer", "keras", "jax", "jaxlib", "tensorflow-cpu", "tensorflow", "numpy", "librosa",
            "soundfile", "scikit-learn", "ml-collections")


def write_json(path, obj):
  """Writes JSON atomically (temp file + rename), so a crash never leaves a truncated file."""
  path = pathlib.Path(path)
  path.parent.mkdir(parents=True, exist_ok=True)
  # The pid in the temp name: two runners of one suite write its suite.json at the same time.
  tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
  tmp.write_text(json.dumps(obj, indent=2, sort_keys=False, default=str) + "\n")
  os.replace(tmp, path)


def package_versions() -> dict:
  """Returns {"python", "platform", each installed package of PACKAGES: version string}."""
  versions = {"python": sys.version.split()[0], "platform": platform.platform()}
  for name in PACKAGES:
    try:
      versions[name] = importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
      pass
  return versions


def flatten(record: dict, prefix: str = "") -> dict:
  """A recorded config as {dotted key: value}, its lists as tuples: configs read back from JSON
  compare key by key (what changed on a resume, what differs between a suite's cells).

  Args:
    record: a nested dict (a config as JSON).
    prefix: prepended to every key (used when recursing).

  Returns:
    A flat dict from dotted key to value.
  """
  out = {}
  for key, value in record.items():
    if isinstance(value, dict):
      out.update(flatten(value, f"{prefix}{key}."))
    else:
      out[f"{prefix}{key}"] = tuple(value) if isinstance(value, list) else value
  return out
