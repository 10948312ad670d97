r"""Is training model-bound? Segments/s with the real input pipeline vs in-memory tensors.

  nice python -m benchmarks.input_pipeline [--tracks 48] [--rounds 3] [--trunk crnn]

Trains the default model (configs/mtl.py: 10 s, 128-mel segments, genre + AV, AdamW) on a
split of random 30 s clips held as the cache holds them (float16), fed by:
- `memory`: the same number of batches from in-memory float32 tensors (the model's ceiling);
- `stream`: jmer's TrainStream, without and with all four augmentations;
- `main_stream`: the TrainStream before this work (a per-segment Python generator; loaded from
  `git show` of common.BEFORE), without and with them.
Each is one epoch per round, the rounds interleaved so machine load hits all alike, after one
warm-up epoch each (compilation). Prints segments/s (median over rounds) and each one's ratio
to `memory`: the goal is ≥ 0.9 for `stream`.
"""

import argparse

import numpy as np
import tensorflow as tf

from benchmarks import common
from jmer.data import augment as augment_lib
from jmer.data import pipeline
from jmer.data import split_arrays
from jmer.data import train_stream as train_stream_lib


def in_memory(stream):
  """The stream's epoch-0 batches (unaugmented) as one in-memory dataset."""
  batches = [stream.batch(0, b) for b in range(stream.steps_per_epoch)]
  stacked = tf.nest.map_structure(lambda *parts: np.concatenate(parts), *batches)
  return tf.data.Dataset.from_tensor_slices(stacked).batch(stream.config.train.batch_size)


def feeds(args):
  """{name: (config, a function returning a fresh dataset for one epoch)}."""
  plain, augmented = common.default_config(args.trunk), common.default_config(args.trunk, True)
  split = common.fake_split(plain, args.tracks)
  old_pipeline = common.load_main_module("jmer/data/pipeline.py", "main_pipeline")
  old_augment = common.load_main_module("jmer/data/augment.py", "main_augment")
  split32 = split_arrays.SplitData(split.tracks, {n: [a.astype(np.float32) for a in arrays]
                                              for n, arrays in split.features.items()})
  new = train_stream_lib.TrainStream(split, plain)
  new_aug = train_stream_lib.TrainStream(split, augmented,
                                         augment_lib.make_augmenter(augmented, split))
  old = old_pipeline.TrainStream(split32, plain)
  old_aug = old_pipeline.TrainStream(split32, augmented,
                                     old_augment.make_augmenter(augmented, split32))
  memory = in_memory(new)
  return new, {"memory": lambda: memory, "stream": new.dataset,
               "stream_augmented": new_aug.dataset, "main_stream": old.dataset,
               "main_stream_augmented": old_aug.dataset}


def main():
  parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
  parser.add_argument("--tracks", type=int, default=48)
  parser.add_argument("--rounds", type=int, default=3)
  parser.add_argument("--trunk", default="crnn")
  parser.add_argument("--out", default=None)
  args = parser.parse_args()
  stream, datasets = feeds(args)
  model = common.compiled_model(stream.config, stream.split, stream.steps_per_epoch)
  segments = stream.steps_per_epoch * stream.config.train.batch_size
  times, cpu = {name: [] for name in datasets}, {name: [] for name in datasets}
  for name, make in datasets.items():  # warm-up: compilation, tf.data start-up
    common.fit_seconds(model, make())
  for _ in range(args.rounds):
    for name, make in datasets.items():
      times[name] += common.fit_seconds(model, make(), cpu=cpu[name])
  rates = {name: segments / common.median(t) for name, t in times.items()}
  ratios = {name: rates[name] / rates["memory"] for name in rates}
  cpu_ms = {name: 1000 * common.median(c) / segments for name, c in cpu.items()}
  cpu_ratios = {name: cpu_ms["memory"] / cpu_ms[name] for name in cpu_ms}
  print(f"{args.trunk}, {segments} segments per epoch, median of {args.rounds} rounds "
        "(wall; CPU time of the process in brackets):")
  for name in rates:
    print(f"  {name:24s} {rates[name]:7.1f} segments/s   {ratios[name]:.2f} × in-memory   "
          f"[{cpu_ms[name]:6.0f} CPU-ms/segment, in-memory/this {cpu_ratios[name]:.2f}]")
  print(f"  stream / main_stream: {rates['stream'] / rates['main_stream']:.2f}×, augmented "
        f"{rates['stream_augmented'] / rates['main_stream_augmented']:.2f}×")
  common.write_json(f"input_pipeline_{args.trunk}", dict(
      args=vars(args), segments_per_epoch=segments, epoch_seconds=times,
      segments_per_second=rates, ratio_to_memory=ratios, cpu_seconds=cpu,
      cpu_ms_per_segment=cpu_ms, cpu_ratio_memory_over_this=cpu_ratios), args.out)


if __name__ == "__main__":
  main()
