r"""Builds jmer's shipped real-music model from the real development sets (or cross-validates it).

  python tools/build_real_model.py --data=../shared/data
  python tools/build_real_model.py --data=../shared/data --cv --split-seeds=1,2,3

`--data` holds `gtzan_real/` (genres/<genre>/<clip>, usable.txt, artists.csv) and `4q_dev/`
(Q1..Q4/<clip>, metadata.csv with each song's artist): ../shared/data, or your own folders in the
same layout. The recipe is configs/real_music.py; this tool only points it at the data.

Build (default): trains on every usable clip (no test split, nothing held out for validation)
in --workdir, then writes --out (default: the package's jmer/resources/models/real_music.keras)
with the recipe (the resolved config and this command), the data listing (each clip's path
relative to --data, label, artist and SHA-1) and its digest inside the model file's metadata.

--cv: 5-fold cross-validation of the same recipe, folds grouped by artist on both sets, once per
split seed, in --workdir/cv_<heads>_seed<k>/ (crossval.json, per-fold metrics.json and
test_predictions.csv). --heads=genre or quadrant trains the single-task counterpart (one head,
one data set), the comparison the shipped recipe was chosen by. --set=KEY=VALUE changes one key
of the recipe for a cross-validated candidate (a lever measured against the recipe).
"""

import argparse
import ast
import csv
import datetime
import hashlib
import importlib.util
import json
import pathlib
import shutil
import sys

REPO = pathlib.Path(__file__).resolve().parent.parent
DEFAULT_OUT = REPO / "jmer" / "resources" / "models" / "real_music.keras"
# genre_by_track: the genre head alone with GTZAN folds by track instead of by artist (the
# older protocol), to measure how much leaking artists across folds overstates the score.
HEADS = ("joint", "genre", "quadrant", "genre_by_track")
DATA_KEYS = ("data.manifest.path", "data.folder.path", "data.cache_dir")  # machine-specific


def _load(path: pathlib.Path, name: str):
  spec = importlib.util.spec_from_file_location(name, path)
  module = importlib.util.module_from_spec(spec)
  spec.loader.exec_module(module)
  return module


def recipe_config(data: pathlib.Path, manifest: pathlib.Path, heads: str = "joint"):
  """configs/real_music.py pointed at `data`; `heads` = joint, genre or quadrant only."""
  config = _load(REPO / "configs" / "real_music.py", "real_music_config").get_config()
  config.data.manifest.path = str(manifest)
  config.data.folder.path = str(data / "4q_dev")
  if heads in ("genre", "genre_by_track"):
    config.tasks.emotion, config.data.source = "none", "manifest"
  if heads == "genre_by_track":
    config.data.manifest.path = str(manifest.with_name(manifest.stem + "_by_track.csv"))
  elif heads == "quadrant":
    config.tasks.genre, config.data.source = False, "folder"
  return config


def parse_setting(text: str) -> tuple:
  """('a.b', value) of 'a.b=value': a Python literal, else a comma-separated tuple of names
  (for tuple keys), else the string."""
  key, sep, raw = text.partition("=")
  if not sep or not key:
    raise ValueError(f"--set {text!r}: expected KEY=VALUE, e.g. features.names=musicnn")
  try:
    return key.strip(), ast.literal_eval(raw)
  except (ValueError, SyntaxError):
    return key.strip(), tuple(raw.split(",")) if "," in raw else raw


def apply_setting(config, key: str, value) -> None:
  """Sets `key` in `config`, refusing a key the config does not have."""
  *parents, leaf = key.split(".")
  node = config
  for part in parents:
    node = node[part] if part in node else None
    if node is None:
      break
  if node is None or leaf not in node:
    raise SystemExit(f"error: --set {key}: no such config key")
  current = node[leaf]
  if isinstance(current, tuple) and not isinstance(value, tuple):
    value = (value,)
  node[leaf] = value


def recorded_config(config) -> dict:
  """The resolved config as the model file records it: {dotted key: JSON value}, without the
  machine-specific data paths."""
  from jmer.config import provenance
  flat = provenance.flatten(json.loads(json.dumps(config.to_dict(), default=list)))
  return {k: v for k, v in sorted(flat.items()) if k not in DATA_KEYS}


def _sha1(path: pathlib.Path) -> str:
  return hashlib.sha1(path.read_bytes()).hexdigest()[:16]


def data_listing(data: pathlib.Path, gtzan_rows) -> list:
  """[{file, task, label, artist, sha1}] of every clip the recipe trains on, sorted by file."""
  rows = [dict(file=str(pathlib.Path(p).relative_to(data)), task="genre", label=g, artist=a)
          for p, g, a in gtzan_rows]
  with (data / "4q_dev" / "metadata.csv").open(newline="") as f:
    artists = {r["Song"]: r["Artist"] for r in csv.DictReader(f)}
  for path in sorted((data / "4q_dev").glob("Q[1-4]/*.mp3")):
    rows.append(dict(file=str(path.relative_to(data)), task="quadrant", label=path.parent.name,
                     artist=artists.get(path.stem, "")))
  for row in rows:
    row["sha1"] = _sha1(data / row["file"])
  return sorted(rows, key=lambda r: r["file"])


def listing_digest(rows) -> str:
  return hashlib.sha1(json.dumps(rows, sort_keys=True).encode()).hexdigest()[:16]


def main(argv=None) -> int:
  parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
  parser.add_argument("--data", default="../shared/data",
                      help="the folder holding gtzan_real/ and 4q_dev/")
  parser.add_argument("--workdir", default="runs/real_music", help="where the runs go")
  parser.add_argument("--out", default=str(DEFAULT_OUT), help="the model file to write")
  parser.add_argument("--cv", action="store_true", help="cross-validate instead of building")
  parser.add_argument("--split-seeds", default="1,2,3", help="--cv: comma-separated seeds")
  parser.add_argument("--heads", choices=HEADS, default="joint",
                      help="--cv: the joint model or a single-task counterpart")
  parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                      help="--cv: change one config key of the recipe (a candidate lever), e.g. "
                           "--set=features.names=musicnn,musicnn_mtt or "
                           "--set=data.train_tracks=160; repeatable")
  parser.add_argument("--name", default="",
                      help="--cv: the runs go to cv_<name>_seed<k> (default: the --heads name)")
  args = parser.parse_args(argv)
  try:
    overrides = [parse_setting(text) for text in args.set]
  except ValueError as error:
    print(f"error: {error}", file=sys.stderr)
    return 2
  if overrides and not args.cv:
    print("error: --set changes a cross-validated candidate; the shipped model is built from "
          "configs/real_music.py as it is", file=sys.stderr)
    return 2
  data, workdir = pathlib.Path(args.data).expanduser().resolve(), pathlib.Path(args.workdir)
  for needed in (data / "gtzan_real" / "usable.txt", data / "4q_dev" / "metadata.csv"):
    if not needed.is_file():
      print(f"error: {needed}: no such file (--data must hold gtzan_real/ and 4q_dev/)",
            file=sys.stderr)
      return 2
  manifests = _load(REPO / "experiments" / "real_dev" / "make_gtzan_manifest.py", "manifest")
  gtzan_rows = manifests.manifest_rows(data / "gtzan_real")
  manifest = workdir / "gtzan_usable.csv"
  manifests.write_manifest(gtzan_rows, manifest)
  if args.heads == "genre_by_track":  # the same clips with no artist column: folds by track
    manifests.write_manifest([(p, g, "") for p, g, _ in gtzan_rows],
                             manifest.with_name(manifest.stem + "_by_track.csv"))

  import jmer  # noqa: F401  (the JAX backend before Keras loads)
  from jmer.training import crossval
  from jmer.training import train
  if args.cv:
    for seed in (int(s) for s in args.split_seeds.split(",")):
      config = recipe_config(data, manifest, args.heads)
      config.eval.folds, config.data.split_seed = 5, seed
      for key, value in overrides:
        apply_setting(config, key, value)
      crossval.cross_validate(config, workdir / f"cv_{args.name or args.heads}_seed{seed}")
    return 0

  config = recipe_config(data, manifest)
  config.data.test_fraction = 0.0  # the shipped model trains on every clip
  run = workdir / "final"
  train.train_and_evaluate(config, run)
  from jmer.inference import export
  listing = data_listing(data, gtzan_rows)
  recipe = dict(config_file="configs/real_music.py",
                command="python tools/build_real_model.py --data=<folder with gtzan_real/ and "
                        "4q_dev/>",
                overrides={"data.test_fraction": 0.0},
                config=recorded_config(config),
                built=datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
                data_digest=listing_digest(listing))
  out = pathlib.Path(args.out)
  tmp = workdir / "real_music.keras"
  export.export_from_workdir(run, tmp, extra=dict(recipe=recipe, data_listing=listing))
  out.parent.mkdir(parents=True, exist_ok=True)
  shutil.copyfile(tmp, out)
  print(f"Wrote {out} ({out.stat().st_size / 1e6:.1f} MB; {len(listing)} clips, data digest "
        f"{recipe['data_digest']})")
  return 0


if __name__ == "__main__":
  sys.exit(main())
