"""`--mode=prepare`: check the dataset folders, report what is in them, build the feature cache.

Run once after downloading the data; training then starts straight away. Idempotent: a rerun
finds every feature cached and computes nothing (files that do not decode are tried again and
reported again, since the user may have replaced them).
"""

from jmer import config as config_lib
from jmer.data import loading
from jmer.data import tracks as tracks_lib


def report_lines(prep) -> list:
  """Human-readable per-dataset, per-split and per-class counts and the list of bad files.

  Args:
    prep: the PreparedTracks (loading.list_and_cache).

  Returns:
    The report's lines, without newlines.
  """
  lines = []
  for name, listing in prep.listings.items():
    lines.append(f"{name}: {listing.description}")
    for split in tracks_lib.SPLITS:
      own = [t for t in prep.by_split[split] if t.dataset == name]
      counts = ", ".join(f"{k} {v}" for k, v in sorted(tracks_lib.class_counts(own, prep.genre_names, ("genre", "quadrant")).items()))
      lines.append(f"  {split:5s} {len(own):5d} tracks  ({counts or 'no labels'})")
  if prep.skipped:
    lines.append(f"{len(prep.skipped)} bad or unmatched file(s), skipped:")
    lines += [f"  {path}: {reason}" for path, reason in prep.skipped]
  else:
    lines.append("No bad files.")
  total = sum(len(v) for v in prep.by_split.values())
  lines.append(f"Feature cache {prep.cache_root / 'features'}: {prep.built} track(s) computed "
               f"now, {total - prep.built} already cached.")
  return lines


def prepare(config, progress: bool = True) -> loading.PreparedTracks:
  """Validates the config and data folders, builds the cache, prints the report.

  Args:
    config: the run config.
    progress: show a progress bar while features are built.

  Returns:
    The PreparedTracks.
  """
  config_lib.validate(config)
  prep = loading.list_and_cache(config, progress=progress)
  print("\n".join(report_lines(prep)), flush=True)
  return prep
