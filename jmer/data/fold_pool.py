"""The tracks a cross-validation run's folds are drawn over (`eval.fold_pool`), and the draw.

A study's arms train on different datasets (the joint model on GTZAN + 4Q, each single-task
arm on one of them) but must be tested on the same clips, with no artist on both sides of a
fold through either dataset. So every arm draws its folds over the same pool, the study's
datasets, and keeps its own tracks' folds: a genre-only arm lists 4Q's tracks only to fold them
(their features are never built, they never train). '' (the default) pools the run's own
datasets.
"""

from jmer import config as config_lib
from jmer.tasks import labels
from jmer.data import folds
from jmer.data import tracks as tracks_lib
from jmer.data.datasets import DATASETS
from jmer.data.datasets import layout


def pool_names(config, names) -> tuple:
  """The datasets the folds are drawn over: eval.fold_pool, or the run's own datasets.

  Args:
    config: the run config (eval.fold_pool).
    names: the run's datasets (data.source, resolved).

  Returns:
    A tuple of dataset names, holding every name in `names`.

  Raises:
    ConfigError: the pool leaves out one of the run's datasets or names an unknown one.
  """
  pool = config_lib.parse_sources(config.eval.fold_pool) or tuple(names)
  left_out = [n for n in names if n not in pool]
  unknown = [n for n in pool if n not in DATASETS]
  if left_out or unknown:
    raise config_lib.ConfigError(
        f"config.eval.fold_pool = {config.eval.fold_pool!r}: "
        + (f"leaves out the run's dataset(s) {left_out}" if left_out else
           f"{unknown} unknown (datasets: {sorted(DATASETS)})") + "; '' pools the run's own.")
  return pool


def _class_names(listing) -> dict:
  names = {f"{listing.name}/q{i}": f"{listing.name} {q}" for i, q in enumerate(labels.QUADRANTS)}
  names.update({f"{listing.name}/g{i}": f"{listing.name} {g}"
                for i, g in enumerate(listing.genre_names)})
  return names


def pool_tracks(config, names, listings) -> tuple:
  """(every track of the pool, {'<dataset>/<class>': readable class name}).

  Call before the run's listings are put on a shared genre vocabulary (loading.harmonise_labels):
  each dataset's classes are its own, so every arm stratifies alike whatever else it trains on.

  Args:
    config: the run config (eval.fold_pool, tasks.quadrant_threshold; the data settings of a
      pooled dataset the run does not use, which is listed here).
    names: the run's datasets.
    listings: {name: TrackList} of the run's datasets.

  Returns:
    The pool's Tracks (quadrants filled) and the names of their classes.
  """
  tracks, class_names = [], {}
  for name in pool_names(config, names):
    listing = listings[name] if name in listings else _list_for_folds(config, name)
    tracks += tracks_lib.with_quadrants(listing.tracks, config.tasks.quadrant_threshold)
    class_names.update(_class_names(listing))
  return tracks, class_names


def _list_for_folds(config, name):
  try:
    return DATASETS[name](config)
  except (layout.DatasetLayoutError, ValueError) as error:
    raise type(error)(f"{error}\n(listed only to draw the folds over config.eval.fold_pool = "
                      f"{config.eval.fold_pool!r}; --config.eval.fold_pool='' folds the run's "
                      "own datasets alone)") from error


def assign(config, names, listings) -> folds.FoldAssignment:
  """The folds of a cross-validation run, drawn over its pool (see the module docstring).

  Args:
    config: the run config (eval.folds, data.split_seed, data.group_folds_by, eval.fold_pool).
    names: the run's datasets.
    listings: {name: TrackList} of the run's datasets, before harmonise_labels.

  Returns:
    The FoldAssignment; its record names the pool.
  """
  tracks, class_names = pool_tracks(config, names, listings)
  assignment = folds.assign_folds(tracks, config.eval.folds, config.data.split_seed,
                                  by_group=config.data.group_folds_by == "group",
                                  class_names=class_names)
  assignment.record["pool"] = list(pool_names(config, names))
  return assignment
