"""The training split's feature statistics, which the model's branches normalise with."""

import numpy as np

from jmer.data import split_arrays


def feature_stats(split: split_arrays.SplitData, max_frames: int = 200_000, seed: int = 0) -> dict:
  """Per-bin mean and variance of each feature over (a sample of) the training frames.

  Samples each track's frames in proportion to its length instead of concatenating every frame
  first, so the memory needed stays at max_frames whatever the dataset's size.

  Args:
    split: the training split.
    max_frames: at most this many frames are sampled per feature.
    seed: the seed of the frame sample.

  Returns:
    {feature: (mean, variance)}, float64 (bins,) arrays; the variance has 1e-6 added.
  """
  rng = np.random.default_rng(seed)
  stats = {}
  for name, arrays in split.features.items():
    total = sum(len(a) for a in arrays)
    keep = min(1.0, max_frames / max(total, 1))
    frames = np.concatenate([
        a if keep >= 1.0 else a[np.sort(rng.choice(len(a), int(round(keep * len(a))),
                                                   replace=False))]
        for a in arrays]).astype(np.float64)
    stats[name] = (frames.mean(0), frames.var(0) + 1e-6)
  return stats
