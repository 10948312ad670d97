"""Your own collection as class folders, like ImageFolder: `<root>/<label>/<any name>.<ext>`.

The folder names are the labels: genres (`data.folder.task = 'genre'`; the vocabulary is the
sorted folder names, so the genre head gets as many outputs as there are folders) or emotion
quadrants (`task = 'quadrant'`; names mapped through `data.folder.quadrant_map`). Files below a
label folder's subfolders count for that label. The helpers shared with the manifest dataset
(quadrant names, cache-safe track ids) live here too.

Groups (artist, album; a group is never split across train/val/test or folds): a CSV at the
folder root, `groups.csv` or else `metadata.csv`, with a file column (`path`, `file`, `stem`,
`song` or `track_id`: the file's stem or its path relative to the root) and a `group` or
`artist` column maps files to groups; without one, files in `<label>/<group>/<file>` take the
sub-folder's name as their group. Files with neither are groups of one. The CSV's other columns
are kept as the file's own labels (`Track.extra`, e.g. 4Q's `GenresStr` for the genre_tags
task), under their names as written in the header.
"""

import hashlib
import pathlib

from jmer import config as config_lib
from jmer.tasks import labels
from jmer.data import audio
from jmer.data import tracks as tracks_lib
from jmer.data.datasets import csvfile

GROUP_FILES = ("groups.csv", "metadata.csv")
FILE_COLUMNS = ("path", "file", "stem", "song", "track_id")
GROUP_COLUMNS = ("group", "artist")

# Names always understood as quadrants, whatever the config's map adds.
_BUILTIN_QUADRANT_NAMES = {
    **{f"q{i + 1}": i for i in range(len(labels.QUADRANTS))},
    **{name.lower(): i for i, name in enumerate(labels.QUADRANTS)},
    # The plain names too ('happy' for Q1_happy), so a user's quadrant_map only adds names.
    **{name.split("_", 1)[1].lower(): i for i, name in enumerate(labels.QUADRANTS)},
}


def quadrant_lookup(quadrant_map) -> dict:
  """{lower-case name: quadrant index} from 'name:Qn' entries plus Q1..Q4 and QUADRANTS names.

  Args:
    quadrant_map: 'name:Qn' strings, e.g. 'angry:Q2'.

  Returns:
    A dict from lower-case name to a 0-based quadrant index.
  """
  lookup = dict(_BUILTIN_QUADRANT_NAMES)
  for entry in quadrant_map:
    name, _, quadrant = str(entry).rpartition(":")
    lookup[name.strip().lower()] = int(quadrant.strip().lower().lstrip("q")) - 1
  return lookup


def quadrant_index(name: str, lookup: dict, where: str, key: str) -> int:
  """The quadrant a label names ('Q2', '2', 'angry', ...); ValueError names `where` and `key`.

  Args:
    name: the label as written.
    lookup: quadrant_lookup's dict.
    where: the file (and row) the label comes from, for the error.
    key: the config key that maps names to quadrants, for the error.

  Returns:
    The 0-based quadrant index.
  """
  value = name.strip().lower()
  value = f"q{value}" if value.isdigit() else value
  if value not in lookup:
    raise ValueError(f"{where}: {name!r} is not a quadrant name; known names are "
                     f"{sorted(lookup)}. Add it to config.{key} as '{name}:Qn'.")
  return lookup[value]


def collection_id(path) -> str:
  """'<name>-<hash of the full path>', the first part of every track id of a collection.

  Track.dataset must be the registry name ('folder', 'manifest': splitting and mixing group by
  it) and the feature cache is keyed by (dataset, track_id), so without this prefix two of your
  collections with the same relative file names would silently share cached features.

  Args:
    path: the collection's folder or manifest.

  Returns:
    '<stem>-<first 6 hex digits of the SHA-1 of the resolved path>'.
  """
  path = pathlib.Path(path).expanduser().resolve()
  digest = hashlib.sha1(str(path).encode()).hexdigest()[:6]
  return f"{path.stem}-{digest}"


def _is_hidden(path: pathlib.Path, root: pathlib.Path) -> bool:
  return any(part.startswith(".") for part in path.relative_to(root).parts)


def read_group_file(root: pathlib.Path):
  """({file stem or relative path: group}, {the same keys: the row's other columns as sorted
  (column, value) pairs}, the CSV's name) from the root's group CSV, or ({}, {}, '').

  Raises ValueError naming the file when it has no file or no group column.

  Args:
    root: the collection's folder.

  Returns:
    (groups, extras, file name), or ({}, {}, '') when the folder has no group CSV.
  """
  path = next((root / n for n in GROUP_FILES if (root / n).is_file()), None)
  if path is None:
    return {}, {}, ""
  raw = csvfile.read_rows(path)
  rows = [{k.lower(): v for k, v in row.items()} for row in raw]
  header = set(rows[0]) if rows else set()
  key = next((c for c in FILE_COLUMNS if c in header), None)
  group = next((c for c in GROUP_COLUMNS if c in header), None)
  if key is None or group is None:
    raise ValueError(f"{path}: a group file needs a file column (one of {FILE_COLUMNS}) and a "
                     f"group column (one of {GROUP_COLUMNS}); its header has {sorted(header)}.")
  groups = {row[key]: row[group].lower() for row in rows if row[key] and row[group]}
  extra = {row[key]: tuple(sorted((k, (v or "").strip()) for k, v in original.items()
                                  if k.lower() not in (key, group) and (v or "").strip()))
           for row, original in zip(rows, raw) if row[key]}
  return groups, extra, path.name


def _file_keys(rel: pathlib.PurePath) -> tuple:
  """The names a group file may give a file by: its path, its path below the label, its stem."""
  return (rel.as_posix(), pathlib.PurePath(*rel.parts[1:]).as_posix(), rel.stem)


def _group_of(rel: pathlib.PurePath, by_file: dict) -> str:
  for name in _file_keys(rel):
    if name in by_file:
      return by_file[name]
  return "" if by_file or len(rel.parts) < 3 else rel.parts[1]


def _extra_of(rel: pathlib.PurePath, extra_by_file: dict) -> tuple:
  return next((extra_by_file[n] for n in _file_keys(rel) if n in extra_by_file), ())


def files_by_label(root: pathlib.Path) -> tuple:
  """({label folder name: [audio file]}, [(path, reason)] skipped) of a class-folder collection.

  Non-audio files, files outside a label folder and empty label folders are reported as
  skipped; hidden files and the group CSV are ignored.

  Args:
    root: the collection's folder.

  Returns:
    The audio files by label (files below a label's subfolders count for it), and the skipped.
  """
  files, skipped = audio.walk_files(root)
  by_label = {}
  for path in (p for p in files if not _is_hidden(p, root)):
    rel = path.relative_to(root)
    if rel.as_posix() in GROUP_FILES:
      continue
    if path.suffix.lower() not in audio.AUDIO_EXTENSIONS:
      skipped.append((str(path), f"not an audio file (extensions: {audio.AUDIO_EXTENSIONS})"))
    elif len(rel.parts) < 2:
      skipped.append((str(path), "not inside a label folder (<root>/<label>/<file>)"))
    else:
      by_label.setdefault(rel.parts[0], []).append(path)
  skipped += [(str(p), "empty label folder: no audio files, so no class "
                       f"{p.name!r}; add files or remove the folder")
              for p in sorted(root.iterdir()) if p.is_dir() and not p.name.startswith(".")
              and p.name not in by_label and not any(p.rglob("*.*"))]
  return by_label, skipped


def list_tracks(config) -> tracks_lib.TrackList:
  """Lists the audio files of a user's folder (config.data.folder) with their labels.

  Args:
    config: the run config; uses data.folder.

  Returns:
    The folder's tracks.

  Raises:
    FileNotFoundError when data.folder.path is not a folder.
  """
  cfg = config.data.folder
  root = pathlib.Path(cfg.path).expanduser()
  if not root.is_dir():
    raise FileNotFoundError(f"config.data.folder.path = {cfg.path!r}: no such folder")
  prefix = collection_id(root)
  by_label, skipped = files_by_label(root)
  if not by_label:
    raise ValueError(f"config.data.folder.path = {cfg.path!r}: no audio files in label "
                     f"folders (<root>/<label>/<file>, extensions {audio.AUDIO_EXTENSIONS}).")
  label_names = tuple(sorted(by_label))
  if len(label_names) == 1 and config_lib.parse_sources(config.data.source) == ("folder",):
    raise ValueError(f"config.data.folder.path = {cfg.path!r}: only one class folder "
                     f"({label_names[0]!r}) holds audio; a classifier needs at least two. Add a "
                     "folder per class, or mix in another dataset (data.source='folder+gtzan').")
  if cfg.task == "genre":
    genre_names = label_names
    label_fields = {n: dict(genre=i) for i, n in enumerate(label_names)}
  else:
    genre_names = ()
    lookup = quadrant_lookup(cfg.quadrant_map)
    label_fields = {n: dict(quadrant=quadrant_index(n, lookup, f"folder {root / n}",
                                                    "data.folder.quadrant_map"))
                    for n in label_names}
  by_file, extra_by_file, group_file = read_group_file(root)
  tracks = [tracks_lib.Track(track_id=f"{prefix}/{path.relative_to(root).as_posix()}",
                             path=str(path), dataset="folder", **label_fields[label],
                             group=_group_of(path.relative_to(root), by_file),
                             extra=_extra_of(path.relative_to(root), extra_by_file))
            for label, paths in sorted(by_label.items()) for path in paths]
  counts = ", ".join(f"{n}={len(by_label[n])}" for n in label_names)
  groups = len({t.group for t in tracks if t.group})
  grouped = sum(bool(t.group) for t in tracks)
  group_note = (f"{group_file or '<label>/<group>/ sub-folders'} ({groups} groups, "
                f"{grouped} of {len(tracks)} files)") if groups else ""
  return tracks_lib.TrackList(
      name="folder", tracks=tracks, genre_names=genre_names, skipped=skipped,
      description=(f"class folders at {root}: {len(tracks)} files as {cfg.task} labels ({counts})"
                   + (f", grouped by {group_note}" if groups else "")),
      group_note=group_note)
