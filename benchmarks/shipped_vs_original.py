r"""The shipped model's prediction speed against the original musicnn implementation, measured
in the same run (issue 32 item 5).

  python benchmarks/shipped_vs_original.py [--songs=DIR] [--n=10] [--rounds=2]

- **throughput**: one process predicts `--n` 30 s songs after a warm-up song (and, for jmer,
  a call of every padded size, so no compilation is timed); audio seconds per wall second
  (x real time).
  - jmer: the shipped real-music model as `jmer predict a.mp3 b.mp3 ...` runs it
    (jmer.inference.many_files: files prepared ahead, their patches batched), and one file at
    a time (predict_file in a loop, as `jmer.load_model().predict` is called);
  - the original: the MTG's frozen TensorFlow graph of MSD-musicnn (Essentia's
    msd-musicnn-1.pb in ../shared/data/essentia_models/av_heads/, CC BY-NC-ND 4.0) run with
    tensorflow-cpu's tf.compat.v1, fed the way musicnn 0.1.0's `extractor` feeds it: librosa
    loads the file at 16 kHz, librosa's melspectrogram, float16, log10(1 + 10000 x), 3 s
    non-overlapping patches, `sess.run` on batches of BATCH_SIZE = 1 patch (musicnn's
    configuration), all of it once per network. The shipped model runs two networks (MSD and
    MTT); the MTG publishes no MTT-musicnn frozen graph here (and the musicnn package does
    not install on Python 3.11: it pins numpy<1.17), so the MSD graph runs twice, the MTT
    network having the same architecture and so the same cost. "original, all patches per
    call" feeds each network's patches in one sess.run (a stronger baseline than musicnn's own).
- **first prediction**: wall time of a fresh process predicting one 30 s song: `python -m
  jmer.predict --format=json song` with a warm cache (the user's jmer cache after a first run),
  a cold XLA compilation cache (JAX_COMPILATION_CACHE_DIR an empty temporary folder; jmer's
  exported programs kept), and a cold jmer cache (JMER_CACHE an empty temporary folder: no
  exported programs either, so Keras loads the model), and a fresh process running the original (imports, graph loading, one
  song). `python -c pass` is timed in the same rounds.
Rounds interleave jmer and the original, so machine drift hits both alike. Prints the figures
and the ratios; writes benchmarks/results/shipped_vs_original.json.
"""

import argparse
import json
import os
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time

REPO = pathlib.Path(__file__).resolve().parents[1]
GRAPH = REPO.parent / "shared" / "data" / "essentia_models" / "av_heads" / "msd-musicnn-1.pb"
PATCH_FRAMES = 187  # librosa.time_to_frames(3, sr=16000, n_fft=512, hop_length=256) + 1


def _jmer_throughput(songs, one_by_one: bool) -> dict:
  """Child process: the shipped model on songs[1:] after a warm-up on songs[0]."""
  from jmer.inference import compilation_cache
  from jmer.inference import exported
  from jmer.inference import many_files
  from jmer.inference import predict
  from jmer.inference import shipped
  compilation_cache.enable()
  bundle = exported.load_bundle(shipped.shipped_model_path("real-music"))
  list(many_files.predict_files(bundle, songs[:1]))
  import numpy as np
  from jmer.inference import musicnn_engine
  for size in musicnn_engine.CALL_SIZES:  # every call shape compiled before the clock starts
    predict.engine_of(bundle).embed(np.zeros((size, 187, 96), np.float32))
  start, cpu = time.perf_counter(), time.process_time()
  if one_by_one:
    results = [predict.predict_file(bundle, song) for song in songs[1:]]
  else:
    results = [r for _, r in many_files.predict_files(bundle, songs[1:])]
  return _rates(sum(r["duration_seconds"] for r in results), start, cpu)


def _rates(audio: float, start: float, cpu: float) -> dict:
  """x real time in wall time, and in CPU time (all threads of this process): on a shared
  machine a process that spins its idle threads gets more of the cores, so the CPU figure is
  the work done and the wall figure what a user waits."""
  seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu
  return dict(audio_seconds=audio, seconds=seconds, x_real_time=audio / seconds,
              cpu_seconds=cpu_seconds, x_real_time_cpu=audio / cpu_seconds)


def _original_graph():
  """(session, patch input, feeds besides the patches, outputs) of the frozen graph."""
  import tensorflow as tf
  graph_def = tf.compat.v1.GraphDef()
  graph_def.ParseFromString(GRAPH.read_bytes())
  graph = tf.Graph()
  with graph.as_default():
    tf.compat.v1.import_graph_def(graph_def, name="")
  placeholders = [op for op in graph.get_operations() if op.type == "Placeholder"]
  patches = graph.get_tensor_by_name("model/Placeholder:0")
  others = {op.outputs[0]: False for op in placeholders if op.name != "model/Placeholder"}
  outputs = [graph.get_tensor_by_name(n) for n in ("model/Sigmoid:0", "model/dense/BiasAdd:0")]
  return tf.compat.v1.Session(graph=graph), patches, others, outputs


def _original_song(song, graphs, batch_size) -> float:
  """musicnn's extractor on one song for each network; returns the song's duration (s)."""
  import librosa
  import numpy as np
  duration = 0.0
  for session, patches, others, outputs in graphs:  # extractor() is called once per network
    audio, sr = librosa.load(song, sr=16000)
    mel = librosa.feature.melspectrogram(y=audio, sr=sr, hop_length=256, n_fft=512, n_mels=96).T
    rep = np.log10(10000 * mel.astype(np.float16) + 1)
    batch = np.stack([rep[t:t + PATCH_FRAMES]
                      for t in range(0, len(rep) - PATCH_FRAMES + 1, PATCH_FRAMES)])
    for first in range(0, len(batch), batch_size or len(batch)):
      session.run(outputs, {patches: batch[first:first + (batch_size or len(batch))], **others})
    duration = len(audio) / sr
  return duration


def _original_throughput(songs, batch_size) -> dict:
  """Child process: the original on songs[1:] after a warm-up on songs[0]."""
  import warnings
  warnings.simplefilter("ignore")
  graphs = [_original_graph(), _original_graph()]  # MSD, and MSD standing in for MTT
  _original_song(songs[0], graphs, batch_size)
  start, cpu = time.perf_counter(), time.process_time()
  return _rates(sum(_original_song(song, graphs, batch_size) for song in songs[1:]), start, cpu)


def _original_first(song) -> dict:
  """Child process: a fresh process's first prediction with the original."""
  import warnings
  warnings.simplefilter("ignore")
  graphs = [_original_graph(), _original_graph()]
  return dict(duration=_original_song(song, graphs, 1))


def _wall(command, env=None) -> float:
  start = time.perf_counter()
  subprocess.run(command, check=True, capture_output=True, cwd=REPO, env=env)
  return time.perf_counter() - start


def _child(*args) -> dict:
  out = subprocess.run([sys.executable, __file__, "--child", *args], check=True,
                       capture_output=True, text=True, cwd=REPO,
                       env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3"))
  return json.loads(out.stdout.strip().splitlines()[-1])


def _run_child(kind: str, songs):
  if kind in ("jmer_batched", "jmer_one_by_one"):
    return _jmer_throughput(songs, one_by_one=kind == "jmer_one_by_one")
  if kind in ("original", "original_all_patches"):
    return _original_throughput(songs, batch_size=1 if kind == "original" else 0)
  return _original_first(songs[0])


THROUGHPUT = {"jmer_batched": "jmer: shipped model, files batched (jmer predict)",
              "jmer_one_by_one": "jmer: shipped model, one file at a time",
              "original": "original musicnn (TF graph x2, batch 1 as its extractor)",
              "original_all_patches": "original graph x2, all patches per call"}


def _first_predictions(song, rounds: int) -> dict:
  """Fresh-process wall times, interleaved: python, jmer warm and cold, the original."""
  jmer = [sys.executable, "-m", "jmer.predict", "--format=json", song]
  subprocess.run(jmer, check=True, capture_output=True, cwd=REPO)  # warm the user's cache
  times = {k: [] for k in ("python -c pass", "jmer warm cache", "jmer cold XLA cache",
                           "jmer cold cache", "original")}
  for _ in range(rounds):
    times["python -c pass"].append(_wall([sys.executable, "-c", "pass"]))
    times["jmer warm cache"].append(_wall(jmer))
    env = {k: v for k, v in os.environ.items() if k != "JAX_COMPILATION_CACHE_DIR"}
    with tempfile.TemporaryDirectory(prefix="jmer_cold_") as cold:
      times["jmer cold XLA cache"].append(_wall(jmer, dict(env, JAX_COMPILATION_CACHE_DIR=cold)))
    with tempfile.TemporaryDirectory(prefix="jmer_cold_") as cold:
      times["jmer cold cache"].append(_wall(jmer, dict(env, JMER_CACHE=cold)))
    times["original"].append(_wall([sys.executable, __file__, "--child", "original_first",
                                    song], dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")))
  return {k: dict(median=statistics.median(v), rounds=v) for k, v in times.items()}


def main():
  parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
  parser.add_argument("--songs", default=str(REPO.parent / "shared" / "data" / "4q_dev"))
  parser.add_argument("--n", type=int, default=10, help="songs in the throughput batch")
  parser.add_argument("--rounds", type=int, default=2)
  parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
  args = parser.parse_args()
  if args.child:
    print(json.dumps(_run_child(args.child[0], args.child[1:])))
    return
  songs = [str(p) for p in sorted(pathlib.Path(args.songs).rglob("*.mp3"))[::7][:args.n + 1]]
  throughput = {k: [] for k in THROUGHPUT}
  for _ in range(args.rounds):
    for kind in THROUGHPUT:
      throughput[kind].append(_child(kind, *songs))
      print(f"  {kind}: {throughput[kind][-1]['x_real_time']:.1f}x real time", flush=True)
  first = _first_predictions(songs[0], args.rounds)
  result = dict(args=vars(args) | {"child": None}, songs=len(songs) - 1, throughput={},
                first_prediction=first, load_average=os.getloadavg())
  base = statistics.median(r["x_real_time"] for r in throughput["original"])
  base_cpu = statistics.median(r["x_real_time_cpu"] for r in throughput["original"])
  print(f"\n{'throughput (' + str(len(songs) - 1) + ' songs)':<58} {'x real time':>11} "
        f"{'x original':>10} {'CPU: x rt':>9} {'x original':>10}")
  for kind, label in THROUGHPUT.items():
    x = statistics.median(r["x_real_time"] for r in throughput[kind])
    x_cpu = statistics.median(r["x_real_time_cpu"] for r in throughput[kind])
    result["throughput"][kind] = dict(label=label, x_real_time=x, ratio_to_original=x / base,
                                      x_real_time_cpu=x_cpu,
                                      cpu_ratio_to_original=x_cpu / base_cpu,
                                      rounds=throughput[kind])
    print(f"{label:<58} {x:11.1f} {x / base:10.2f} {x_cpu:9.1f} {x_cpu / base_cpu:10.2f}")
  print(f"\n{'first prediction, fresh process':<62} {'wall s':>11} {'original/it':>10}")
  for kind, times in first.items():
    times["original_over_this"] = first["original"]["median"] / times["median"]
    print(f"{kind:<62} {times['median']:11.2f} {times['original_over_this']:10.2f}")
  sys.path.insert(0, str(REPO))
  from benchmarks import common
  common.write_json("shipped_vs_original", result)


if __name__ == "__main__":
  main()
