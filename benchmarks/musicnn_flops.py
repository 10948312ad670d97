r"""What bounds the shipped model's throughput on this machine: musicnn's arithmetic against
the machine's float32 matrix-multiply rate, measured in the same run.

  python benchmarks/musicnn_flops.py [--rounds=5]

- FLOPs of one 3 s patch through one musicnn network (XLA's cost analysis of the fast path's
  jmer.pretrained.musicnn_jax.forward), and so per second of audio for the shipped model (two
  networks, 11 patches per 30 s song: 10 and one flush with the end);
- the float32 rate this machine reaches on a large matrix product (2048 x 2048, XLA, both
  cores): a practical peak no convolution network beats;
- the rate the musicnn forward reaches on a batch of 12 patches (what a 30 s song runs),
  interleaved with the matrix product;
- the same rates per CPU-second (all threads), which do not depend on the share of a loaded
  machine the process got: twice the per-CPU-second musicnn rate is what two idle cores give
  at best;
- hence the best x real time the two networks allow at each rate (decoding, log-mel and heads
  not even counted);
- the same forward in bfloat16 (weights and patches cast; this CPU has AVX512-BF16), timed in
  the same rounds: its CPU time as a ratio of float32's, and how far its embeddings move
  (largest absolute difference, relative to float32's largest value): whether lower precision
  is a way past the float32 ceiling.
Writes benchmarks/results/musicnn_flops.json.
"""

import argparse
import pathlib
import statistics
import sys
import time

REPO = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
PATCHES_PER_30S = 11  # 30 s at 16 kHz: 1876 frames, patches at 0, 187, ..., 1683 and 1689


def main():
  parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
  parser.add_argument("--rounds", type=int, default=5)
  args = parser.parse_args()
  from benchmarks import common
  import jax
  import jax.numpy as jnp
  import numpy as np
  from jmer.pretrained import musicnn_jax
  weights = musicnn_jax.weights("msd")
  patches = jnp.asarray(np.random.default_rng(0).normal(2, 1, (12, 187, 96)), jnp.float32)
  net = jax.jit(lambda w, x: musicnn_jax.forward(w, x)["penultimate"]).lower(
      weights, patches).compile()
  weights_bf16 = jax.tree_util.tree_map(
      lambda a: a.astype(jnp.bfloat16) if getattr(a, "dtype", None) == jnp.float32 else a,
      weights)
  patches_bf16 = patches.astype(jnp.bfloat16)
  net_bf16 = jax.jit(lambda w, x: musicnn_jax.forward(w, x)["penultimate"]).lower(
      weights_bf16, patches_bf16).compile()
  cost = net.cost_analysis()
  flops = (cost[0] if isinstance(cost, list) else cost)["flops"] / len(patches)
  a = jnp.asarray(np.random.default_rng(1).normal(size=(2048, 2048)), jnp.float32)
  matmul = jax.jit(lambda a: a @ a).lower(a).compile()
  matmul_flops = 2 * 2048 ** 3
  jax.block_until_ready(matmul(a))
  jax.block_until_ready(net(weights, patches))
  jax.block_until_ready(net_bf16(weights_bf16, patches_bf16))
  names = ("matmul", "musicnn", "musicnn_bf16")
  seconds, cpu = {n: [] for n in names}, {n: [] for n in names}
  for _ in range(args.rounds):
    for name, run in (("matmul", lambda: matmul(a)), ("musicnn", lambda: net(weights, patches)),
                      ("musicnn_bf16", lambda: net_bf16(weights_bf16, patches_bf16))):
      start, cpu_start = time.perf_counter(), time.process_time()
      jax.block_until_ready(run())
      seconds[name].append(time.perf_counter() - start)
      cpu[name].append(time.process_time() - cpu_start)
  matmul_rate = matmul_flops / statistics.median(seconds["matmul"])
  musicnn_rate = flops * len(patches) / statistics.median(seconds["musicnn"])
  # Per CPU-second (all threads): what one core does, whatever share of the machine we got.
  matmul_core = matmul_flops / statistics.median(cpu["matmul"])
  musicnn_core = flops * len(patches) / statistics.median(cpu["musicnn"])
  per_audio_second = 2 * flops * PATCHES_PER_30S / 30.0
  bf16_speedup = statistics.median(cpu["musicnn"]) / statistics.median(cpu["musicnn_bf16"])
  exact = np.asarray(net(weights, patches))
  drift = float(np.abs(np.asarray(net_bf16(weights_bf16, patches_bf16), np.float32)
                       - exact).max() / np.abs(exact).max())
  result = dict(
      gflop_per_patch_per_network=flops / 1e9, networks=2, patches_per_30s=PATCHES_PER_30S,
      gflop_per_audio_second=per_audio_second / 1e9,
      matmul_gflops=matmul_rate / 1e9, musicnn_gflops=musicnn_rate / 1e9,
      musicnn_share_of_matmul_rate=musicnn_rate / matmul_rate,
      ceiling_x_real_time_at_matmul_rate=matmul_rate / per_audio_second,
      ceiling_x_real_time_at_musicnn_rate=musicnn_rate / per_audio_second,
      gflops_needed_for_100x=100 * per_audio_second / 1e9, seconds=seconds, cpu_seconds=cpu,
      matmul_gflop_per_cpu_second=matmul_core / 1e9,
      musicnn_gflop_per_cpu_second=musicnn_core / 1e9,
      ceiling_x_real_time_two_idle_cores=2 * musicnn_core / per_audio_second,
      bf16_cpu_speedup_over_float32=bf16_speedup, bf16_relative_max_difference=drift,
      load_average=list(__import__("os").getloadavg()))
  print(f"musicnn: {flops / 1e9:.2f} GFLOP per 3 s patch per network; the shipped model "
        f"needs {per_audio_second / 1e9:.2f} GFLOP per second of audio "
        f"({100 * per_audio_second / 1e9:.0f} GFLOP/s for 100x real time)")
  print(f"float32 matmul 2048^2: {matmul_rate / 1e9:.0f} GFLOP/s; musicnn forward (12 patches): "
        f"{musicnn_rate / 1e9:.0f} GFLOP/s ({musicnn_rate / matmul_rate:.2f} of it)")
  print(f"ceiling for the two networks alone: {matmul_rate / per_audio_second:.0f}x real time "
        f"at the matmul rate, {musicnn_rate / per_audio_second:.0f}x at musicnn's")
  print(f"per CPU-second (load-independent): matmul {matmul_core / 1e9:.0f} GFLOP, musicnn "
        f"{musicnn_core / 1e9:.0f} GFLOP; two idle cores at musicnn's: "
        f"{2 * musicnn_core / per_audio_second:.0f}x real time")
  print(f"bfloat16 forward: {bf16_speedup:.2f}x float32's CPU throughput (above 1: faster); "
        f"embeddings move by up to {drift:.3f} of float32's largest value")
  common.write_json("musicnn_flops", result)


if __name__ == "__main__":
  main()
