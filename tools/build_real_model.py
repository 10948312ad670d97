r"""Builds jmer's shipped real-music model from the real development sets.

  python tools/build_real_model.py --data=../shared/data
  python tools/build_real_model.py --data=../shared/data --config=real_music:genre=beyond

`--config` names the recipe (default `real_music`, configs/real_music.py as it ships; an option
of it, e.g. `real_music:genre=beyond`, the genre head trained beyond GTZAN). `--data` holds `gtzan_real/` (genres/<genre>/<clip>, usable.txt, artists.csv) and `4q_dev/`
(Q1..Q4/<clip>, metadata.csv with each song's artist): ../shared/data, or your own folders in the
same layout. The recipe is configs/real_music.py, whose `gtzan` and `4q` datasets live in those
two folders; this tool only sets its data root to --data.

It trains on every usable clip (no test split, nothing held out for validation) in --workdir,
then writes --out (default: the package's jmer/resources/models/real_music.keras) with the
recipe (the resolved config and this command), the data listing (each clip's path relative to
--data, label, artist and SHA-1) and its digest inside the model file's metadata.

The recipe's cross-validation (joint and single-task heads, GTZAN folds by artist and by track)
is a suite: `python -m jmer.experiments experiments/shipped_recipe.py`. The file it writes has
no temperatures: `python tools/calibrate_model.py` then adds the shipped model's, fitted on that
cross-validation's out-of-fold probabilities (docs/model_card.md, calibration).
"""

import argparse
import datetime
import hashlib
import json
import pathlib
import shutil
import sys

REPO = pathlib.Path(__file__).resolve().parent.parent
DEFAULT_OUT = REPO / "jmer" / "resources" / "models" / "real_music.keras"
CONFIG = "real_music"  # configs/real_music.py, by its shipped name
# Where this machine keeps the data and caches: not part of the recipe, so not recorded.
MACHINE_KEYS = ("data.root", "data.cache_dir", "data.folder.path", "data.manifest.path")
OVERRIDES = {"data.test_fraction": 0.0}  # the shipped model trains on every clip
NEEDED = ("gtzan_real/usable.txt", "gtzan_real/artists.csv", "4q_dev/metadata.csv")


def recipe_config(data: pathlib.Path, spec: str = CONFIG):
  """configs/real_music.py (or `spec`, an option of it) with its data root at `data` (the
  folder of gtzan_real/, 4q_dev/).

  Args:
    data: the data folder.
    spec: the recipe, 'real_music' or 'real_music:<options>'.

  Returns:
    The recipe's ConfigDict, not yet validated.

  Raises:
    ValueError: `spec` is not configs/real_music.py or an option of it.
  """
  from jmer.config import files
  if spec.partition(":")[0] != CONFIG:
    raise ValueError(f"--config={spec!r}: the shipped model's recipe is {CONFIG!r} or an "
                     f"option of it, e.g. '{CONFIG}:genre=beyond'")
  config = files.load(spec)
  config.data.root = str(data)
  return config


def recorded_config(config) -> dict:
  """The resolved config as the model file records it: {dotted key: JSON value}, without the
  machine-specific data and cache paths."""
  from jmer.config import provenance
  flat = provenance.flatten(json.loads(json.dumps(config.to_dict(), default=list)))
  return {k: v for k, v in sorted(flat.items()) if k not in MACHINE_KEYS}


def _sha1(path: pathlib.Path) -> str:
  return hashlib.sha1(path.read_bytes()).hexdigest()[:16]


def data_listing(config) -> list:
  """[{file, task, label, artist, sha1}] of every clip the recipe trains on, sorted by file.

  Args:
    config: the recipe config (recipe_config): its data sources, listed from its data root.

  Returns:
    One row per clip: its path relative to the data root, 'genre' or 'quadrant', the genre's
    name or 'Q1'..'Q4', its artist as the folds group it (case-folded) and its SHA-1 prefix;
    a quadrant clip that also trains the genre head (config.data.genre_labels.allmusic) adds
    `genre`, its GTZAN label from its AllMusic genres.
  """
  from jmer import config as config_lib
  from jmer.data import genre_labels
  from jmer.data.datasets import DATASETS
  from jmer.tasks import labels
  root, g = pathlib.Path(config.data.root), config.data.genre_labels
  rows = []
  for name in config_lib.parse_sources(config.data.source):
    listing = DATASETS[name](config)
    for track in listing.tracks:
      task, label = (("genre", listing.genre_names[track.genre]) if track.genre >= 0
                     else ("quadrant", f"Q{track.quadrant + 1}"))
      path = pathlib.Path(track.path)
      rows.append(dict(file=str(path.relative_to(root)), task=task, label=label,
                       artist=track.group, sha1=_sha1(path)))
      extra = (genre_labels.training_genre(track, g.allmusic, g.own, labels.GTZAN_GENRES)
               if task == "quadrant" and g.allmusic != "none" else labels.NO_GENRE)
      if extra >= 0:
        rows[-1]["genre"] = labels.genre_label_name(extra, labels.GTZAN_GENRES)
  return sorted(rows, key=lambda r: r["file"])


def listing_digest(rows) -> str:
  """A 16-hex-digit digest of data_listing's rows: what the model was trained on, in one word."""
  return hashlib.sha1(json.dumps(rows, sort_keys=True).encode()).hexdigest()[:16]


def build(config, workdir: pathlib.Path, out: pathlib.Path, spec: str = CONFIG) -> tuple:
  """Trains the recipe on every clip in workdir/final and exports it, with its recipe and data
  listing, to `out`.

  Args:
    config: the recipe config with OVERRIDES applied.
    workdir: where the run goes.
    out: the model file to write.
    spec: the recipe as --config named it (recorded in the file).

  Returns:
    (the data listing, the recipe dict recorded in the file).
  """
  import jmer  # noqa: F401  (the JAX backend before Keras loads)
  from jmer.inference import export
  from jmer.training import train
  run = workdir / "final"
  train.train_and_evaluate(config, run)
  listing = data_listing(config)
  name, _, options = spec.partition(":")
  recipe = dict(config_file=f"configs/{name}.py" + (f":{options}" if options else ""),
                command="python tools/build_real_model.py --data=<folder with gtzan_real/ and "
                        "4q_dev/>" + (f" --config={spec}" if spec != CONFIG else ""),
                overrides=dict(OVERRIDES), config=recorded_config(config),
                built=datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
                data_digest=listing_digest(listing))
  tmp = workdir / out.name
  export.export_from_workdir(run, tmp, extra=dict(recipe=recipe, data_listing=listing))
  out.parent.mkdir(parents=True, exist_ok=True)
  shutil.copyfile(tmp, out)
  return listing, recipe


def main(argv=None) -> int:
  parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
  parser.add_argument("--data", default="../shared/data",
                      help="the folder holding gtzan_real/ and 4q_dev/")
  parser.add_argument("--workdir", default="runs/real_music", help="where the run goes")
  parser.add_argument("--out", default=str(DEFAULT_OUT), help="the model file to write")
  parser.add_argument("--config", default=CONFIG,
                      help=f"the recipe: {CONFIG!r} (as it ships) or an option of it, e.g. "
                           f"'{CONFIG}:genre=beyond'")
  args = parser.parse_args(argv)
  data = pathlib.Path(args.data).expanduser().resolve()
  missing = [data / n for n in NEEDED if not (data / n).is_file()]
  if missing:
    print(f"error: {missing[0]}: no such file (--data must hold gtzan_real/ and 4q_dev/)",
          file=sys.stderr)
    return 2
  try:
    config = recipe_config(data, args.config)
  except ValueError as error:
    print(f"error: {error}", file=sys.stderr)
    return 2
  for key, value in OVERRIDES.items():
    section, name = key.split(".")
    config[section][name] = value
  out = pathlib.Path(args.out)
  listing, recipe = build(config, pathlib.Path(args.workdir), out, args.config)
  print(f"Wrote {out} ({out.stat().st_size / 1e6:.1f} MB; {len(listing)} clips, data digest "
        f"{recipe['data_digest']}), without temperatures: python tools/calibrate_model.py "
        f"--model={out} adds them")
  return 0


if __name__ == "__main__":
  sys.exit(main())
