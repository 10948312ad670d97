"""The numeric config keys' bounds, checked by jmer.config.validate before any work."""

import math

# Inclusive bounds of the numeric keys (finite values only): beyond them a run fails late and
# obscurely (seed: numpy's 32-bit range; the upper bounds are far above any useful setting).
NUMBER_RANGES = {
    "seed": (0, 2**32 - 1), "data.split_seed": (0, 2**32 - 1),
    "data.sample_rate": (8000, 192_000), "data.segment_seconds": (3.0, 30.0), "data.synthetic.clip_seconds": (1.0, 3600.0),
    "data.synthetic.clips_per_genre": (1, 100_000), "data.train_tracks": (0, 10_000_000), "features.n_fft": (16, 65_536),
    "features.hop_length": (1, 65_536), "features.n_mels": (1, 1024),
    "features.fmin": (0.0, 96_000.0), "features.fmax": (0.0, 96_000.0),
    "features.workers": (1, 256), "features.musicnn_hop_frames": (1, 10_000),
    "model.pretrained.learning_rate_scale": (1e-6, 100.0), "augment.gain.max_db": (0.0, 60.0),
    "augment.noise.clip_p": (0.0, 1.0), "augment.specaugment.time_masks": (0, 100),
    "augment.specaugment.freq_masks": (0, 100), "model.embedding_dim": (1, 65_536),
    "model.stem_width": (1, 65_536), "model.aux_weight": (0.0, 1000.0),
    "model.crnn.rnn_units": (1, 65_536), "model.transformer.d_model": (1, 65_536),
    "model.transformer.num_heads": (1, 1024), "model.transformer.num_layers": (1, 1000),
    "model.transformer.ff_dim": (1, 65_536), "model.transformer.dropout": (0.0, 0.99),
    "model.transformer.patch_frames": (1, 10_000), "tasks.quadrant_threshold": (-1.0, 1.0),
    "train.epochs": (1, 1_000_000), "train.batch_size": (1, 65_536),
    "train.crops_per_track": (1, 10_000), "train.learning_rate": (1e-12, 10.0),
    "train.warmup_epochs": (0, 1_000_000), "train.weight_decay": (0.0, 1.0),
    "train.lambda_emotion": (0.0, 1000.0), "train.patience": (0, 1_000_000),
    "train.verbose": (0, 2), "eval.batch_size": (1, 65_536), "eval.hop_seconds": (0.01, 3600.0),
    "eval.folds": (0, 1000),
}


def out_of_range(config):
  """Yields (key, value, (low, high)) for each numeric key outside its bounds, in table order."""
  for key, (low, high) in NUMBER_RANGES.items():
    value = config
    for part in key.split("."):
      value = value[part]
    if not (isinstance(value, (int, float)) and not isinstance(value, bool)
            and math.isfinite(value) and low <= value <= high):
      yield key, value, (low, high)
