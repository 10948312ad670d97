"""Named config variants, selectable as `configs/<file>.py:<name>[,<name>...]`.

Each is a function that edits a config in place; jmer.config.apply_variants applies them in the
order given, so a later one (or a command-line override) wins.
"""


def _runlocal(config):
  """Shrinks data, model and schedule so a whole run takes seconds on a laptop CPU."""
  config.data.synthetic.clips_per_genre = 4
  config.data.synthetic.clip_seconds = 4.0
  config.data.segment_seconds = 3.0
  config.data.val_fraction = 0.25
  config.data.test_fraction = 0.25
  config.features.n_mels = 32
  config.features.n_fft = 1024
  config.features.workers = 1
  config.model.embedding_dim = 32
  config.model.crnn.update(conv_filters=(8, 16), pool_time=(2, 2), pool_freq=(2, 2), rnn_units=16)
  config.model.transformer.update(d_model=32, num_layers=1, ff_dim=64)
  config.model.stem_width = 16
  config.train.update(epochs=2, batch_size=8, warmup_epochs=0, verbose=0)


def _transformer(config):
  """The Transformer encoder trunk instead of the CRNN."""
  config.model.trunk = "transformer"


def _fused(config):
  """Log-mel, MFCC and chroma branches merged by the late-fusion layer (gated, so the logs
  show which feature each task relies on)."""
  config.features.names = ("mel", "mfcc", "chroma")
  config.model.fusion = "gated"


def _augment(config):
  """All four training-time augmentations on, at their configured strengths."""
  for name in ("gain", "shift", "noise", "specaugment"):
    config.augment[name].enabled = True


def _musicnn_grid(config):
  """musicnn's 16 kHz / 256-hop frame grid, which every feature beside it must share."""
  config.data.sample_rate = 16000
  config.features.hop_length = 256
  config.features.n_fft = 1024  # 64 ms: a log-mel/MFCC/chroma branch added to it keeps its detail


def _musicnn(config):
  """The frozen pretrained musicnn branch alone, on musicnn's grid, with its head recipe.

  Segments are 30 s (a 30 s clip is one segment, as a probe averages all of a clip's patches;
  longer songs are averaged over 30 s segments), training runs a fixed 40 epochs and keeps the
  last (no choice of epoch on a validation set of a few dozen tracks), with weight decay 0.05.
  How this recipe was chosen and what it scores: docs/results.md, "How the musicnn head was
  chosen".
  """
  _musicnn_grid(config)
  config.features.names = ("musicnn",)
  config.data.segment_seconds = 30.0
  config.train.epochs = 40
  config.train.select_on = "last"
  config.train.weight_decay = 0.05


def _musicnn2(config):
  """The `musicnn` recipe with two frozen networks, MSD- and MTT-musicnn, concatenated by late
  fusion, reading non-overlapping 3 s patches once each: the shipped real-music model's front
  end (configs/real_music.py), for your own data."""
  _musicnn(config)
  config.features.names = ("musicnn", "musicnn_mtt")
  config.model.fusion = "concat"
  config.features.musicnn_hop_frames = 187
  config.features.one_row_per_patch = True


def _mel_musicnn(config):
  """Log-mel CRNN and frozen musicnn branches, gated late fusion (the gates show the mix)."""
  _musicnn_grid(config)
  config.features.names = ("mel", "musicnn")
  config.model.fusion = "gated"


VARIANTS = {"runlocal": _runlocal, "transformer": _transformer, "fused": _fused,
            "augment": _augment, "musicnn": _musicnn, "musicnn2": _musicnn2,
            "mel_musicnn": _mel_musicnn}
