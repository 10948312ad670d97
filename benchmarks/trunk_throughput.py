r"""Training throughput (segments/s) of the CRNN vs the Transformer trunk on this machine.

  python benchmarks/trunk_throughput.py [--steps 20] [--batch 16] [--seconds 10]

Both models are the configs/mtl.py defaults (10 s, 128-mel segments, genre + AV heads), trained
on random batches after a warm-up (compilation) so only steady-state steps are timed. Prints
both figures and the Transformer/CRNN ratio measured in the same run.
"""

import argparse
import time

import jmer  # noqa: F401  (JAX backend before Keras)
import numpy as np

from jmer.tasks import labels
from jmer import tasks as tasks_lib
from jmer import config as config_lib
from jmer.training import losses
from jmer.data import features as features_lib
from jmer.data import segments as segments_lib
from jmer.models import build


def throughput(trunk: str, steps: int, batch: int, seconds: float) -> tuple:
  """(segments per second, parameter count) of training steps with `trunk`."""
  config = config_lib.base_config()
  config.model.trunk = trunk
  config.data.segment_seconds = seconds
  params = features_lib.feature_params(config)
  model = build.build_model(config, params, genre_names=labels.GTZAN_GENRES)
  heads = tasks_lib.model_heads(config)
  model.compile(optimizer="adamw", loss=losses.task_losses(heads, config),
                loss_weights=losses.loss_weights(heads, config))
  rng = np.random.default_rng(0)
  frames = segments_lib.segment_frames(config)
  x = {"mel": rng.normal(-40, 15, (batch, frames, config.features.n_mels)).astype(np.float32)}
  y = {"genre": rng.integers(0, 10, batch), "emotion": rng.uniform(-1, 1, (batch, 2))}
  for _ in range(3):  # warm-up: compile and settle
    model.train_on_batch(x, y)
  start = time.perf_counter()
  for _ in range(steps):
    model.train_on_batch(x, y)
  return steps * batch / (time.perf_counter() - start), model.count_params()


def main():
  parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
  parser.add_argument("--steps", type=int, default=20)
  parser.add_argument("--batch", type=int, default=16)
  parser.add_argument("--seconds", type=float, default=10.0)
  args = parser.parse_args()
  results = {t: throughput(t, args.steps, args.batch, args.seconds)
             for t in ("crnn", "transformer")}
  for trunk, (rate, n_params) in results.items():
    print(f"{trunk:12s} {rate:7.1f} segments/s  ({n_params:,} parameters)")
  ratio = results["transformer"][0] / results["crnn"][0]
  print(f"transformer / crnn throughput ratio: {ratio:.2f}")


if __name__ == "__main__":
  main()
