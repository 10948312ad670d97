r"""Training throughput of the default CRNN and Transformer: JAX vs TensorFlow, before vs after.

  nice python -m benchmarks.training_throughput [--tracks 48] [--rounds 2]

For each trunk (configs/mtl.py defaults; random 30 s float16 clips as the cache holds them):
- `after`: today's training loop, i.e. jmer's batch-parallel TrainStream with the callbacks
  train.py uses (checkpointing, CSV log, per-epoch TensorBoard; none hooks a batch);
- `before`: the loop and model before this work: its per-segment generator stream and
  callbacks (a NaN check on every batch and Keras' TensorBoard, whose batch hooks force a host
  sync per step) and its CRNN (Keras' MaxPooling2D), all loaded from `git show` of the commit
  before this work (common.BEFORE) into this process, epochs interleaved with `after`;
- `tensorflow`: `after` again in a subprocess with KERAS_BACKEND=tensorflow (jmer refuses that
  backend on import; the subprocess imports Keras first, so Keras keeps TensorFlow, and only
  then lets jmer see 'jax'. For this benchmark only.)
Prints segments/s and step time (median of the timed epochs, after one warm-up epoch), the
process's CPU milliseconds per segment (steadier than wall time on a shared machine, and the
fair figure for JAX vs TensorFlow, which cannot run interleaved), and the ratios
after/before and JAX/TensorFlow.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
from unittest import mock

if "--backend=tensorflow" in sys.argv:  # see the docstring: Keras on TF under jmer's JAX check
  os.environ["KERAS_BACKEND"] = "tensorflow"
  import keras  # noqa: F401
  os.environ["KERAS_BACKEND"] = "jax"

from benchmarks import common  # noqa: E402
from jmer.data import split_arrays  # noqa: E402
from jmer.data import train_stream as train_stream_lib  # noqa: E402
from jmer.models import trunks  # noqa: E402
from jmer.training import callbacks as callbacks_lib  # noqa: E402


def before_model(config, split, steps):
  """The model as the code before this work built it: the same config and initial weights,
  with that commit's trunks module."""
  old_trunks = common.load_main_module("jmer/models/trunks.py", "main_trunks")
  with mock.patch.dict(trunks.TRUNKS, old_trunks.TRUNKS):
    return common.compiled_model(config, split, steps)


def loops(config, split, tmp):
  """{'after': (dataset maker, callbacks), 'before': ...} for one config."""
  new = train_stream_lib.TrainStream(split, config)
  after = (new.dataset, [callbacks_lib.SeedEpoch(new),
                         callbacks_lib.CheckpointAndResume(f"{tmp}/after", 100, 100),
                         callbacks_lib.EpochTensorBoard(f"{tmp}/after_tb", write_graph=False)])
  if common.keras.backend.backend() != "jax":
    return {"after": after}
  import keras
  old_pipeline = common.load_main_module("jmer/data/pipeline.py", "main_pipeline")
  old_callbacks = common.load_main_module("jmer/training/callbacks.py", "main_callbacks")
  split32 = split_arrays.SplitData(split.tracks, {n: [a.astype("float32") for a in arrays]
                                              for n, arrays in split.features.items()})
  old = old_pipeline.TrainStream(split32, config)
  before = (old.dataset, [old_callbacks.SeedEpoch(old),
                          old_callbacks.CheckpointAndResume(f"{tmp}/before", 100, 100),
                          keras.callbacks.TensorBoard(f"{tmp}/before_tb", write_graph=False)])
  return {"after": after, "before": before}


def measure(trunk: str, args) -> dict:
  config = common.default_config(trunk)
  split = common.fake_split(config, args.tracks)
  steps = len(split.tracks) * config.train.crops_per_track // config.train.batch_size
  models = {"after": common.compiled_model(config, split, steps)}
  if common.keras.backend.backend() == "jax":
    models["before"] = before_model(config, split, steps)
  times, cpu = {}, {}
  with tempfile.TemporaryDirectory() as tmp:
    variants = loops(config, split, tmp)
    for name, (make, callbacks) in variants.items():
      common.fit_seconds(models[name], make(), callbacks=callbacks)  # warm-up
      times[name], cpu[name] = [], []
    for _ in range(args.rounds):
      for name, (make, callbacks) in variants.items():
        times[name] += common.fit_seconds(models[name], make(), callbacks=callbacks,
                                          cpu=cpu[name])
  segments = steps * config.train.batch_size
  return {name: dict(segments_per_second=segments / common.median(t),
                     step_ms=1000 * common.median(t) / steps, epoch_seconds=t,
                     cpu_ms_per_segment=1000 * common.median(cpu[name]) / segments)
          for name, t in times.items()}


def main():
  parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
  parser.add_argument("--tracks", type=int, default=48)
  parser.add_argument("--rounds", type=int, default=2)
  parser.add_argument("--trunks", default="crnn,transformer")
  parser.add_argument("--backend", default="jax")
  parser.add_argument("--out", default=None)
  args = parser.parse_args()
  trunks = args.trunks.split(",")
  results = {t: measure(t, args) for t in trunks}
  if args.backend != "jax":  # the subprocess side: hand the figures back
    print("RESULTS" + json.dumps(results))
    return
  command = [sys.executable, "-m", "benchmarks.training_throughput", "--backend=tensorflow",
             f"--tracks={args.tracks}", f"--rounds={args.rounds}", f"--trunks={args.trunks}"]
  done = subprocess.run(command, capture_output=True, text=True, cwd=common.REPO,
                        env=dict(os.environ, PYTHONPATH=str(common.REPO)))
  if done.returncode == 0:
    for trunk, figures in json.loads(done.stdout.split("RESULTS", 1)[1]).items():
      results[trunk]["tensorflow"] = figures["after"]
  else:
    print("TensorFlow run failed:\n" + done.stderr[-2000:])
  for trunk, r in results.items():
    print(f"{trunk}:")
    for name, f in r.items():
      print(f"  {name:11s} {f['segments_per_second']:7.1f} segments/s   step {f['step_ms']:6.0f} ms"
            f"   {f['cpu_ms_per_segment']:6.0f} CPU-ms/segment")
    rate = lambda name: r[name]["segments_per_second"]
    work = lambda name: r[name]["cpu_ms_per_segment"]
    r["ratios"] = dict(after_over_before=rate("after") / rate("before"),
                       cpu_before_over_after=work("before") / work("after"))
    if "tensorflow" in r:  # a separate process, run later: compare CPU work, not only wall
      r["ratios"].update(jax_over_tensorflow=rate("after") / rate("tensorflow"),
                         cpu_tensorflow_over_jax=work("tensorflow") / work("after"))
    print("  " + ", ".join(f"{k} {v:.2f}" for k, v in r["ratios"].items()))
  common.write_json("training_throughput", dict(args=vars(args), results=results), args.out)


if __name__ == "__main__":
  main()
