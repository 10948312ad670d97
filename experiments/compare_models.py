r"""Trains several configs on the same data and tabulates their test metrics in Markdown.

  python experiments/compare_models.py configs/mtl.py configs/mtl.py:fused \
      configs/mtl.py:transformer configs/mtl.py:fused,transformer [--set train.epochs=10]

Each spec is `<config file>[:<variants>]`; `--set key=value` overrides apply to every run (for a
shorter comparison). Runs go to runs/compare/<name> (rerunning resumes or reuses them) and the
table to runs/compare/results.md: genre accuracy and macro-F1, arousal and valence CCC (test
tracks), training time and epochs.
"""

import argparse
import ast
import importlib.util
import pathlib
import sys
import time

import jmer  # noqa: F401  (JAX backend before Keras)
from jmer import main as jmer_main

REPO = pathlib.Path(__file__).resolve().parents[1]


def load_config(spec: str, overrides=()):
  """The config of `path[:variants]`, with `key=value` overrides applied."""
  path, _, arg = spec.partition(":")
  module_spec = importlib.util.spec_from_file_location("_config", REPO / path)
  module = importlib.util.module_from_spec(module_spec)
  module_spec.loader.exec_module(module)
  config = module.get_config(arg or None)
  for item in overrides:
    key, _, text = item.partition("=")
    try:
      value = ast.literal_eval(text)
    except (ValueError, SyntaxError):
      value = text
    *sections, name = key.split(".")
    target = config
    for section in sections:
      target = target[section]
    target[name] = type(target[name])(value) if isinstance(target[name], float) else value
  return config


def table_row(name: str, config, report: dict, minutes: float) -> str:
  m = report["metrics"]
  genre, av = m.get("genre", {}), m.get("emotion_av", {})
  cell = lambda value: "–" if value is None else f"{value:.3f}"
  return (f"| {name} | {'+'.join(config.features.names)} | {config.model.trunk} | "
          f"{config.model.fusion if len(config.features.names) > 1 else '–'} | "
          f"{cell(genre.get('accuracy'))} | {cell(genre.get('macro_f1'))} | "
          f"{cell(av.get('arousal', {}).get('ccc'))} | {cell(av.get('valence', {}).get('ccc'))} | "
          f"{report['training']['epochs_done']} | {minutes:.1f} |")


HEADER = ("| run | features | trunk | fusion | genre acc | genre macro-F1 | arousal CCC | "
          "valence CCC | epochs | minutes |\n|---|---|---|---|---|---|---|---|---|---|")


def main():
  parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
  parser.add_argument("specs", nargs="+", help="config specs, e.g. configs/mtl.py:fused")
  parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                      help="override for every run, e.g. train.epochs=10")
  parser.add_argument("--root", default="runs/compare")
  args = parser.parse_args()
  from jmer.training import train  # after argument parsing, so --help stays fast
  root = pathlib.Path(args.root)
  rows = []
  for spec in args.specs:
    config = load_config(spec, args.set)
    name = pathlib.Path(jmer_main.default_workdir(spec)).name  # runs/<name>, as jmer.main names it
    start = time.perf_counter()
    report = train.train_and_evaluate(config, root / name)
    rows.append(table_row(name, config, report, (time.perf_counter() - start) / 60))
    print("\n".join([HEADER] + rows), flush=True)
  command = " ".join(["python", "experiments/compare_models.py"] + sys.argv[1:])
  table = "\n".join([HEADER] + rows)
  (root / "results.md").write_text(f"{table}\n\nCommand: `{command}`\n")
  print(f"\n{table}\n\nWrote {root / 'results.md'}")


if __name__ == "__main__":
  main()
