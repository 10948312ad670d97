r"""Speed of the shipped real-music model beside the from-scratch CRNN: first prediction in a
fresh process, and throughput on a batch of songs.

  python benchmarks/shipped_model_speed.py [--songs=DIR] [--n=20] [--rounds=3]

- **first prediction**: `python -m jmer.predict <one 30 s mp3>` in a new process (imports, model
  load, musicnn set-up, one prediction), wall time; `python -c pass` is timed in the same rounds
  as the baseline of what any Python process costs here.
- **throughput**: one process predicts `--n` 30 s songs after a warm-up song; audio seconds per
  wall second (× real time).
Both for the shipped model (jmer/resources/models/real_music.keras) and for the default
from-scratch CRNN (configs/mtl.py, untrained weights: speed does not depend on them), exported
the way training exports it. Songs: mp3s under --songs (default ../shared/data/4q_dev), else
generated 30 s stereo mp3s. The rounds interleave the models, so machine drift hits both alike.
Prints figures and ratios; writes benchmarks/results/shipped_model_speed.json.
"""

import argparse
import json
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time

REPO = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
from benchmarks import predict_speed  # noqa: E402


def _wall(command) -> float:
  start = time.perf_counter()
  subprocess.run(command, check=True, capture_output=True, cwd=REPO)
  return time.perf_counter() - start


def _throughput(model: str, songs) -> dict:
  """Runs in a child process: warm up on one song, then time the rest."""
  from jmer.inference import predict
  from jmer.models import model_file
  bundle = model_file.load_model_bundle(model)
  predict.predict_file(bundle, songs[0])
  start, audio = time.perf_counter(), 0.0
  for song in songs[1:]:
    audio += predict.predict_file(bundle, song)["duration_seconds"]
  seconds = time.perf_counter() - start
  return dict(audio_seconds=audio, seconds=seconds, x_real_time=audio / seconds)


def _songs(folder: pathlib.Path, n: int, tmp: pathlib.Path) -> list:
  found = sorted(folder.rglob("*.mp3"))[::7][:n + 1] if folder.is_dir() else []
  if len(found) > n:
    return [str(p) for p in found]
  made = []
  for i in range(n + 1):
    path = tmp / f"song{i}.mp3"
    predict_speed.write_test_audio(path, 30, "MP3")
    made.append(str(path))
  return made


def main():
  parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
  parser.add_argument("--songs", default=str(REPO.parent / "shared" / "data" / "4q_dev"))
  parser.add_argument("--n", type=int, default=20, help="songs in the throughput batch")
  parser.add_argument("--rounds", type=int, default=3, help="fresh-process timings per model")
  parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
  args = parser.parse_args()
  if args.child:
    print(json.dumps(_throughput(args.child[0], args.child[1:])))
    return
  from jmer.inference import shipped
  with tempfile.TemporaryDirectory(prefix="jmer_bench_") as tmp:
    tmp = pathlib.Path(tmp)
    crnn = tmp / "crnn.keras"
    predict_speed.export_default_model(crnn)
    models = {"shipped real-music (musicnn + heads)": str(shipped.shipped_model_path("real-music")),
              "from-scratch CRNN (configs/mtl.py)": str(crnn)}
    songs = _songs(pathlib.Path(args.songs), args.n, tmp)
    first = {name: [] for name in models}
    python = []
    for _ in range(args.rounds):
      python.append(_wall([sys.executable, "-c", "pass"]))
      for name, model in models.items():
        first[name].append(_wall([sys.executable, "-m", "jmer.predict", f"--model={model}",
                                  "--format=json", songs[0]]))
    results = dict(python_start_seconds=statistics.median(python), models={})
    print(f"python -c pass: {results['python_start_seconds']:.2f} s (median of {args.rounds})")
    print(f"{'model':<40} {'first prediction s':>18} {'x python start':>14} "
          f"{'batch x real time':>17}")
    for name, model in models.items():
      child = subprocess.run([sys.executable, __file__, "--child", model, *songs],
                             capture_output=True, text=True, check=True, cwd=REPO)
      batch = json.loads(child.stdout.strip().splitlines()[-1])
      seconds = statistics.median(first[name])
      results["models"][name] = dict(first_prediction_seconds=seconds,
                                     first_prediction_rounds=first[name], batch=batch)
      print(f"{name:<40} {seconds:18.2f} {seconds / results['python_start_seconds']:14.1f} "
            f"{batch['x_real_time']:17.0f}", flush=True)
    names = list(models)
    a, b = (results["models"][n] for n in names)
    print(f"shipped / CRNN: first prediction {a['first_prediction_seconds'] / b['first_prediction_seconds']:.2f}x, "
          f"throughput {a['batch']['x_real_time'] / b['batch']['x_real_time']:.2f}x")
    out = REPO / "benchmarks" / "results" / "shipped_model_speed.json"
    out.write_text(json.dumps(results, indent=1) + "\n")
    print(f"Wrote {out}")


if __name__ == "__main__":
  main()
