r"""musicnn on CPU: a fine-tuning step and patch embedding, jmer's front end vs the checkpoint's.

  nice python -m benchmarks.musicnn_speed [--patches 48] [--rounds 3]

Builds the pretrained MSD musicnn twice in one process: with jmer's default front end
(TimeUnfoldedConv2D timbral convolutions, MaxOverFrequency) and in the layout the shipped
weights were saved from (Keras Conv2D, MaxPooling2D + Reshape), both loaded with the same
weights. Times, interleaved after a warm-up: one training step of the network (batch norms
frozen, as jmer fine-tunes it) with a 10-class head on `--patches` 3 s patches (a batch of 16
10 s segments holds 48), and the penultimate embeddings of the same patches (what the frozen
feature cache computes). Prints the medians and the checkpoint/jmer ratios; writes JSON.
"""

import argparse
import time

from benchmarks import common
import keras
import numpy as np

from jmer.data import musicnn_input
from jmer.pretrained import musicnn

LAYOUTS = {"jmer": False, "checkpoint": True}  # name -> build_musicnn(checkpoint_layout=...)


def fine_tuning_model(checkpoint_layout: bool):
  """(a compiled network + 10-class head as jmer fine-tunes it, the bare network)."""
  net = musicnn.load_pretrained(musicnn.build_musicnn(
      "penultimate", name=f"musicnn_{int(checkpoint_layout)}",
      checkpoint_layout=checkpoint_layout))
  for layer in net.layers:
    if isinstance(layer, keras.layers.BatchNormalization):
      layer.trainable = False
  patches = keras.Input((musicnn_input.PATCH_FRAMES, musicnn_input.N_MELS))
  model = keras.Model(patches, keras.layers.Dense(10)(net(patches)))
  model.compile("adam", keras.losses.SparseCategoricalCrossentropy(from_logits=True))
  return model, net


def seconds(fn) -> float:
  start = time.perf_counter()
  fn()
  return time.perf_counter() - start


def main():
  parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
  parser.add_argument("--patches", type=int, default=48)
  parser.add_argument("--rounds", type=int, default=3)
  parser.add_argument("--out", default=None)
  args = parser.parse_args()
  rng = np.random.default_rng(0)
  x = rng.normal(2.0, 1.0, (args.patches, musicnn_input.PATCH_FRAMES,
                            musicnn_input.N_MELS)).astype(np.float32)
  y = rng.integers(0, 10, args.patches)
  models = {name: fine_tuning_model(layout) for name, layout in LAYOUTS.items()}
  step = {name: (lambda m=m: m.train_on_batch(x, y)) for name, (m, _) in models.items()}
  embed = {name: (lambda n=n: n.predict(x, batch_size=len(x), verbose=0))
           for name, (_, n) in models.items()}
  for name in models:  # warm-up: compile
    step[name](), step[name](), embed[name]()
  times = {name: {"train_step": [], "embed": []} for name in models}
  for _ in range(args.rounds):
    for name in models:
      times[name]["train_step"].append(seconds(step[name]))
      times[name]["embed"].append(seconds(embed[name]))
  medians = {name: {k: common.median(v) for k, v in t.items()} for name, t in times.items()}
  ratios = {k: medians["checkpoint"][k] / medians["jmer"][k] for k in ("train_step", "embed")}
  print(f"musicnn on {args.patches} patches of 3 s, median of {args.rounds} interleaved rounds:")
  for name, m in medians.items():
    print(f"  {name:10s} fine-tuning step {m['train_step']:6.2f} s   embedding "
          f"{m['embed']:5.2f} s")
  print(f"  checkpoint layout / jmer: fine-tuning step {ratios['train_step']:.2f}x, "
        f"embedding {ratios['embed']:.2f}x")
  common.write_json("musicnn_speed", dict(args=vars(args), seconds=times, median=medians,
                                          ratio_checkpoint_over_jmer=ratios), args.out)


if __name__ == "__main__":
  main()
