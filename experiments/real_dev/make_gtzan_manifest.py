r"""Writes the genre manifest of gtzan_real/balanced_140.txt (14 clips per genre) for jmer.

The manifest holds absolute paths, so it is generated on each machine rather than committed:

  python experiments/real_dev/make_gtzan_manifest.py \
      --data=../shared/data/gtzan_real --out=experiments/real_dev/gtzan_balanced_140.csv

The genre of each clip is its folder name (genres/<genre>/<file>). GTZAN has no artist labels
here, so the manifest has no group column and k-fold splits by track.
"""

import argparse
import csv
import pathlib


def manifest_rows(data_dir: pathlib.Path, list_file: str = "balanced_140.txt") -> list:
  """[(absolute path, genre)] for every clip listed in `data_dir/list_file`, in list order.

  Raises FileNotFoundError naming the list or the first listed clip that is missing.
  """
  listing = data_dir / list_file
  if not listing.is_file():
    raise FileNotFoundError(f"{listing}: no such list (expected gtzan_real/{list_file}).")
  rows = []
  for line in listing.read_text().splitlines():
    rel = pathlib.PurePosixPath(line.strip())
    if not line.strip():
      continue
    path = (data_dir / rel).resolve()
    if not path.is_file():
      raise FileNotFoundError(f"{path}: listed in {listing} but not found.")
    rows.append((str(path), rel.parent.name))
  return rows


def write_manifest(rows, out) -> None:
  """Writes (path, genre) rows as a jmer manifest at `out`, creating its folder."""
  out = pathlib.Path(out)
  out.parent.mkdir(parents=True, exist_ok=True)
  with out.open("w", newline="") as f:
    writer = csv.writer(f)
    writer.writerow(("path", "genre"))
    writer.writerows(rows)


def main():
  parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
  parser.add_argument("--data", default="../shared/data/gtzan_real", help="the gtzan_real folder")
  parser.add_argument("--out", default="experiments/real_dev/gtzan_balanced_140.csv")
  args = parser.parse_args()
  rows = manifest_rows(pathlib.Path(args.data).expanduser().resolve())
  write_manifest(rows, args.out)
  print(f"Wrote {args.out}: {len(rows)} clips, {len({g for _, g in rows})} genres.")


if __name__ == "__main__":
  main()
