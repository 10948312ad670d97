"""One training stream over several datasets, each feeding a configured share of the samples.

The mix happens inside the generator rather than with tf.data's sample_from_datasets: one
generator keeps the per-epoch seeding (the trainer's SeedEpoch callback sets `.epoch`) exact, so
a resumed run draws the same mixed epoch an uninterrupted one would.
"""

import numpy as np

from jmer.data import train_stream as train_stream_lib


class MixedStream(train_stream_lib.TrainStream):
  """A TrainStream whose epoch draws each sample's dataset by `weights`, then a track of it.

  An epoch has as many samples as the plain stream (every training track crops_per_track
  times); within each dataset tracks come in a shuffled order, reshuffled when used up, so a
  small dataset given a large weight is cycled through rather than oversampled unevenly.
  """

  def __init__(self, split, config, weights: dict, augment=None):
    super().__init__(split, config, augment=augment)
    datasets = np.array([t.dataset for t in split.tracks])
    self.members = {name: np.flatnonzero(datasets == name) for name in weights}
    empty = [name for name, idx in self.members.items() if len(idx) == 0]
    if empty:
      raise ValueError(f"Datasets {empty} have no training tracks to mix.")
    self.names_in_mix = list(weights)
    # Not `self.weights`: TrainStream keeps the per-task sample weights under that name.
    self.mix_weights = np.array([weights[n] for n in self.names_in_mix], np.float64)

  def order(self, rng) -> np.ndarray:
    """The epoch's track indices: each sample's dataset drawn by the mix weights, then the
    dataset's tracks in shuffled cycles, so every track of a dataset is used before one repeats.

    Args:
      rng: the epoch's numpy Generator.

    Returns:
      An int64 array of samples_per_epoch track indices.
    """
    draws = rng.choice(len(self.names_in_mix), size=self.samples_per_epoch, p=self.mix_weights)
    out = np.empty(self.samples_per_epoch, np.int64)
    for k, name in enumerate(self.names_in_mix):
      slots = np.flatnonzero(draws == k)
      members = self.members[name]
      cycles = -(-len(slots) // len(members))  # ceil
      out[slots] = np.concatenate([rng.permutation(members) for _ in range(max(cycles, 1))]
                                  )[:len(slots)]
    return out


def train_stream(data, config, augment=None) -> train_stream_lib.TrainStream:
  """The training stream for `data`: plain for one dataset, mixed by data.mix_weights for more.

  Args:
    data: the RunData.
    config: the run config (data.mix_weights).
    augment: the augmenter (augment.make_augmenter), or None.

  Returns:
    A TrainStream over data's training split, a MixedStream for several datasets.
  """
  weights = data.mix_weights or {}
  if len(weights) <= 1:
    return train_stream_lib.TrainStream(data.splits["train"], config, augment=augment)
  return MixedStream(data.splits["train"], config, weights, augment=augment)
