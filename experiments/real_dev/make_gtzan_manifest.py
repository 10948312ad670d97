r"""Writes a jmer manifest (path, genre, artist) of the real GTZAN clips in gtzan_real.

The manifest holds absolute paths, so it is generated on each machine rather than committed:

  python experiments/real_dev/make_gtzan_manifest.py \
      --data=../shared/data/gtzan_real --out=experiments/real_dev/gtzan_usable.csv

By default it lists `usable.txt`: the 296 clips that GTZAN's fault-filtered partition keeps
(Kereliuk, Sturm & Larsen), leaving out the repeats, distortions and mislabels of `faulty.txt`.
The genre of each clip is its folder name (genres/<genre>/<file>); its artist comes from
`artists.csv` (Sturm's GTZAN index, fingerprints where blank), so jmer's folds and splits keep
each artist on one side (GTZAN is stored in artist order: folds by track would leak artists).
`--list=balanced_140.txt --no-artists` writes the manifest of the earlier, track-split rows.
"""

import argparse
import csv
import os
import pathlib


def read_artists(data_dir: pathlib.Path) -> dict:
  """{clip path relative to gtzan_real: artist} from `data_dir/artists.csv`.

  Raises FileNotFoundError naming the file when it is missing, ValueError when a column is.
  """
  path = data_dir / "artists.csv"
  if not path.is_file():
    raise FileNotFoundError(f"{path}: no such file (gtzan_real/artists.csv gives each clip's "
                            "artist; pass --no-artists to split by track instead).")
  with path.open(newline="") as f:
    reader = csv.DictReader(f)
    if not {"file", "artist"} <= set(reader.fieldnames or ()):
      raise ValueError(f"{path}: needs 'file' and 'artist' columns, has {reader.fieldnames}.")
    return {row["file"].strip(): row["artist"].strip() for row in reader}


def manifest_rows(data_dir: pathlib.Path, list_file: str = "usable.txt", *,
                  artists: bool = True) -> list:
  """[(absolute path, genre, artist)] for every clip listed in `data_dir/list_file`.

  Args:
    data_dir: the gtzan_real folder.
    list_file: the clip list, paths relative to `data_dir`, one per line.
    artists: take each clip's artist from artists.csv; False leaves the artist ''.
  Returns:
    Rows in list order.
  Raises:
    FileNotFoundError naming the list, artists.csv or the first listed clip that is missing;
    ValueError naming a clip artists.csv has no artist for.
  """
  listing = data_dir / list_file
  if not listing.is_file():
    raise FileNotFoundError(f"{listing}: no such list (expected gtzan_real/{list_file}).")
  by_file = read_artists(data_dir) if artists else {}
  rows = []
  for line in listing.read_text().splitlines():
    if not line.strip():
      continue
    rel = pathlib.PurePosixPath(line.strip())
    path = (data_dir / rel).resolve()
    if not path.is_file():
      raise FileNotFoundError(f"{path}: listed in {listing} but not found.")
    artist = by_file.get(rel.as_posix(), "") if artists else ""
    if artists and not artist:
      raise ValueError(f"{data_dir / 'artists.csv'}: no artist for {rel}.")
    rows.append((str(path), rel.parent.name, artist))
  return rows


def write_manifest(rows, out) -> None:
  """Writes (path, genre, artist) rows as a jmer manifest at `out`, creating its folder."""
  out = pathlib.Path(out)
  out.parent.mkdir(parents=True, exist_ok=True)
  tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
  with tmp.open("w", newline="") as f:
    writer = csv.writer(f)
    writer.writerow(("path", "genre", "artist"))
    writer.writerows(rows)
  os.replace(tmp, out)  # runs reading the manifest never see it half-written


def main():
  parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
  parser.add_argument("--data", default="../shared/data/gtzan_real", help="the gtzan_real folder")
  parser.add_argument("--list", default="usable.txt", help="clip list inside --data")
  parser.add_argument("--no-artists", action="store_true",
                      help="no artist column: folds and splits by track")
  parser.add_argument("--out", default="experiments/real_dev/gtzan_usable.csv")
  args = parser.parse_args()
  rows = manifest_rows(pathlib.Path(args.data).expanduser().resolve(), args.list,
                       artists=not args.no_artists)
  write_manifest(rows, args.out)
  print(f"Wrote {args.out}: {len(rows)} clips, {len({r[1] for r in rows})} genres, "
        f"{len({r[2] for r in rows if r[2]})} artists.")


if __name__ == "__main__":
  main()
