r"""The planned architecture trained from the audio of the real development sets: log-mel (and
MFCC and chroma) branches, a CRNN or Transformer trunk, genre and quadrant heads trained jointly,
sized to fit a laptop's two CPU cores.

  jmer train --config=real_audio --config.data.root=../shared/data --workdir=runs/real_audio
  jmer train --config=real_audio:trunk=transformer,fused,heads=quadrant ...

The data, heads and folds are configs/real_music.py's (GTZAN's usable clips for genre, 4Q for
quadrants, folds drawn over both sets by artist); what differs is the front end: no pretrained
network, everything learnt from these ~750 clips. Options:
- `heads=joint|genre|quadrant`: both heads, or one on its own data (the single-task arms);
- `trunk=crnn|transformer`: the CRNN (four conv blocks, a BiLSTM) or the Transformer encoder;
- `fused`: log-mel, MFCC and chroma branches, each with its own trunk, merged by gated late
  fusion (the gates show which feature each task leans on); without it, log-mel alone.

The budget: 16 kHz audio, 48 mel bands at a 64 ms hop, a random 10 s crop of every clip per
epoch (whole clips are averaged over 10 s segments at test time), small widths, 20 epochs
evaluated at the last (the experiments/real_audio.py suite runs 15, its registered budget). The
suite compares the options; docs/experiments.md gives its measured wall time.
"""

from jmer import config as config_lib
from jmer.config import files
from jmer.config import names

HEADS = ("joint", "genre", "quadrant")


def get_config(arg=None):
  arg = config_lib.parse_arg(arg, heads=HEADS, trunk=names.TRUNKS, fused=False)
  config = files.load(f"real_music:heads={arg.heads}")  # its data, heads and folds
  config.features.update(names=("mel",), musicnn_hop_frames=62, one_row_per_patch=False,
                         n_fft=2048, hop_length=1024, n_mels=48)
  config.data.update(sample_rate=16000, segment_seconds=10.0)
  config.model.update(trunk=arg.trunk, fusion="concat", embedding_dim=64, dropout=0.3)
  config.model.crnn.update(conv_filters=(16, 32, 32, 32), rnn_units=32)
  config.model.transformer.update(patch_frames=4, d_model=64, num_layers=2, ff_dim=128)
  config.train.update(epochs=20, select_on="last", weight_decay=0.05)
  if arg.fused:
    config.features.names = ("mel", "mfcc", "chroma")
    config.model.fusion = "gated"
  return config_lib.apply_variants(config, arg.variants)
