"""The data one run trains and evaluates on (RunData), assembled from a config in one call.

Several datasets can be used at once (`data.source = 'gtzan+deam'`, or 'auto'): each is listed
and split on its own (so each keeps its published split or gets its own stratified one), the
splits are then pooled, and a sample carries only the labels its dataset has (the others are
masked by a zero sample weight).
"""

import dataclasses
import logging

import numpy as np

from jmer.tasks import labels
from jmer.data import features as features_lib
from jmer.data import fold_pool
from jmer.data import folds
from jmer.data import genre_labels as genre_labels_lib
from jmer.data import segments as segments_lib
from jmer.data import split_arrays
from jmer.data import tracks as tracks_lib
from jmer.data.datasets import DATASETS
from jmer.data.datasets import sources as sources_lib


@dataclasses.dataclass
class RunData:
  splits: dict  # 'train' / 'val' / 'test' -> split_arrays.SplitData
  genre_names: tuple
  params: dict  # feature name -> feature parameters (what the model's inputs mean)
  description: dict  # JSON-ready: source, per-split counts, skipped files, padded tracks
  mix_weights: dict = dataclasses.field(default_factory=dict)  # dataset -> share of training


@dataclasses.dataclass
class PreparedTracks:
  """Listed, cached and split tracks of every configured dataset (what `prepare` reports)."""
  sources: tuple
  note: str  # which data is used, and why
  listings: dict  # dataset name -> TrackList (tracks remapped onto genre_names)
  genre_names: tuple
  by_split: dict  # split -> usable tracks of all datasets
  skipped: list  # (path, reason)
  params: dict
  cache_root: object
  built: int  # tracks whose features were computed now (0 on a rerun)
  folds: dict = dataclasses.field(default_factory=dict)  # how a fold run's folds were drawn


def merged_genre_names(listings) -> tuple:
  """The genre vocabulary of mixed datasets: GTZAN's when any genre-labelled dataset uses it,
  else the union of the genre-labelled datasets' vocabularies, in order.

  Args:
    listings: the datasets' TrackLists.

  Returns:
    A tuple of genre names (the first listing's when no dataset has genre labels).
  """
  labelled = [l.genre_names for l in listings if any(t.genre >= 0 for t in l.tracks)]
  if not labelled:
    return tuple(listings[0].genre_names)
  if any(tuple(names) == labels.GTZAN_GENRES for names in labelled):
    return labels.GTZAN_GENRES
  return tuple(dict.fromkeys(n for names in labelled for n in names))


def _onto_vocabulary(listing, genre_names):
  """The listing's tracks with genre indices into `genre_names`; masked where a name is absent."""
  if tuple(listing.genre_names) == tuple(genre_names):
    return listing.tracks
  index = {name: genre_names.index(name) if name in genre_names else labels.NO_GENRE
           for name in listing.genre_names}
  return [dataclasses.replace(t, genre=index[listing.genre_names[t.genre]] if t.genre >= 0
                              else labels.NO_GENRE) for t in listing.tracks]


def list_datasets(config):
  """(names, note, {name: TrackList}) of the configured datasets; prints which data is used,
  so every run's log starts with it.

  Args:
    config: the run config (data.source and the datasets' settings).

  Returns:
    (names, note, {name: TrackList}): the dataset names, the note on which data is used, and
    each dataset's listing.

  Raises:
    ValueError: data.source names an unknown dataset.
  """
  names, note = sources_lib.resolve_sources(config)
  print(f"jmer: using {note}", flush=True)
  unknown = [n for n in names if n not in DATASETS]
  if unknown:
    raise ValueError(f"config.data.source = {config.data.source!r}: {unknown} unknown; "
                     f"expected 'auto' or names from {sorted(DATASETS)} joined by '+'.")
  return names, note, {n: DATASETS[n](config) for n in names}


def drop_deam_copies_of_emomusic(listings) -> list:
  """Removes DEAM's copies of EmoMusic clips when both are used; returns the dropped tracks.

  DEAM's 2013 part is the EmoMusic clips under the same song ids; keeping both would put
  EmoMusic test songs into DEAM's training split. EmoMusic's copy (with genre) is kept.

  Args:
    listings: {name: TrackList}; DEAM's listing is changed in place.

  Returns:
    The dropped DEAM tracks ([] unless both datasets are used).
  """
  if "deam" not in listings or "emomusic" not in listings:
    return []
  shared = {t.track_id for t in listings["emomusic"].tracks}
  deam = listings["deam"]
  dropped = [t for t in deam.tracks if t.track_id in shared]
  deam.tracks = [t for t in deam.tracks if t.track_id not in shared]
  if dropped:
    print(f"jmer: {len(dropped)} DEAM song(s) are EmoMusic clips too; using EmoMusic's copy.")
  return dropped


def harmonise_labels(listings, config) -> tuple:
  """Puts every listing's genres onto one vocabulary and fills AV quadrants; returns it.

  Args:
    listings: {name: TrackList}; their tracks are replaced in place.
    config: the run config (tasks.quadrant_threshold).

  Returns:
    The shared genre vocabulary, a tuple of names (merged_genre_names).
  """
  genre_names = merged_genre_names(list(listings.values()))
  for listing in listings.values():
    listing.tracks = tracks_lib.with_quadrants(_onto_vocabulary(listing, genre_names),
                                               config.tasks.quadrant_threshold)
  return genre_names


def effective_val_fraction(config) -> float:
  """The share of tracks held out for validation: `data.val_fraction` when something is chosen
  on it (`train.select_on='val_loss'`) or a monitoring split is asked for
  (`train.monitor_split`); otherwise 0, so every non-test track trains.

  Args:
    config: the run config.

  Returns:
    The validation fraction of tracks, in [0, 1).
  """
  if config.train.select_on == "val_loss" or config.train.monitor_split:
    return config.data.val_fraction
  return 0.0


def split_each_dataset(usable, names, config, fold_ids=None) -> dict:
  """{split: tracks}: the test fold (cross-validation) or test fraction, then val, by track.

  The folds are drawn once over all datasets (jmer.data.folds); the test fraction and val are
  then cut from each dataset on its own, so each gets its share of val and test (and keeps a
  published split where it has one).

  Args:
    usable: the tracks with cached features.
    names: the dataset names, in order.
    config: the run config (data.split_seed, fractions, eval.fold / eval.folds).
    fold_ids: {(dataset, track_id): fold} of a fold run (fold_pool.assign); None draws the
      folds over `usable`.

  Returns:
    {'train' / 'val' / 'test': [Track]}.
  """
  seed = config.data.split_seed
  val_fraction = effective_val_fraction(config)
  if config.eval.fold >= 0:  # a cross-validation run: that fold is the test set
    if fold_ids is None:
      fold_ids = folds.fold_ids(usable, config.eval.folds, seed,
                                by_group=config.data.group_folds_by == "group")
    usable = folds.held_out(usable, fold_ids, config.eval.fold)
  by_split = {s: [] for s in tracks_lib.SPLITS}
  for name in names:
    own = tracks_lib.split_tracks([t for t in usable if t.dataset == name],
                                  val_fraction, config.data.test_fraction, seed)
    for s in tracks_lib.SPLITS:
      by_split[s] += own[s]
  by_split["train"] = limit_training_tracks(by_split["train"], int(config.data.train_tracks),
                                            seed)
  return by_split


def limit_training_tracks(train: list, limit: int, seed: int) -> list:
  """At most `limit` of the training tracks (0: all of them), drawn with `seed`.

  Each (dataset, genre, quadrant) stratum keeps its share of the tracks (largest remainders
  round), so a smaller training set keeps the label balance of the full one; the draw is
  nested: a larger limit keeps every track a smaller one keeps.

  Args:
    train: the training split's tracks.
    limit: the most tracks to keep; 0 or at least len(train) keeps them all.
    seed: the split seed (data.split_seed).

  Returns:
    The kept tracks, in their original order.
  """
  if limit <= 0 or limit >= len(train):
    return train
  strata = {}
  for i, t in enumerate(train):
    strata.setdefault((t.dataset, t.genre, t.quadrant), []).append(i)
  rng = np.random.default_rng([seed, 11])
  # A fixed random order per stratum makes the draws nested: a track kept at one limit is
  # kept at every larger one (up to rounding of the shares).
  order = {key: rng.permutation(members) for key, members in sorted(strata.items())}
  shares = {key: limit * len(members) / len(train) for key, members in order.items()}
  take = {key: int(share) for key, share in shares.items()}
  by_remainder = sorted(shares, key=lambda k: (take[k] - shares[k], k))
  for key in by_remainder[:limit - sum(take.values())]:
    take[key] += 1
  kept = sorted(int(i) for key, members in order.items() for i in members[:take[key]])
  return [train[i] for i in kept]


GTZAN_FOLDS_NOTE = (
    "k-fold on GTZAN splits by track, not by artist: this GTZAN copy has no artists.csv giving "
    "its clips' artists, so the fault-filtered split's artist conditioning does not carry over "
    "to the folds (its faulty tracks stay left out with data.split='standard'); same-artist "
    "clips can sit in train and test folds, which inflates accuracy. Use eval.folds=0 for the "
    "artist-conditional split.")
TRACK_FOLDS_NOTE = ("track: data.group_folds_by='track' ignores the listing's groups in the "
                    "folds, so same-group clips can sit in train and test folds")


def gtzan_folds_note(config, listing) -> str:
  """How a cross-validation run's GTZAN folds let artists leak ('' when they keep them apart).

  Args:
    config: the run config (eval.fold, data.group_folds_by).
    listing: GTZAN's TrackList.

  Returns:
    TRACK_FOLDS_NOTE, GTZAN_FOLDS_NOTE (no artists known) or ''.
  """
  if config.eval.fold < 0:
    return ""
  if config.data.group_folds_by == "track":
    return TRACK_FOLDS_NOTE
  return "" if listing.group_note else GTZAN_FOLDS_NOTE


def split_record(config, listings, by_split, fold_record=None) -> dict:
  """How the tracks were split, for metrics.json: seeds, mode, and per dataset whether (and by
  what) the split is grouped, with a check that no group sits in two splits.

  Args:
    config: the run config.
    listings: {name: TrackList}.
    by_split: {split: [Track]}.
    fold_record: how a fold run's folds were drawn (FoldAssignment.record), or None.

  Returns:
    A JSON-ready dict: seeds, split mode, per-dataset grouping, any shared groups and (a fold
    run) `folds`, the fold scheme.
  """
  fold_run = config.eval.fold >= 0
  per_dataset = {}
  for name, listing in listings.items():
    published = not fold_run and any(t.split for t in listing.tracks)
    grouped = bool(listing.group_note)
    note = listing.group_note
    if name == "gtzan" and published and config.data.split == "standard":
      grouped, note = True, "artist-conditional published split (Kereliuk & Sturm 2015)"
    elif fold_run and config.data.group_folds_by == "track" and grouped:
      grouped, note = False, TRACK_FOLDS_NOTE
    elif name == "gtzan" and fold_run and not grouped:
      note = GTZAN_FOLDS_NOTE
    per_dataset[name] = dict(grouped=grouped, by=note or "track")
  shared = tracks_lib.shared_groups(by_split)
  return dict(seed=config.seed, split_seed=config.data.split_seed,
              mode=(f"{config.eval.folds}-fold, test = fold {config.eval.fold}" if fold_run
                    else config.data.split),
              grouped=all(d["grouped"] for d in per_dataset.values()),
              per_dataset=per_dataset, groups_in_two_splits=sorted(shared),
              **(dict(folds=fold_record) if fold_record else {}))


def list_and_cache(config, progress: bool = True) -> PreparedTracks:
  """Lists every configured dataset, builds the missing features, splits each dataset by track.

  Args:
    config: the run config.
    progress: show a progress bar while features are built.

  Returns:
    The PreparedTracks: sources, listings, feature parameters, cache root and split tracks.
  """
  names, note, listings = list_datasets(config)
  drop_deam_copies_of_emomusic(listings)
  drawn = fold_pool.assign(config, names, listings) if config.eval.fold >= 0 else None
  genre_names = harmonise_labels(listings, config)
  tracks = [t for listing in listings.values() for t in listing.tracks]
  tracks_lib.check_task_labels(tracks, config, " + ".join(names))
  params = features_lib.feature_params(config)
  cache_root = features_lib.default_cache_root(config)
  built = sum(1 for t in tracks if not features_lib.is_cached(t, params, cache_root))
  usable, unreadable = features_lib.build_cache(
      tracks, params, cache_root, workers=config.features.workers, progress=progress)
  skipped = [s for listing in listings.values() for s in listing.skipped] + list(unreadable)
  if skipped:
    logging.warning("Skipped %d file(s) that could not be used:\n%s", len(skipped),
                    "\n".join(f"  {path}: {reason}" for path, reason in skipped))
  by_split = split_each_dataset(usable, names, config, drawn.ids if drawn else None)
  # After the folds and splits: extra training labels never change which clip is tested.
  by_split = genre_labels_lib.with_training_labels(by_split, config, genre_names)
  if "gtzan" in names and gtzan_folds_note(config, listings["gtzan"]):
    logging.warning("GTZAN folds: %s", gtzan_folds_note(config, listings["gtzan"]))
  if not by_split["train"]:
    raise ValueError(f"No usable training tracks in data source {' + '.join(names)} "
                     f"({len(tracks)} listed, {len(skipped)} skipped).")
  return PreparedTracks(sources=names, note=note, listings=listings, genre_names=genre_names,
                        by_split=by_split, skipped=skipped, params=params,
                        cache_root=cache_root, built=built - len(unreadable),
                        folds=drawn.record if drawn else {})


def per_dataset_counts(by_split, genre_names) -> dict:
  """{dataset: {split: {tracks, genre_counts, av_labelled}}}, JSON-ready.

  Args:
    by_split: {split: [Track]}.
    genre_names: the genre vocabulary.

  Returns:
    Per dataset and split: the number of tracks, tracks per genre, and tracks with AV labels.
  """
  out = {}
  for split, tracks in by_split.items():
    for name in dict.fromkeys(t.dataset for t in tracks):
      own = [t for t in tracks if t.dataset == name]
      out.setdefault(name, {})[split] = dict(
          tracks=len(own), genre_counts=tracks_lib.class_counts(own, genre_names),
          av_labelled=sum(t.has_av for t in own))
  return out


def load_run_data(config, progress: bool = True) -> RunData:
  """Lists the configured datasets, caches their features, splits by track, loads the splits.

  Args:
    config: the run config.
    progress: show a progress bar while features are built.

  Returns:
    The RunData: each split's features and labels, the genre vocabulary, the feature
    parameters and a JSON-ready description of the data.
  """
  prep = list_and_cache(config, progress=progress)
  params, cache_root, genre_names = prep.params, prep.cache_root, prep.genre_names
  splits = {s: split_arrays.load_split(prep.by_split[s], params, cache_root)
            for s in tracks_lib.SPLITS}
  length = segments_lib.segment_frames(config)
  padded = [t.track_id for s in splits.values() for i, t in enumerate(s.tracks)
            if s.frames(i) < length]
  weights = dict(zip(prep.sources, sources_lib.mix_weights(config, prep.sources)))
  description = dict(
      source=" + ".join(prep.sources), data_used=prep.note,
      real_data=prep.sources != ("synthetic",),
      summary="; ".join(l.description for l in prep.listings.values()),
      genre_names=list(genre_names),
      tracks={s: len(splits[s].tracks) for s in splits},
      genre_counts={s: tracks_lib.class_counts(splits[s].tracks, genre_names) for s in splits},
      av_labelled={s: sum(t.has_av for t in splits[s].tracks) for s in splits},
      per_dataset=per_dataset_counts(prep.by_split, genre_names),
      mix_weights=weights if len(weights) > 1 else {},
      skipped=[dict(path=p, reason=r) for p, r in prep.skipped],
      padded_tracks=padded, feature_cache=str(cache_root / "features"),
      features=params, split=split_record(config, prep.listings, prep.by_split, prep.folds),
      fingerprint=tracks_lib.data_fingerprint(prep.sources, prep.by_split))
  return RunData(splits=splits, genre_names=genre_names, params=params,
                        description=description, mix_weights=weights)
