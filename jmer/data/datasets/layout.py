"""Finding a real dataset's folder under the data root, and saying clearly when it is not there.

The data root (`config.data.root`, else $JMER_DATA) holds one folder per dataset: `gtzan/`,
`deam/`, `emomusic/`, `4q/`, or where `config.data.dirs` says ('gtzan:gtzan_real': the folder
gtzan_real/ under the root). Every error names the path looked at, what was expected there and
where to get the data, because the user downloaded it by hand and is the only one who can fix it.
"""

import os
import pathlib

from jmer import config as config_lib
from jmer.data import audio


class DatasetLayoutError(FileNotFoundError):
  """A dataset folder is missing or malformed; the message says where, what and how to fix."""


def data_root(config):
  """The data root as a Path, or None when neither config.data.root nor $JMER_DATA is set.

  Args:
    config: the run config.

  Returns:
    config.data.root (else $JMER_DATA) with ~ expanded, or None.
  """
  root = config.data.root or os.environ.get("JMER_DATA", "")
  return pathlib.Path(root).expanduser() if root else None


def layout_error(path, expected: str, where_to_get: str) -> DatasetLayoutError:
  """Returns (does not raise) a DatasetLayoutError naming `path`, what was expected there and
  where to get the dataset."""
  return DatasetLayoutError(f"{path}: {expected}\nWhere to get it: {where_to_get}")


def require_root(config, dataset: str, where_to_get: str) -> pathlib.Path:
  """The data root, which must be set and exist.

  Args:
    config: the run config; uses data.root (or $JMER_DATA).
    dataset: the dataset's folder name, for the error message.
    where_to_get: how to obtain the dataset, for the error message.

  Returns:
    The data root folder.

  Raises:
    DatasetLayoutError when it is not set or not a folder.
  """
  root = data_root(config)
  if root is None:
    raise layout_error(
        "config.data.root", f"is not set and JMER_DATA is empty, so {dataset} cannot be found. "
        f"Pass --config.data.root=/path/to/data (or export JMER_DATA) where "
        f"/path/to/data/{dataset}/ holds the dataset.", where_to_get)
  if not root.is_dir():
    raise layout_error(root, f"data root does not exist (expected a folder holding {dataset}/).",
                       where_to_get)
  return root


def configured_dir(config, dataset: str) -> pathlib.Path | None:
  """<root>/<path> when config.data.dirs names `dataset` ('name:path'), else None.

  Args:
    config: the run config; uses data.dirs and data.root (or $JMER_DATA).
    dataset: the dataset's registry name.

  Returns:
    The configured folder (whether or not it exists), or None when data.dirs does not name the
    dataset or no data root is set.
  """
  root = data_root(config)
  path = config_lib.parse_dataset_dirs(config.data.dirs).get(dataset)
  return root / path if root is not None and path else None


def dataset_dir(config, dataset: str, aliases) -> pathlib.Path | None:
  """The dataset's folder: the one data.dirs names, else the root's sub-folder called one of
  `aliases` (ignoring case).

  Args:
    config: the run config.
    dataset: the dataset's registry name.
    aliases: the sub-folder names accepted under the root.

  Returns:
    The folder, or None when there is no data root or no such folder.
  """
  configured = configured_dir(config, dataset)
  if configured is not None:
    return configured if configured.is_dir() else None
  root = data_root(config)
  return child_dir(root, aliases) if root is not None else None


def require_dataset_dir(config, dataset: str, aliases, missing: str,
                        where_to_get: str) -> pathlib.Path:
  """dataset_dir, which must exist; the error names where it looked and what belongs there.

  Args:
    config: the run config.
    dataset: the dataset's registry name.
    aliases: the sub-folder names accepted under the root.
    missing: the error message's sentence when the folder is not there, saying what belongs
      in it.
    where_to_get: how to obtain the dataset, for the error message.

  Returns:
    The dataset's folder.

  Raises:
    DatasetLayoutError: no data root, or no folder there.
  """
  root = require_root(config, dataset, where_to_get)
  folder = dataset_dir(config, dataset, aliases)
  if folder is None:
    where = configured_dir(config, dataset) or root / dataset
    raise layout_error(where, missing, where_to_get)
  return folder


def child_dir(parent: pathlib.Path, names) -> pathlib.Path | None:
  """The sub-folder of `parent` whose name matches one of `names` ignoring case, or None.

  Args:
    parent: the folder to look in.
    names: the accepted names.

  Returns:
    The first match in sorted order, or None (also when parent is not a folder).
  """
  if not parent.is_dir():
    return None
  wanted = {n.lower() for n in names}
  for child in sorted(parent.iterdir()):
    if child.is_dir() and child.name.lower() in wanted:
      return child
  return None


def find_first(folder: pathlib.Path, pattern: str, *, dirs: bool = False):
  """The first path below `folder` (recursively, sorted) matching `pattern`, or None.

  Args:
    folder: the folder to search; hidden paths are skipped.
    pattern: a glob pattern, e.g. '*.csv'.
    dirs: match folders instead of files.

  Returns:
    The first matching Path, or None.
  """
  hits = sorted(p for p in folder.rglob(pattern) if p.is_dir() == dirs and not _hidden(p))
  return hits[0] if hits else None


def _hidden(path: pathlib.Path) -> bool:
  return path.name.startswith(".")  # macOS '._x.wav' resource forks, .DS_Store


def audio_files_by_stem(folder: pathlib.Path):
  """({stem: path} of the audio files directly in `folder`, [(path, reason)] of odd files).

  Hidden files are ignored; other non-audio files and a second file with the same stem (e.g.
  both .au and .wav) are reported so the user sees them, and skipped.

  Args:
    folder: the folder to list (not recursively).

  Returns:
    ({stem: Path}, [(path, reason)]).
  """
  found, odd = {}, []
  for path in sorted(folder.iterdir()):
    if _hidden(path) or path.is_dir():
      continue
    if path.suffix.lower() not in audio.AUDIO_EXTENSIONS:
      odd.append((str(path), f"not an audio file (expected one of {audio.AUDIO_EXTENSIONS})"))
    elif path.stem in found:
      odd.append((str(path), f"duplicate of {found[path.stem].name}; using that one"))
    else:
      found[path.stem] = path
  return found, odd


def float_column(row: dict, names, csv_path, song_id) -> float:
  """The first of `names` present in an annotation row, as a float; errors name file and song.

  Args:
    row: the annotation row, {column: text}.
    names: the accepted column names, in order of preference.
    csv_path: the file, for errors.
    song_id: the row's song, for errors.

  Returns:
    The value as a float.

  Raises:
    ValueError: no column is present, or its value is not a number.
  """
  for name in names:
    if name in row:
      try:
        return float(row[name])
      except ValueError:
        raise ValueError(f"{csv_path}: song {song_id}: column {name!r} holds {row[name]!r}, "
                         "not a number") from None
  raise ValueError(f"{csv_path}: none of the columns {tuple(names)} found (header has "
                   f"{sorted(row)})")


# Static per-song AV columns: the dataset sites' names and the normalised copies' names.
AROUSAL_COLUMNS = ("arousal_mean", "mean_arousal")
VALENCE_COLUMNS = ("valence_mean", "mean_valence")


def static_av(rows, csv_path, scale=(1.0, 9.0)) -> dict:
  """{song id: (arousal, valence) in [-1, 1]} from static-annotation rows on a 1-9 scale.

  Args:
    rows: the annotation rows (csvfile.read_rows).
    csv_path: the file, for errors.
    scale: (low, high) of the annotation scale, mapped onto [-1, 1].

  Returns:
    A dict from song id (an integer as text) to (arousal, valence).

  Raises:
    ValueError: a row has no song_id or no usable arousal/valence column.
  """
  from jmer.tasks import labels
  out = {}
  for row in rows:
    song = row.get("song_id", "")
    if not song:
      raise ValueError(f"{csv_path}: no 'song_id' column (header has {sorted(row)})")
    arousal = float_column(row, AROUSAL_COLUMNS, csv_path, song)
    valence = float_column(row, VALENCE_COLUMNS, csv_path, song)
    out[str(int(float(song)))] = tuple(float(v) for v in labels.rescale_to_unit(
        [arousal, valence], *scale))
  return out


def pair_with_audio(annotated: dict, audio_by_stem: dict, csv_desc: str):
  """Matches annotated song ids with audio files by stem, in both directions.

  Returns ([(song id, path)], skipped) where skipped reports annotation rows whose audio is
  missing and audio files without an annotation row; both are left out, neither is fatal.
  """
  pairs, skipped = [], []
  for song in sorted(annotated, key=_song_order):
    if song in audio_by_stem:
      pairs.append((song, audio_by_stem[song]))
    else:
      skipped.append((f"{csv_desc} (song {song})", "annotated, but its audio file is missing"))
  for stem, path in sorted(audio_by_stem.items()):
    if stem not in annotated:
      skipped.append((str(path), f"audio file has no annotation row in {csv_desc}"))
  return pairs, skipped


def _song_order(song: str):
  return (0, int(song), "") if song.isdigit() else (1, 0, song)
