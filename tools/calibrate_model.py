r"""Stores per-head temperatures in a model file, fitted on the recipe's out-of-fold probabilities.

  python tools/calibrate_model.py                       # the shipped model, the committed raw file
  python tools/calibrate_model.py --check               # exit 1 unless the file holds them
  python tools/calibrate_model.py --results=<calibration_results.json> --model=<file.keras>

--results is the raw file of the `calibration` analysis (jmer.experiments.analyses.calibration;
default experiments/results/real_music/calibration_results.json): the out-of-fold probabilities
of the shipped recipe's cross-validation. Each head's temperature is fitted there on every
out-of-fold probability (each clip once per split seed, from a fold model that never trained on
it; the shipped model itself trained on every clip, so no clip is left to fit on) and written to
the model file's metadata (`calibration`: method, temperatures, what they were fitted on, the
raw file and its digest). Nothing is retrained: the weights and every other member of the file
stay byte for byte (jmer.models.model_file.update_metadata). Prediction then shows calibrated
probabilities (jmer.inference.predict).
"""

import argparse
import hashlib
import json
import pathlib
import sys

REPO = pathlib.Path(__file__).resolve().parent.parent
DEFAULT_RESULTS = REPO / "experiments" / "results" / "real_music" / "calibration_results.json"
DEFAULT_MODEL = REPO / "jmer" / "resources" / "models" / "real_music.keras"
METHOD = "temperature scaling: each class head's probabilities p become softmax(log p / T)"


def _shown(path: pathlib.Path) -> str:
  """The path relative to the repository (the model file records no absolute path)."""
  try:
    return path.resolve().relative_to(REPO).as_posix()
  except ValueError:
    return path.name


def calibration_metadata(results: pathlib.Path) -> dict:
  """The `calibration` metadata field fitted from a calibration analysis's raw file.

  Args:
    results: the raw file (calibration_results.json).

  Returns:
    {method, temperatures: {head: T}, fitted_on, clips: {head: out-of-fold probabilities fitted
    on}, source: the raw file (repo-relative), source_sha1}.
  """
  from jmer.experiments.analyses import calibration
  raw = json.loads(results.read_text())
  clips = {head: sum(len(r["labels"]) for r in raw["runs"]
                     if r["head"] == head and r["seed"] in calibration.SEEDS)
           for head in raw["heads"]}
  return dict(
      method=METHOD, temperatures=calibration.shipped_temperatures(raw),
      fitted_on=(f"the out-of-fold probabilities of {raw['source']}: each clip once per split "
                 "seed, predicted by a fold model (the same recipe on 4/5 of the clips) that "
                 "never trained on it; the shipped model trained on every clip"),
      clips=clips, source=_shown(results),
      source_sha1=hashlib.sha1(results.read_bytes()).hexdigest()[:16])


def main(argv=None) -> int:
  parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
  parser.add_argument("--results", default=str(DEFAULT_RESULTS),
                      help="the calibration analysis's raw file")
  parser.add_argument("--model", default=str(DEFAULT_MODEL), help="the model file to calibrate")
  parser.add_argument("--check", action="store_true",
                      help="change nothing; exit 1 unless the model holds these temperatures")
  args = parser.parse_args(argv)
  from jmer.models import model_file
  model, results = pathlib.Path(args.model), pathlib.Path(args.results)
  try:
    field = calibration_metadata(results)
    stored = model_file.read_metadata(model).get("calibration")
  except (OSError, ValueError, KeyError) as error:
    print(f"error: {error}", file=sys.stderr)
    return 2
  temperatures = ", ".join(f"{head} T = {t}" for head, t in field["temperatures"].items())
  if args.check:
    same = stored == field
    print(f"{model}: {'holds' if same else 'does not hold'} the temperatures {results} gives "
          f"({temperatures})")
    return 0 if same else 1
  model_file.update_metadata(model, {"calibration": field})
  print(f"Wrote the temperatures into {model}: {temperatures}")
  return 0


if __name__ == "__main__":
  sys.exit(main())
