r"""How cost grows with data: cache build time, one epoch's time and peak RSS at 1×, 2×, 4×.

  nice python -m benchmarks.scaling [--base 24] [--scales 1,2,4]

Each scale runs in its own process (so its peak RSS is its own) on `base × scale` clips of
30 s audio written as WAV: it builds the feature cache (2 workers), loads the training split as
train.py does (float16, as cached), and trains the default CRNN for two epochs of the real
TrainStream (crops_per_track=2), timing the median of epochs 2-4 (the first compiles). Prints each scale's
figures and their ratios to 1×: the goal is time ∝ data (ratio ≈ scale) and peak memory flat.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time


def run_scale(n_tracks: int, workdir: str) -> dict:
  """The child process: build, load, train; returns its figures."""
  import numpy as np
  import soundfile as sf
  from benchmarks import common
  from jmer.data import features as features_lib
  from jmer.data import split_arrays
  from jmer.data import train_stream as train_stream_lib
  from jmer.data import tracks as tracks_lib
  config = common.default_config()
  sr, rng = config.data.sample_rate, np.random.default_rng(0)
  tracks = []
  for i in range(n_tracks):
    t = np.arange(int(30 * sr)) / sr
    wave = 0.1 * np.sin(2 * np.pi * (110 + 20 * i) * t) + 0.01 * rng.normal(size=t.size)
    path = f"{workdir}/audio/t{i}.wav"
    os.makedirs(os.path.dirname(path), exist_ok=True)
    sf.write(path, wave.astype(np.float32), sr)
    tracks.append(tracks_lib.Track(f"t{i}", path, "bench", genre=i % 10,
                                   arousal=float(rng.uniform(-1, 1)),
                                   valence=float(rng.uniform(-1, 1))))
  params = features_lib.feature_params(config)
  start = time.perf_counter()
  features_lib.build_cache(tracks, params, f"{workdir}/cache", workers=2, progress=False)
  build_seconds = time.perf_counter() - start
  split = split_arrays.load_split(tracks, params, f"{workdir}/cache")
  stream = train_stream_lib.TrainStream(split, config)
  model = common.compiled_model(config, split, stream.steps_per_epoch)
  epochs = common.fit_seconds(model, stream.dataset(), epochs=4)
  return dict(tracks=n_tracks, cache_build_seconds=build_seconds,
              epoch_seconds=common.median(epochs[1:]),
              peak_rss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def main():
  parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
  parser.add_argument("--base", type=int, default=24)
  parser.add_argument("--scales", default="1,2,4")
  parser.add_argument("--child", type=int, default=0)
  parser.add_argument("--out", default=None)
  args = parser.parse_args()
  if args.child:
    with tempfile.TemporaryDirectory() as workdir:
      print("RESULT" + json.dumps(run_scale(args.child, workdir)))
    return
  from benchmarks import common
  results = {}
  for scale in map(int, args.scales.split(",")):
    done = subprocess.run([sys.executable, "-m", "benchmarks.scaling",
                           f"--child={args.base * scale}"], capture_output=True, text=True,
                          cwd=common.REPO, env=dict(os.environ, PYTHONPATH=str(common.REPO)))
    if done.returncode:
      raise SystemExit(done.stderr[-3000:])
    results[scale] = json.loads(done.stdout.split("RESULT", 1)[1].splitlines()[0])
  one = results[min(results)]
  print(f"{'scale':>5s} {'tracks':>6s} {'cache build s':>13s} {'epoch s':>8s} {'peak RSS MB':>11s}"
        "   (ratios to 1×)")
  for scale, r in results.items():
    r["ratios"] = {k: r[k] / one[k] for k in ("cache_build_seconds", "epoch_seconds",
                                              "peak_rss_mb")}
    print(f"{scale:>4d}× {r['tracks']:6d} {r['cache_build_seconds']:13.1f} "
          f"{r['epoch_seconds']:8.1f} {r['peak_rss_mb']:11.0f}   "
          + " / ".join(f"{v:.2f}" for v in r["ratios"].values()))
  common.write_json("scaling", dict(args=vars(args), results=results), args.out)


if __name__ == "__main__":
  main()
