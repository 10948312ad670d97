r"""How long `jmer <command> --help` takes, against `python -c pass` as the baseline.

  python benchmarks/help_latency.py [--repeats 5]

Every command parses its arguments before importing anything heavy (Keras, JAX, TensorFlow,
librosa), so its help should cost a small multiple of a bare interpreter start. Runs each
command's help `--repeats` times in a fresh process, interleaved with the baseline (the
reference machine is shared, so absolute times drift; ratios of interleaved runs hold up), and
prints the median seconds and the ratio to the baseline's median. Writes
benchmarks/results/help_latency.json. Prints figures only; tests/cli/test_cli.py checks the
behaviour (no heavy import for --help), not a time.
"""

import argparse
import json
import os
import pathlib
import statistics
import subprocess
import sys
import time

REPO = pathlib.Path(__file__).resolve().parents[1]
COMMANDS = ["train", "predict", "demo", "export", "runs", "experiments"]


def _seconds(args) -> float:
  env = dict(os.environ, PYTHONPATH=str(REPO))
  start = time.perf_counter()
  subprocess.run([sys.executable, *args], cwd=REPO, env=env, check=True,
                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
  return time.perf_counter() - start


def measure(repeats: int) -> dict:
  """{label: median seconds} for the baseline, `jmer --help` and each command's --help."""
  cases = {"python -c pass (baseline)": ["-c", "pass"], "jmer --help": ["-m", "jmer", "--help"]}
  cases.update({f"jmer {c} --help": ["-m", "jmer", c, "--help"] for c in COMMANDS})
  times = {label: [] for label in cases}
  for _ in range(repeats):
    for label, args in cases.items():  # interleaved: drift hits every case alike
      times[label].append(_seconds(args))
  return {label: statistics.median(values) for label, values in times.items()}


def main():
  parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
  parser.add_argument("--repeats", type=int, default=5)
  args = parser.parse_args()
  medians = measure(args.repeats)
  baseline = medians["python -c pass (baseline)"]
  rows = [dict(case=label, seconds=round(s, 3), ratio=round(s / baseline, 1))
          for label, s in medians.items()]
  width = max(len(r["case"]) for r in rows)
  print(f"{'case'.ljust(width)}  median s  x baseline")
  for row in rows:
    print(f"{row['case'].ljust(width)}  {row['seconds']:8.3f}  {row['ratio']:10.1f}")
  out = REPO / "benchmarks" / "results" / "help_latency.json"
  out.write_text(json.dumps(dict(repeats=args.repeats, rows=rows), indent=2) + "\n")
  print(f"Wrote {out}")


if __name__ == "__main__":
  main()
