r"""Step time of the default CRNN, data-parallel over 1, 2 and 4 devices, same global batch.

  nice python -m benchmarks.data_parallel [--devices 1,2,4] [--tracks 32] [--batch 16]

Each device count runs in its own process started with
XLA_FLAGS=--xla_force_host_platform_device_count=N (XLA fixes the device count when JAX starts):
jmer.training.distribution puts a keras.distribution.DataParallel over the N CPU devices, and
the training stream's global batch is sharded across them. Two epochs; the second is timed.
On a CPU the "devices" share the same cores, so this shows the overhead of sharding, not a
speed-up; on N GPUs or TPU cores the same config runs the shards in parallel. The first epoch's
loss is printed too: it must agree across device counts (tests/training/test_distribution.py checks it).
"""

import argparse
import json
import os
import subprocess
import sys


def run_child(args) -> dict:
  from benchmarks import common
  from jmer.data import train_stream as train_stream_lib
  from jmer.training import distribution
  config = common.default_config()
  config.train.batch_size = args.batch
  config.model.dropout = 0.0  # dropout masks differ per shard; keep the losses comparable
  placement = distribution.configure(config)
  split = common.fake_split(config, args.tracks)
  stream = train_stream_lib.TrainStream(split, config)
  model = common.compiled_model(config, split, stream.steps_per_epoch)
  history = {}

  class Losses(common.keras.callbacks.Callback):
    def on_epoch_end(self, epoch, logs=None):
      history[epoch] = float(logs["loss"])
  seconds = common.fit_seconds(model, stream.dataset(), epochs=2, callbacks=[Losses()])
  return dict(placement, step_ms=1000 * seconds[1] / stream.steps_per_epoch,
              first_epoch_loss=history[0])


def main():
  parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
  parser.add_argument("--devices", default="1,2,4")
  parser.add_argument("--tracks", type=int, default=32)
  parser.add_argument("--batch", type=int, default=16)
  parser.add_argument("--child", action="store_true")
  parser.add_argument("--out", default=None)
  args = parser.parse_args()
  if args.child:
    print("RESULT" + json.dumps(run_child(args)))
    return
  from benchmarks import common
  results = {}
  for n in map(int, args.devices.split(",")):
    env = dict(os.environ, PYTHONPATH=str(common.REPO),
               XLA_FLAGS=f"--xla_force_host_platform_device_count={n}")
    done = subprocess.run([sys.executable, "-m", "benchmarks.data_parallel", "--child",
                           f"--tracks={args.tracks}", f"--batch={args.batch}"],
                          capture_output=True, text=True, cwd=common.REPO, env=env)
    if done.returncode:
      raise SystemExit(done.stderr[-3000:])
    results[n] = json.loads(done.stdout.split("RESULT", 1)[1].splitlines()[0])
  one = results[min(results)]
  for n, r in results.items():
    r["step_time_ratio"] = r["step_ms"] / one["step_ms"]
    print(f"{n} device(s): step {r['step_ms']:6.0f} ms ({r['step_time_ratio']:.2f}× of "
          f"{min(results)}), data-parallel {r['data_parallel']}, first-epoch loss "
          f"{r['first_epoch_loss']:.5f}")
  common.write_json("data_parallel", dict(args=vars(args), results=results), args.out)


if __name__ == "__main__":
  main()
