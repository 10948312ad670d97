"""Which datasets a run uses (`config.data.source`), and how often each feeds training.

'auto' picks every real dataset found under the data root and falls back to the built-in corpus
when there is none, so configs/mtl.py trains on real data wherever a user has put it.
"""

from jmer import config as config_lib
from jmer.data.datasets import deam
from jmer.data.datasets import emomusic
from jmer.data.datasets import gtzan
from jmer.data.datasets import layout

# Real datasets in the order 'auto' lists them, each with how to find its folder (under the
# root, or where data.dirs says).
REAL = {"gtzan": gtzan.find_genre_folder, "deam": deam.find_dir, "emomusic": emomusic.find_dir}


def found_real_datasets(config) -> tuple:
  """Returns the names of the real datasets (REAL order) whose folder is found; () without a
  data root."""
  root = layout.data_root(config)
  if root is None or not root.is_dir():
    return ()
  return tuple(name for name, find in REAL.items() if find(config) is not None)


def resolve_sources(config):
  """(dataset names, a one-line note saying which data is used and why).

  Args:
    config: the run config; data.source 'auto' picks the real datasets found under the data
      root, else the built-in synthetic corpus.

  Returns:
    (a tuple of dataset names, the note).
  """
  names = config_lib.parse_sources(config.data.source)
  if names == ("auto",):
    found = found_real_datasets(config)
    root = layout.data_root(config)
    if found:
      return found, f"real data ({' + '.join(found)}) found under {root}"
    where = (f"under {root} (expected {', '.join(n + '/' for n in REAL)})" if root
             else "(config.data.root and JMER_DATA are unset)")
    return ("synthetic",), f"built-in synthetic corpus: no real data {where}"
  kind = "built-in synthetic corpus" if names == ("synthetic",) else "data"
  return names, f"{kind} ({' + '.join(names)}) as configured by data.source"


def mix_weights(config, names) -> list:
  """Each dataset's share of the training samples, in `names` order, summing to 1.

  Args:
    config: the run config (data.mix_weights; unlisted datasets weigh 1).
    names: the datasets in use.

  Returns:
    A list of fractions, one per name.

  Raises:
    ConfigError: data.mix_weights names a dataset not in use.
  """
  given = config_lib.parse_mix_weights(config.data.mix_weights)
  unknown = sorted(set(given) - set(names))
  if unknown:
    raise config_lib.ConfigError(
        f"config.data.mix_weights = {config.data.mix_weights!r}: names {unknown} are not among "
        f"the datasets in use {list(names)}.")
  weights = [given.get(n, 1.0) for n in names]
  return [w / sum(weights) for w in weights]
