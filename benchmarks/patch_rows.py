r"""Training epoch time of the frozen-musicnn head with one row per frame vs one row per patch.

  python -m benchmarks.patch_rows [--tracks 160] [--epochs 3]

The configs/real_music.py head (30 s segments, patches every 187 frames, quadrant head) on a fake
split of per-frame musicnn embeddings (each patch's embedding repeated on the frames nearest to
it, as the feature cache holds them), trained through jmer's own input pipeline
(TrainStream) with `features.one_row_per_patch` off and on, interleaved. Prints the median
epoch wall and CPU seconds of each and the per-frame/per-patch ratios measured in this run.
"""

import argparse

import numpy as np

from benchmarks import common
from jmer import config as config_lib
from jmer.data import musicnn_features
from jmer.data import musicnn_input
from jmer.data import split_arrays
from jmer.data import tracks as tracks_lib
from jmer.data import train_stream


def real_music_config(one_row_per_patch: bool):
  config = config_lib.apply_variants(config_lib.base_config(), "musicnn")
  config.tasks.genre, config.tasks.emotion = False, "quadrant"
  config.features.musicnn_hop_frames = 187
  config.features.one_row_per_patch = one_row_per_patch
  config.train.crops_per_track, config.train.verbose = 1, 0
  return config_lib.validate(config)


def fake_embedding_split(n_tracks: int, hop: int, seed: int = 0) -> split_arrays.SplitData:
  """30 s tracks of per-frame musicnn embeddings with quadrant labels."""
  rng, frames = np.random.default_rng(seed), 1879
  owner = musicnn_features.nearest_patch(
      frames, musicnn_input.patch_starts(frames, hop_frames=hop, flush_end=True))
  tracks = [tracks_lib.Track(f"t{i}", f"/fake/t{i}.mp3", "fake", quadrant=i % 4)
            for i in range(n_tracks)]
  embeddings = [rng.uniform(0, 1, (owner.max() + 1, 200)).astype(np.float16)[owner]
                for _ in tracks]
  return split_arrays.SplitData(tracks=tracks, features={"musicnn": embeddings})


def main():
  parser = argparse.ArgumentParser()
  parser.add_argument("--tracks", type=int, default=160)
  parser.add_argument("--epochs", type=int, default=3)
  args = parser.parse_args()
  split = fake_embedding_split(args.tracks, 187)
  runs = {}
  for per_patch in (False, True):
    config = real_music_config(per_patch)
    stream = train_stream.TrainStream(split, config)
    model = common.compiled_model(config, split, stream.steps_per_epoch)
    runs[per_patch] = (model, stream, [], [])
    common.fit_seconds(model, stream.dataset())  # warm-up: compilation
  for _ in range(args.epochs):  # interleaved, so both see the same machine load
    for model, stream, wall, cpu in runs.values():
      wall += common.fit_seconds(model, stream.dataset(), cpu=cpu)
  result = {}
  for per_patch, (_, _, wall, cpu) in runs.items():
    name = "one_row_per_patch" if per_patch else "one_row_per_frame"
    result[name] = dict(epoch_seconds=common.median(wall), epoch_cpu_seconds=common.median(cpu))
    print(f"{name:18s} epoch {result[name]['epoch_seconds']:.2f} s wall, "
          f"{result[name]['epoch_cpu_seconds']:.2f} s CPU ({args.tracks} tracks)")
  for key in ("epoch_seconds", "epoch_cpu_seconds"):
    result[f"ratio_{key}"] = (result["one_row_per_frame"][key]
                              / result["one_row_per_patch"][key])
  print(f"per-frame / per-patch: {result['ratio_epoch_seconds']:.1f}x wall, "
        f"{result['ratio_epoch_cpu_seconds']:.1f}x CPU")
  common.write_json("patch_rows", dict(result, tracks=args.tracks, epochs=args.epochs))


if __name__ == "__main__":
  main()
