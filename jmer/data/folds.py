"""Seeded, stratified k-fold assignment of tracks, for cross-validation (jmer.training.crossval).

Lives on the data side (not in jmer.training.crossval) because load_run_data applies it: a fold
run is an ordinary run whose config says which fold (`eval.fold`) is its test set.
"""

import dataclasses
import logging
import warnings

import numpy as np
from sklearn.model_selection import GroupKFold
from sklearn.model_selection import KFold
from sklearn.model_selection import StratifiedGroupKFold
from sklearn.model_selection import StratifiedKFold

from jmer.data import tracks as tracks_lib


def _order(tracks):
  # Sorted by identity, so the folds never depend on the order a dataset lists its files in.
  return sorted(tracks, key=lambda t: (t.dataset, t.track_id))


def fold_ids(tracks, folds: int, seed: int, by_group: bool = True) -> dict:
  """{(dataset, track_id): fold index in [0, folds)}; every track is in exactly one fold.

  Stratified by genre (by quadrant for tracks without genre, as split_tracks does) when every
  class has at least `folds` tracks; otherwise a seeded shuffle, with a warning. When some
  track has a group (artist, album), every group lies in one fold (StratifiedGroupKFold, or
  GroupKFold when a class has fewer groups than folds); ungrouped tracks are groups of one.

  Args:
    tracks: the Tracks to fold.
    folds: the number of folds (at least 2).
    seed: the seed of the fold draw (data.split_seed).
    by_group: keep each group in one fold; False folds by track, ignoring the groups
      (data.group_folds_by='track').

  Returns:
    A dict from (dataset, track_id) to the fold index.
  """
  ordered = _order(tracks)
  if len(ordered) < folds:
    raise ValueError(f"config.eval.folds = {folds}: more folds than the {len(ordered)} "
                     "usable tracks.")
  strata = np.array([tracks_lib._stratum(t) for t in ordered])  # pylint: disable=protected-access
  if by_group and any(t.group for t in ordered):
    splits = _grouped_folds(ordered, strata, folds, seed)
  else:
    _, counts = np.unique(strata, return_counts=True)
    if counts.min() >= folds:
      splitter = StratifiedKFold(folds, shuffle=True, random_state=seed)
    else:
      logging.warning("Some class has fewer than %d tracks: folds are not stratified.", folds)
      splitter = KFold(folds, shuffle=True, random_state=seed)
    splits = splitter.split(np.zeros(len(ordered)), strata)
  out = {}
  for k, (_, test) in enumerate(splits):
    out.update({(ordered[i].dataset, ordered[i].track_id): k for i in test})
  return out


def _grouped_folds(ordered, strata, folds: int, seed: int):
  groups = tracks_lib.group_keys(ordered)
  if len(np.unique(groups)) < folds:
    raise ValueError(f"config.eval.folds = {folds}: more folds than the "
                     f"{len(np.unique(groups))} groups (artists) of the usable tracks.")
  per_class = [len(np.unique(groups[strata == s])) for s in np.unique(strata)]
  if min(per_class) >= folds:
    splitter = StratifiedGroupKFold(folds, shuffle=True, random_state=seed)
  else:
    logging.warning("Some class has fewer than %d groups: grouped folds are not stratified.",
                    folds)
    splitter = GroupKFold(folds, shuffle=True, random_state=seed)
  with warnings.catch_warnings():
    warnings.simplefilter("ignore", UserWarning)
    return list(splitter.split(np.zeros(len(ordered)), strata, groups))


def fold_ids_per_dataset(tracks, folds: int, seed: int, by_group: bool = True) -> dict:
  """fold_ids of each dataset's tracks on their own, merged.

  Each dataset gets its own stratified (and grouped) folds, exactly those a run on that dataset
  alone would get, so a joint run's test fold of each dataset holds the same tracks as the
  single-dataset run's: their metrics compare track for track. Folding the union instead would
  reshuffle both datasets' folds.

  Args:
    tracks: the Tracks of every dataset.
    folds: the number of folds.
    seed: the seed of the fold draw.
    by_group: keep each group in one fold (see fold_ids).

  Returns:
    A dict from (dataset, track_id) to the fold index.
  """
  out = {}
  for name in sorted({t.dataset for t in tracks}):
    out.update(fold_ids([t for t in tracks if t.dataset == name], folds, seed, by_group))
  return out


def hold_out_fold(tracks, folds: int, fold: int, seed: int, by_group: bool = True) -> list:
  """The tracks with fold `fold` as their predefined test split and every other split cleared.

  Predefined splits (a manifest's split column) are overridden: cross-validation pools all tracks.
  Folds are drawn per dataset (fold_ids_per_dataset). split_tracks then carves the validation
  set from the other folds.

  Args:
    tracks: the Tracks.
    folds: the number of folds.
    fold: the test fold's index, in [0, folds).
    seed: the seed of the fold draw.
    by_group: keep each group in one fold (see fold_ids).

  Returns:
    New Tracks, in the same order, their split 'test' or ''.
  """
  assignment = fold_ids_per_dataset(tracks, folds, seed, by_group)
  return [dataclasses.replace(t, split="test" if assignment[(t.dataset, t.track_id)] == fold
                              else "") for t in tracks]
