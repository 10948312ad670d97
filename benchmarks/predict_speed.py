r"""Prediction speed and memory on long files: real-time factor and peak RSS at 1, 10, 60 min.

  python benchmarks/predict_speed.py [--minutes 1 10 60] [--mp3]

Uses the default experiment's model (configs/mtl.py: CRNN on 10 s, 128-band log-mel segments)
with untrained weights (speed does not depend on the weights), exported like a training run
exports it. Audio is generated as 44.1 kHz stereo 16-bit WAV, so every run decodes, mixes
down, resamples to 22.05 kHz, computes features and runs the model: end to end.

Each length runs in its own process, so its peak RSS (ru_maxrss) is its own; the process first
predicts a 20 s file to load and jit-compile everything, and its peak RSS after that warm-up is
printed too: "growth" is what predicting the long file added on top. Prints figures only.
"""

import argparse
import json
import pathlib
import resource
import subprocess
import sys
import tempfile
import time

REPO = pathlib.Path(__file__).resolve().parents[1]
RATE, CHANNELS = 44100, 2


def write_test_audio(path, seconds: float, fmt: str = "WAV"):
  """Music-like audio (chords, a beat, noise) written block by block: memory stays small."""
  import numpy as np
  import soundfile as sf
  rng = np.random.default_rng(0)
  block = RATE * 10
  with sf.SoundFile(str(path), "w", RATE, CHANNELS, format=fmt) as out:
    for start in range(0, int(seconds * RATE), block):
      n = min(block, int(seconds * RATE) - start)
      t = (start + np.arange(n)) / RATE
      root = 110 * 2 ** (int(t[0] // 10) % 5 / 12)
      tone = sum(np.sin(2 * np.pi * root * k * t) / k for k in (1, 1.5, 2, 3))
      beat = np.exp(-30 * (t % 0.5)) * rng.standard_normal(n)
      mono = 0.15 * tone + 0.2 * beat + 0.01 * rng.standard_normal(n)
      out.write(np.stack([mono, 0.8 * mono], axis=1).astype(np.float32))


def measure(model_path: str, warmup_path: str, path: str) -> dict:
  """Runs in the child process: warm up, then time one end-to-end prediction."""
  from jmer.inference import export
  from jmer.inference import predict
  bundle = export.load_model_bundle(model_path)
  predict.predict_file(bundle, warmup_path)
  rss_warm = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
  start = time.perf_counter()
  result = predict.predict_file(bundle, path)
  seconds = time.perf_counter() - start
  rss_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
  return dict(audio_seconds=result["duration_seconds"], seconds=seconds,
              segments=result["segments"], rss_warm_mb=rss_warm, rss_peak_mb=rss_peak)


def export_default_model(path):
  from jmer.config import files as config_files
  from jmer.inference import export
  from jmer.tasks import labels
  from jmer.data import features
  from jmer.models import build
  config = config_files.load(str(REPO / "configs" / "mtl.py"))
  model = build.build_model(config, features.feature_params(config), labels.GTZAN_GENRES)
  export.export_model(model, config, labels.GTZAN_GENRES, path)


def main():
  parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
  parser.add_argument("--minutes", type=float, nargs="+", default=[1, 10, 60])
  parser.add_argument("--mp3", action="store_true", help="also time a 10 min stereo mp3")
  parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
  args = parser.parse_args()
  if args.child:
    print(json.dumps(measure(*args.child)))
    return
  with tempfile.TemporaryDirectory(prefix="jmer_bench_") as tmp:
    tmp = pathlib.Path(tmp)
    model = tmp / "model.keras"
    export_default_model(model)
    warmup = tmp / "warmup.wav"
    write_test_audio(warmup, 20)
    cases = [(f"{m:g} min wav", tmp / f"{m:g}min.wav", m, "WAV") for m in args.minutes]
    if args.mp3:
      cases.append(("10 min mp3", tmp / "10min.mp3", 10, "MP3"))
    print(f"{'file':<12} {'audio s':>8} {'wall s':>7} {'x real time':>11} "
          f"{'peak RSS MB':>11} {'after warm-up MB':>16} {'growth MB':>9}", flush=True)
    for label, path, minutes, fmt in cases:
      write_test_audio(path, minutes * 60, fmt)
      child = subprocess.run(
          [sys.executable, __file__, "--child", str(model), str(warmup), str(path)],
          capture_output=True, text=True, check=True)
      r = json.loads(child.stdout.strip().splitlines()[-1])
      print(f"{label:<12} {r['audio_seconds']:8.0f} {r['seconds']:7.2f} "
            f"{r['audio_seconds'] / r['seconds']:11.0f} {r['rss_peak_mb']:11.0f} "
            f"{r['rss_warm_mb']:16.0f} {r['rss_peak_mb'] - r['rss_warm_mb']:9.0f}", flush=True)
      path.unlink()


if __name__ == "__main__":
  main()
