"""Everything the trainer needs from the data side, assembled from a config in one call."""

import dataclasses
import logging

from jmer.data import features as features_lib
from jmer.data import folds
from jmer.data import pipeline
from jmer.data import tracks as tracks_lib
from jmer.data.datasets import DATASETS


@dataclasses.dataclass
class ExperimentData:
  splits: dict  # 'train' / 'val' / 'test' -> pipeline.SplitData
  genre_names: tuple
  params: dict  # feature name -> feature parameters (what the model's inputs mean)
  description: dict  # JSON-ready: source, per-split counts, skipped files, padded tracks


def _count_by(tracks, names):
  counts = {}
  for t in tracks:
    if t.genre >= 0:
      counts[names[t.genre]] = counts.get(names[t.genre], 0) + 1
  return counts


def load_experiment_data(config, progress: bool = True) -> ExperimentData:
  """Lists the configured dataset, caches its features, splits by track, loads the splits."""
  source = config.data.source
  if source not in DATASETS:
    raise ValueError(f"config.data.source = {source!r}: expected one of {sorted(DATASETS)}.")
  listing = DATASETS[source](config)
  tracks = tracks_lib.with_quadrants(listing.tracks, config.tasks.quadrant_threshold)
  tracks_lib.check_task_labels(tracks, config.tasks, source)
  params = features_lib.feature_params(config)
  cache_root = features_lib.default_cache_root(config)
  usable, unreadable = features_lib.build_cache(
      tracks, params, cache_root, workers=config.features.workers, progress=progress)
  skipped = list(listing.skipped) + list(unreadable)
  if skipped:
    logging.warning("Skipped %d file(s) that could not be used:\n%s", len(skipped),
                    "\n".join(f"  {path}: {reason}" for path, reason in skipped))
  if config.eval.fold >= 0:  # a cross-validation run: that fold is the test set
    usable = folds.hold_out_fold(usable, config.eval.folds, config.eval.fold, config.seed)
  by_split = tracks_lib.split_tracks(usable, config.data.val_fraction,
                                     config.data.test_fraction, config.seed)
  if not by_split["train"]:
    raise ValueError(f"No usable training tracks in data source {source!r} "
                     f"({len(tracks)} listed, {len(skipped)} skipped).")
  splits = {s: pipeline.load_split(by_split[s], params, cache_root) for s in tracks_lib.SPLITS}
  length = pipeline.segment_frames(config)
  padded = [t.track_id for s in splits.values() for i, t in enumerate(s.tracks)
            if s.frames(i) < length]
  description = dict(
      source=source, summary=listing.description, genre_names=list(listing.genre_names),
      tracks={s: len(splits[s].tracks) for s in splits},
      genre_counts={s: _count_by(splits[s].tracks, listing.genre_names) for s in splits},
      av_labelled={s: sum(t.has_av for t in splits[s].tracks) for s in splits},
      skipped=[dict(path=p, reason=r) for p, r in skipped],
      padded_tracks=padded, feature_cache=str(cache_root / "features"),
      features=params)
  return ExperimentData(splits=splits, genre_names=tuple(listing.genre_names), params=params,
                        description=description)
