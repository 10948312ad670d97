"""Seeded, stratified k-fold assignment of tracks, for cross-validation (jmer.training.crossval).

Lives on the data side (not in jmer.training.crossval) because load_run_data applies it: a fold
run is an ordinary run whose config says which fold (`eval.fold`) is its test set.

The folds are drawn once over every track of the fold pool (jmer.data.fold_pool: by default the
run's datasets; a study sets `eval.fold_pool` so that its joint and single-task arms fold the
same tracks), stratified by (dataset, class) and grouped by a normalised artist key that is the
same in every dataset (jmer.data.artists), so no artist is on both sides of a fold even through
another dataset. Which scheme a draw used, and why, is recorded (FoldAssignment.record).
"""

import dataclasses
import logging
import warnings

import numpy as np
from sklearn.model_selection import GroupKFold
from sklearn.model_selection import KFold
from sklearn.model_selection import StratifiedGroupKFold
from sklearn.model_selection import StratifiedKFold

from jmer.data import artists
from jmer.data import tracks as tracks_lib

# Shuffles of StratifiedGroupKFold tried for one draw: the first (random_state = the seed) that
# puts every class with at least `folds` groups in every test fold is kept, else the one that
# misses fewest (class, fold) pairs. StratifiedGroupKFold places groups greedily, largest
# first, so a shuffle can leave a class with enough groups out of a fold.
SEARCH = 100


@dataclasses.dataclass
class FoldAssignment:
  ids: dict  # (dataset, track_id) -> fold index
  record: dict  # JSON-ready: the scheme used, why, and which classes miss which test folds


def _order(tracks):
  # Sorted by identity, so the folds never depend on the order a dataset lists its files in.
  return sorted(tracks, key=lambda t: (t.dataset, t.track_id))


def assign_folds(tracks, folds: int, seed: int, by_group: bool = True,
                 class_names=None) -> FoldAssignment:
  """Every track's fold, and a record of how they were drawn.

  Stratified by (dataset, class) (the class is the genre, else the quadrant, as in
  split_tracks). When some track has a group (artist, album) every group lies in one fold:
  StratifiedGroupKFold over a seeded search of shuffles (SEARCH), or GroupKFold, named as a
  fallback, when no shuffle gives a non-empty fold each. Groups are artists.fold_group keys
  (one key per artist across datasets; unknown artists one group per dataset and class;
  ungrouped tracks groups of one). Without groups (or by_group False): StratifiedKFold, or a
  seeded shuffle (named) when a class has fewer tracks than folds.

  Args:
    tracks: the Tracks to fold.
    folds: the number of folds (at least 2).
    seed: the seed of the fold draw (data.split_seed).
    by_group: keep each group in one fold; False folds by track, ignoring the groups
      (data.group_folds_by='track').
    class_names: {'<dataset>/<class>': readable name} for the record (default: the keys).

  Returns:
    The FoldAssignment.
  """
  ordered = _order(tracks)
  if len(ordered) < folds:
    raise ValueError(f"config.eval.folds = {folds}: more folds than the {len(ordered)} "
                     "usable tracks.")
  classes = [tracks_lib._stratum(t) for t in ordered]  # pylint: disable=protected-access
  strata = np.array([f"{t.dataset}/{c}" for t, c in zip(ordered, classes)])
  name = lambda s: str((class_names or {}).get(s, s))
  if by_group and any(t.group for t in ordered):
    groups = np.array([artists.fold_group(t, c) for t, c in zip(ordered, classes)])
    splits, record = _grouped_folds(strata, groups, folds, seed, name)
  else:
    splits, record = _track_folds(strata, folds, seed, name)
  out = {}
  for k, (_, test) in enumerate(splits):
    out.update({(ordered[i].dataset, ordered[i].track_id): k for i in test})
  missing = _missing(strata, out, ordered, folds, name)
  record.update(folds=folds, strata="dataset x class", missing=missing)
  if missing:
    record["text"] += "; test folds without a class: " + ", ".join(
        f"{c} (fold {', '.join(map(str, k))})" for c, k in missing.items())
  if record.get("fallback"):
    logging.warning("Folds: %s", record["text"])
  return FoldAssignment(ids=out, record=record)


def fold_ids(tracks, folds: int, seed: int, by_group: bool = True) -> dict:
  """{(dataset, track_id): fold index in [0, folds)} (assign_folds' ids)."""
  return assign_folds(tracks, folds, seed, by_group).ids


def _track_folds(strata, folds, seed, name):
  values, counts = np.unique(strata, return_counts=True)
  values = [str(v) for v in values]
  if counts.min() >= folds:
    splitter = StratifiedKFold(folds, shuffle=True, random_state=seed)
    record = dict(scheme="stratified", fallback="",
                  text=f"stratified {folds}-fold by track")
  else:
    few = ", ".join(f"{name(v)} has only {n} tracks" for v, n in zip(values, counts)
                    if n < folds)
    splitter = KFold(folds, shuffle=True, random_state=seed)
    record = dict(scheme="shuffled", fallback=few,
                  text=f"{folds}-fold by track, shuffled, not stratified: {few}")
  return list(splitter.split(np.zeros(len(strata)), strata)), record


def _groups_per_class(strata, groups) -> dict:
  return {s: len(np.unique(groups[strata == s])) for s in np.unique(strata)}


def _coverage_gap(strata, splits, per_class, folds) -> tuple:
  """(missing (class, fold) pairs of classes with >= folds groups, those of the others)."""
  gap = [0, 0]
  for s, n in per_class.items():
    present = sum(bool(np.any(strata[test] == s)) for _, test in splits)
    gap[n < folds] += min(n, folds) - present
  return tuple(gap)


def _grouped_folds(strata, groups, folds, seed, name):
  per_class = _groups_per_class(strata, groups)
  if len(np.unique(groups)) < folds:
    raise ValueError(f"config.eval.folds = {folds}: more folds than the "
                     f"{len(np.unique(groups))} groups (artists) of the usable tracks.")
  best = None
  for attempt in range(SEARCH):
    state = seed if attempt == 0 else int(
        np.random.default_rng([seed, attempt]).integers(2**31 - 1))
    with warnings.catch_warnings():
      warnings.simplefilter("ignore", UserWarning)
      splits = list(StratifiedGroupKFold(folds, shuffle=True, random_state=state).split(
          np.zeros(len(strata)), strata, groups))
    if any(len(test) == 0 for _, test in splits):
      continue
    gap = _coverage_gap(strata, splits, per_class, folds)
    if best is None or gap < best[0]:
      best = (gap, attempt, splits)
    if gap == (0, 0):
      break
  sparse = {name(s): n for s, n in per_class.items() if n < folds}
  few = "".join(f"; {c} has only {n} groups (artists)" for c, n in sparse.items())
  if best is None:
    splits = list(GroupKFold(folds, shuffle=True, random_state=seed).split(
        np.zeros(len(strata)), strata, groups))
    reason = (f"none of {SEARCH} shuffles of stratified group folds gave every test fold a "
              "track")
    return splits, dict(scheme="grouped", fallback=reason, sparse_classes=sparse,
                        text=f"group {folds}-fold, not stratified (fallback: {reason}), no "
                             f"group in two folds across datasets{few}")
  text = (f"stratified group {folds}-fold (StratifiedGroupKFold over dataset x class strata, "
          f"shuffle {best[1] + 1} of up to {SEARCH} searched for class coverage), no group "
          f"(artist) in two folds across datasets{few}")
  return best[2], dict(scheme="stratified-grouped", fallback="", search_attempt=best[1],
                       sparse_classes=sparse, text=text)


def _missing(strata, ids, ordered, folds, name) -> dict:
  """{class name: [test folds without that class]} (only the classes missing somewhere)."""
  present = {}
  for t, s in zip(ordered, strata):
    present.setdefault(s, set()).add(ids[(t.dataset, t.track_id)])
  return {name(s): sorted(set(range(folds)) - got) for s, got in sorted(present.items())
          if len(got) < folds}


def held_out(tracks, ids: dict, fold: int) -> list:
  """The tracks with fold `fold` as their predefined test split and every other split cleared.

  Predefined splits (a manifest's split column) are overridden: cross-validation pools all
  tracks. split_tracks then carves the validation set from the other folds.

  Args:
    tracks: the Tracks; every one must be in `ids`.
    ids: {(dataset, track_id): fold} (FoldAssignment.ids, drawn over these tracks or a pool
      holding them).
    fold: the test fold's index.

  Returns:
    New Tracks, in the same order, their split 'test' or ''.

  Raises:
    ValueError: a track is not in the folds' pool.
  """
  outside = [f"{t.dataset}/{t.track_id}" for t in tracks if (t.dataset, t.track_id) not in ids]
  if outside:
    raise ValueError(f"{len(outside)} track(s) are not in the fold pool (config.eval."
                     f"fold_pool), e.g. {outside[0]}.")
  return [dataclasses.replace(t, split="test" if ids[(t.dataset, t.track_id)] == fold else "")
          for t in tracks]


def hold_out_fold(tracks, folds: int, fold: int, seed: int, by_group: bool = True,
                  pool=None) -> list:
  """held_out of fold `fold` of the folds drawn over `pool` (default: these tracks).

  Args:
    tracks: the Tracks.
    folds: the number of folds.
    fold: the test fold's index, in [0, folds).
    seed: the seed of the fold draw.
    by_group: keep each group in one fold (see assign_folds).
    pool: the Tracks the folds are drawn over, holding `tracks` (None: `tracks` themselves).

  Returns:
    New Tracks, in the same order, their split 'test' or ''.
  """
  ids = fold_ids(tracks if pool is None else pool, folds, seed, by_group)
  return held_out(tracks, ids, fold)
