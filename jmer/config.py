"""Shared config defaults and validation.

Configs under `configs/` change only what differs from `base_config()`; `validate()` runs first
and names the offending key; derived fields use `get_ref`, so overrides stay consistent.
"""

import math
import re

import ml_collections

from jmer import config_ranges
from jmer.config_variants import VARIANTS
from jmer import names as names_lib
from jmer.names import FEATURES, FUSIONS, TRUNKS
from jmer import tasks as tasks_lib

# Features from the pretrained networks of the musicnn wheel (musicnn and VGG, each MSD- and
# MagnaTagATune-trained): they exist only on musicnn's own frame grid, which every feature of a
# config shares.
PRETRAINED_FEATURES = tuple(names_lib.PRETRAINED_NETWORKS)
PRETRAINED_GRID = {"data.sample_rate": 16000, "features.hop_length": 256}
EMOTION_TASKS = ("none", "av", "quadrant", "both")
SELECT_ON = ("val_loss", "last")  # train.select_on


class ConfigError(ValueError):
  """A config key holds a value jmer cannot use; the message names the key."""


class UnknownVariantError(ConfigError):
  """A config variant name that jmer.config_variants does not define (kept in `.name`)."""

  def __init__(self, name: str):
    super().__init__(f"Unknown config variant {name!r}: expected one of {sorted(VARIANTS)}.")
    self.name = name


def base_config() -> ml_collections.ConfigDict:
  """Defaults for every experiment: the multi-task CRNN on 10 s log-mel segments.

  One builder per section below; derived keys (data.split_seed, eval.hop_seconds) are references
  to the keys they follow, so overriding those keeps them consistent.
  """
  config = ml_collections.ConfigDict()
  config.seed = 0
  config.data = _data_config(seed=config.get_ref("seed"))
  config.features = _features_config()
  config.model = _model_config()
  config.tasks = _tasks_config()
  config.augment = _augment_config()
  config.train = _train_config()
  # Data-parallel over all devices (train.batch_size is the global batch), multi-host start.
  config.distribution = ml_collections.ConfigDict(dict(data_parallel=True, multi_host=False))
  config.eval = _eval_config(segment_seconds=config.data.get_ref("segment_seconds"))
  return config


def _data_config(seed: ml_collections.FieldReference) -> ml_collections.ConfigDict:
  """config.data: what to train on, where it lives, and how tracks are split and cut.

  Args:
    seed: a reference to the config's `seed`, which data.split_seed follows unless set.
  """
  data = ml_collections.ConfigDict()
  # What to train on: 'auto' (the real datasets found under the data root, else the built-in
  # corpus), 'synthetic' (the built-in corpus generated offline on first use), one dataset name
  # (jmer.data.datasets.DATASETS) or several joined by '+', e.g. 'gtzan+deam'.
  data.source = "auto"
  # Where real datasets live, one folder each (<root>/gtzan, <root>/deam, <root>/emomusic);
  # '' means the JMER_DATA environment variable.
  data.root = ""
  # 'standard': each dataset's published split where one exists (GTZAN fault-filtered, EmoMusic
  # MediaEval 2013); 'random': a seeded stratified track split (val/test_fraction) for all.
  data.split = "standard"
  # How often each dataset feeds a training sample when several are mixed, as 'name:weight'
  # pairs, e.g. 'gtzan:2,deam:1'; unnamed datasets (and '') weigh 1.
  data.mix_weights = ""
  # Generated corpora and feature caches; '' means $JMER_CACHE or ~/.cache/jmer.
  data.cache_dir = ""
  data.sample_rate = 22050
  data.segment_seconds = 10.0
  data.val_fraction = 0.15
  # Seed of the data side: the track/group split, the k-folds and the built-in corpus. Follows
  # `seed` unless set, so `--config.seed=N` varies data and initialisation together, and
  # `--config.data.split_seed=0 --config.seed=N` holds the data fixed while N varies init.
  # (`+ 0` makes a derived reference: setting split_seed then replaces it, where setting a plain
  # get_ref would write through to `seed` as well.)
  data.split_seed = seed + 0
  data.test_fraction = 0.15
  data.synthetic = ml_collections.ConfigDict(
      dict(clips_per_genre=30, clip_seconds=30.0))
  # Your own collection as class folders: <path>/<label>/<file>; the folder names are genres
  # (task='genre') or emotion quadrants mapped through quadrant_map (task='quadrant'). Q1..Q4
  # and the labels.QUADRANTS names are always understood; the map adds names ('name:Qn').
  data.folder = ml_collections.ConfigDict(dict(
      path="", task="genre", quadrant_map=("happy:Q1", "angry:Q2", "sad:Q3", "calm:Q4")))
  # Your own collection as a CSV: a path column plus any of genre/arousal/valence/quadrant/split;
  # av_scale is the (low, high) of its AV ratings, mapped onto [-1, 1].
  data.manifest = ml_collections.ConfigDict(dict(
      path="", av_scale=(-1.0, 1.0),
      quadrant_map=data.folder.get_ref("quadrant_map") + ()))  # derived, not an alias
  return data


def _features_config() -> ml_collections.ConfigDict:
  """config.features: the input features and their STFT/mel parameters."""
  features = ml_collections.ConfigDict()
  features.names = ("mel",)
  features.n_fft = 2048
  features.hop_length = 512
  features.n_mels = 128
  features.fmin = 0.0
  features.fmax = 0.0  # 0 means sample_rate / 2.
  features.n_mfcc = 20
  features.mfcc_deltas = False
  features.chroma = "stft"  # or 'cqt'
  features.workers = 2  # processes used to build the feature cache
  # Frozen musicnn features: frames between the starts of the 3 s patches that are embedded
  # (62 frames = 1 s at musicnn's 16 kHz / 256 hop); each frame takes its nearest patch's.
  features.musicnn_hop_frames = 62
  return features


def _model_config() -> ml_collections.ConfigDict:
  """config.model: trunk, fusion and head sizes."""
  model = ml_collections.ConfigDict()
  # The features (one branch each) are config.features.names: they decide what is cached.
  model.trunk = "crnn"  # 'crnn' | 'transformer'
  # False: one trunk per branch (default: mel, MFCC and chroma differ in frequency structure,
  # and sharing saves parameters, not compute). True: per-branch stems project every feature to
  # model.stem_width bins, then one trunk's weights are shared by all branches.
  model.shared_trunk = False
  model.stem_width = 64
  # How branches merge (identity with one feature): 'mean' of per-branch predictions, 'gated'
  # (learned softmax weights over branches per task, logged as gate_<task>_<feature>), or
  # 'concat' (branch embeddings concatenated into an MLP before the heads).
  model.fusion = "concat"
  # Per-branch auxiliary heads (outputs aux_<feature>_<task>), each trained on its own branch.
  model.aux_heads = False
  model.aux_weight = 0.3  # their loss weight, relative to the task's weight
  model.embedding_dim = 128
  # The musicnn branches: trainable=False caches the frozen network's embeddings and trains a
  # small head on them (seconds per epoch); True caches musicnn's log-mel and fine-tunes the
  # network inside the model, its weights at learning_rate_scale x the learning rate.
  model.pretrained = ml_collections.ConfigDict(dict(
      trainable=False, learning_rate_scale=0.1))
  model.dropout = 0.3
  # strided_first_conv: the first block downsamples by a strided conv instead of conv + max-pool
  # (faster training on XLA's CPU backend, docs/performance.md; on a GPU the pooled form may be
  # worth trying).
  # batchnorm_momentum: 0.9, not Keras' 0.99, because runs here are a few hundred steps, and
  # moving statistics still far from the batch statistics leave inference near chance.
  model.crnn = ml_collections.ConfigDict(dict(
      conv_filters=(16, 32, 64, 64), pool_time=(2, 2, 2, 2), pool_freq=(2, 2, 2, 2),
      rnn="lstm", rnn_units=64, strided_first_conv=True, batchnorm_momentum=0.9))
  # Sized to train a 10 s segment at a CRNN-like speed on CPU (benchmarks/trunk_throughput.py).
  model.transformer = ml_collections.ConfigDict(dict(
      patch_frames=2, d_model=128, num_heads=4, num_layers=4, ff_dim=256, dropout=0.1,
      pooling="mean"))  # pooling: 'mean' over tokens or a learned 'cls' token
  return model


def _tasks_config() -> ml_collections.ConfigDict:
  """config.tasks: which heads the model has (jmer.tasks: each task's `enabled`)."""
  # tasks.emotion is not a head:
  # it picks the emotion heads, 'av' the arousal/valence regression head (whose model output is
  # named 'emotion', its metrics 'emotion_av'), 'quadrant' the 4-way quadrant head, 'both' both
  # heads, 'none' neither. train.lambda_emotion weighs every emotion head's loss.
  tasks = ml_collections.ConfigDict()
  tasks.genre = True
  tasks.emotion = "av"  # 'none' | 'av' | 'quadrant' | 'both'
  tasks.quadrant_threshold = 0.0  # AV value splitting low/high and negative/positive
  # AV loss: 'mse', or 'ccc' (1 - concordance correlation, the reported AV metric).
  tasks.av_loss = "mse"
  return tasks


def _augment_config() -> ml_collections.ConfigDict:
  """config.augment: training-time augmentation of the cached features, all off."""
  # jmer/data/augment.py; each applies with probability p. Off by default: the default experiment is tuned without it; the 'augment' variant turns all on.
  augment = ml_collections.ConfigDict()
  augment.gain = ml_collections.ConfigDict(dict(enabled=False, p=0.5, max_db=6.0))
  augment.shift = ml_collections.ConfigDict(dict(enabled=False, p=0.5, max_fraction=0.5))
  # Noise at a random SNR (dB): coloured noise, or (with clip_p) another training clip.
  augment.noise = ml_collections.ConfigDict(dict(
      enabled=False, p=0.5, snr_db=(10.0, 30.0), colours=("white", "pink", "brown"),
      clip_p=0.5, clip_snr_db=(15.0, 30.0)))
  augment.specaugment = ml_collections.ConfigDict(dict(
      enabled=False, p=0.8, time_masks=2, max_time_fraction=0.1, freq_masks=2,
      max_freq_fraction=0.15))
  return augment


def _train_config() -> ml_collections.ConfigDict:
  """config.train: the optimiser, schedule, early stopping and transfer."""
  train = ml_collections.ConfigDict()
  train.epochs = 30
  train.batch_size = 16
  # Each epoch draws this many random segments from every training track.
  train.crops_per_track = 2
  train.learning_rate = 1e-3
  train.warmup_epochs = 1
  train.weight_decay = 1e-4
  train.lambda_emotion = 1.0
  train.patience = 8  # early stopping on val_loss, in epochs
  train.select_on = "val_loss"  # or 'last': a fixed epoch budget, no early stopping
  # With select_on='last' nothing is chosen on validation, so its tracks train too; True keeps
  # data.val_fraction of them out anyway, as a split to watch in the logs.
  train.monitor_split = False
  # Weigh each training track of a single-label classification head by n / (k * n_class), so
  # an unbalanced set (GTZAN's real clips: 100 blues, 9 reggae) does not teach the majority.
  train.class_balance = False
  train.verbose = 2  # Keras fit verbosity: 2 prints one line per epoch
  # Transfer: start from another run's weights (a run dir or a .keras file; '' = from scratch).
  # Layers matching by name and shape are copied, e.g. a genre run's trunk for an emotion run.
  train.init_from = ""
  train.freeze_transferred = False  # keep copied layers fixed (train only the rest)
  # init_from refuses a source run whose training tracks include this run's test tracks (the
  # test numbers would be inflated); True only warns and reports the overlap in metrics.json.
  train.allow_test_overlap = False
  train.precision = "float32"  # or 'mixed_bfloat16' (GPU/TPU): training/distribution.py
  return train


def _eval_config(segment_seconds: ml_collections.FieldReference
                 ) -> ml_collections.ConfigDict:
  """config.eval: how validation and test tracks are tiled, and k-fold cross-validation.

  Args:
    segment_seconds: a reference to data.segment_seconds, which eval.hop_seconds follows.
  """
  evaluation = ml_collections.ConfigDict()
  evaluation.batch_size = 32
  # Eval tiles each track into segments this far apart; defaults to non-overlapping tiles.
  evaluation.hop_seconds = segment_seconds + 0.0  # derived, not an alias
  # k-fold cross-validation by track (0 or 1 = off): main runs jmer.training.crossval instead of one run.
  evaluation.folds = 0
  # Which fold is the test set; set by jmer.training.crossval for each fold's run (-1 = not a fold run).
  evaluation.fold = -1
  return evaluation

def parse_mix_weights(text: str) -> dict:
  """{dataset name: weight} from 'gtzan:2,deam:1'; raises ValueError for anything else."""
  out = {}
  for item in filter(None, (x.strip() for x in text.split(","))):
    name, _, weight = item.partition(":")
    try:
      value = float(weight)
    except ValueError:
      value = math.nan
    if not name.strip() or not value > 0 or not math.isfinite(value):
      raise ValueError(f"expected 'name:weight' pairs with positive weights, e.g. "
                       f"'gtzan:2,deam:1' (not {item!r})")
    out[name.strip()] = value
  return out


def _check(ok: bool, key: str, value, expected: str):
  if not ok:
    raise ConfigError(f"config.{key} = {value!r}: expected {expected}.")


def validate(config: ml_collections.ConfigDict) -> ml_collections.ConfigDict:
  """Raises ConfigError naming the first key whose value cannot work; returns the config."""
  d, f, m, t, tr = config.data, config.features, config.model, config.tasks, config.train
  for key, value, (low, high) in config_ranges.out_of_range(config):
    _check(False, key, value, f"a finite number in [{low:g}, {high:g}]")
  for key in ("val_fraction", "test_fraction"):
    _check(0.0 <= d[key] < 0.5, f"data.{key}", d[key], "a fraction in [0, 0.5)")
  _check(d.split in ("standard", "random"), "data.split", d.split, "'standard' or 'random'")
  try:
    parse_mix_weights(d.mix_weights)
  except ValueError as error:
    raise ConfigError(f"config.data.mix_weights = {d.mix_weights!r}: {error}.") from None
  if d.source in ("synthetic", "auto"):
    clip = d.synthetic.clip_seconds
    _check(d.segment_seconds <= clip, "data.segment_seconds", d.segment_seconds,
           f"a segment no longer than the clips (data.synthetic.clip_seconds = {clip})")
    _check(d.synthetic.clips_per_genre >= 3, "data.synthetic.clips_per_genre",
           d.synthetic.clips_per_genre, "at least 3 clips per genre (one per split)")
  names = tuple(f.names)
  _check(len(names) > 0 and len(set(names)) == len(names) and set(names) <= set(FEATURES),
         "features.names", names, f"a non-empty tuple of distinct names from {FEATURES}")
  _check(f.n_mels > 0, "features.n_mels", f.n_mels, "a positive number of mel bands")
  _check(f.n_fft > 0, "features.n_fft", f.n_fft, "a positive FFT size")
  _check(f.hop_length > 0, "features.hop_length", f.hop_length, "a positive hop length")
  _check(0 < f.n_mfcc <= f.n_mels, "features.n_mfcc", f.n_mfcc,
         "between 1 and features.n_mels")
  _check(f.chroma in ("stft", "cqt"), "features.chroma", f.chroma, "'stft' or 'cqt'")
  _check(f.fmin < d.sample_rate / 2, "features.fmin", f.fmin, "a frequency below sample_rate / 2")
  _validate_pretrained(config)
  _check(f.fmax == 0 or f.fmin < f.fmax <= d.sample_rate / 2, "features.fmax", f.fmax,
         "0 (Nyquist) or a frequency above fmin and at most sample_rate / 2")
  _check(m.trunk in TRUNKS, "model.trunk", m.trunk, f"one of {TRUNKS}")
  _check(m.fusion in FUSIONS, "model.fusion", m.fusion, f"one of {FUSIONS}")
  _check(0.0 <= m.dropout < 1.0, "model.dropout", m.dropout, "a rate in [0, 1)")
  _validate_model_and_augment(config)
  _check(t.emotion in EMOTION_TASKS, "tasks.emotion", t.emotion, f"one of {EMOTION_TASKS}")
  _check(bool(tasks_lib.active(config)), "tasks.genre", t.genre,
         "at least one task (tasks.genre=True or tasks.emotion != 'none')")
  _check(tr.lambda_emotion >= 0 and math.isfinite(tr.lambda_emotion), "train.lambda_emotion",
         tr.lambda_emotion, "a finite weight >= 0")
  _check(tr.learning_rate > 0, "train.learning_rate", tr.learning_rate, "a positive rate")
  _check(tr.epochs >= 1, "train.epochs", tr.epochs, "at least 1")
  _check(tr.batch_size >= 1, "train.batch_size", tr.batch_size, "at least 1")
  _check(tr.crops_per_track >= 1, "train.crops_per_track", tr.crops_per_track, "at least 1")
  _check(tr.precision in ("float32", "mixed_bfloat16"), "train.precision", tr.precision,
         "'float32' or 'mixed_bfloat16'")
  _check(tr.select_on in SELECT_ON, "train.select_on", tr.select_on, f"one of {SELECT_ON}")
  _check(config.eval.hop_seconds > 0, "eval.hop_seconds", config.eval.hop_seconds, "a positive hop")
  _validate_own_data(config)
  return config


def _validate_pretrained(config):
  """A config using a musicnn feature must run every feature on musicnn's frame grid."""
  pretrained = [name for name in config.features.names if name in PRETRAINED_FEATURES]
  if pretrained:
    for key, value in PRETRAINED_GRID.items():
      section, field = key.split(".")
      _check(config[section][field] == value, key, config[section][field],
             f"{value}, as features {pretrained} exist only on musicnn's grid (16 kHz, hop 256) "
             "and all features share one frame grid; set --config.data.sample_rate=16000 "
             "--config.features.hop_length=256 or use the 'musicnn' variant")
  _check(config.features.musicnn_hop_frames >= 1, "features.musicnn_hop_frames",
         config.features.musicnn_hop_frames, "at least 1 frame")
  scale = config.model.pretrained.learning_rate_scale
  _check(scale > 0 and math.isfinite(scale), "model.pretrained.learning_rate_scale", scale,
         "a positive finite factor")


def _validate_model_and_augment(config):
  """Checks of the model, emotion-loss and augmentation keys."""
  m, a, tx = config.model, config.augment, config.model.transformer
  _check(m.stem_width >= 1, "model.stem_width", m.stem_width, "a positive width")
  _check(m.aux_weight >= 0, "model.aux_weight", m.aux_weight, "a weight >= 0")
  _check(m.crnn.rnn in ("lstm", "gru"), "model.crnn.rnn", m.crnn.rnn, "'lstm' or 'gru'")
  _check(0.0 <= m.crnn.batchnorm_momentum < 1.0, "model.crnn.batchnorm_momentum",
         m.crnn.batchnorm_momentum, "a momentum in [0, 1)")
  for key in ("conv_filters", "pool_time", "pool_freq"):
    value = tuple(m.crnn[key])
    _check(len(value) == len(m.crnn.conv_filters) > 0
           and all(isinstance(x, int) and x >= 1 for x in value), f"model.crnn.{key}", value,
           "a non-empty tuple of positive integers, one per block of model.crnn.conv_filters")
  _check(tx.d_model % tx.num_heads == 0, "model.transformer.d_model", tx.d_model,
         f"a multiple of model.transformer.num_heads = {tx.num_heads}")
  _check(tx.patch_frames >= 1, "model.transformer.patch_frames", tx.patch_frames, "at least 1")
  _check(tx.pooling in ("mean", "cls"), "model.transformer.pooling", tx.pooling,
         "'mean' or 'cls'")
  _check(config.tasks.av_loss in ("mse", "ccc"), "tasks.av_loss", config.tasks.av_loss,
         "'mse' or 'ccc'")
  for name in ("gain", "shift", "noise", "specaugment"):
    _check(0.0 <= a[name].p <= 1.0, f"augment.{name}.p", a[name].p, "a probability in [0, 1]")
  _check(a.gain.max_db >= 0, "augment.gain.max_db", a.gain.max_db, "a level >= 0 dB")
  _check(0.0 <= a.shift.max_fraction <= 1.0, "augment.shift.max_fraction",
         a.shift.max_fraction, "a fraction of the segment in [0, 1]")
  for key in ("snr_db", "clip_snr_db"):
    low_high = tuple(a.noise[key])
    _check(len(low_high) == 2 and low_high[0] <= low_high[1], f"augment.noise.{key}", low_high,
           "(low, high) in dB")
  _check(set(a.noise.colours) <= {"white", "pink", "brown"} and len(a.noise.colours) > 0,
         "augment.noise.colours", a.noise.colours, "a non-empty subset of white/pink/brown")
  for key in ("max_time_fraction", "max_freq_fraction"):
    _check(0.0 <= a.specaugment[key] < 1.0, f"augment.specaugment.{key}", a.specaugment[key],
           "a fraction in [0, 1)")


def parse_sources(source) -> tuple:
  """('gtzan', 'deam') from data.source 'gtzan+deam' (also ',' or spaces, or a tuple); order kept."""
  items = re.split(r"[\s,+]+", source) if isinstance(source, str) else source
  return tuple(dict.fromkeys(s for s in items if s))


def _validate_own_data(config):
  """Checks of the folder/manifest datasets and of k-fold cross-validation."""
  d, e, t = config.data, config.eval, config.tasks
  _check(d.folder.task in ("genre", "quadrant"), "data.folder.task", d.folder.task,
         "'genre' or 'quadrant' (what the folder names are)")
  for key in ("folder", "manifest"):
    entries = tuple(d[key].quadrant_map)
    _check(all(re.fullmatch(r"[^:]+:[Qq]?[1-4]", str(x).strip()) for x in entries),
           f"data.{key}.quadrant_map", entries, "a tuple of 'name:Qn' strings, n in 1..4")
  scale = tuple(d.manifest.av_scale)
  _check(len(scale) == 2 and scale[0] < scale[1], "data.manifest.av_scale", scale,
         "(low, high) of the manifest's arousal/valence ratings, e.g. (1.0, 9.0)")
  _check(e.folds >= 0, "eval.folds", e.folds, "0 or 1 (off), or k >= 2 folds")
  _check(e.fold == -1 or 0 <= e.fold < e.folds, "eval.fold", e.fold,
         f"-1, or a fold index below eval.folds = {e.folds}")
  sources = set(parse_sources(d.source))
  for key in ("folder", "manifest"):
    _check(key not in sources or bool(d[key].path), f"data.{key}.path", d[key].path,
           f"the {'root folder' if key == 'folder' else 'CSV file'} of your {key} dataset")
  if sources == {"folder"}:  # a folder set alone carries one kind of label only
    if d.folder.task == "quadrant":
      _check(not t.genre and t.emotion == "quadrant", "tasks", (t.genre, t.emotion),
             "no genre task and a quadrant one, as data.folder.task='quadrant' gives only "
             "quadrant labels; set --config.tasks.genre=False --config.tasks.emotion=quadrant")
    else:
      _check(t.emotion == "none", "tasks.emotion", t.emotion,
             "'none', as data.folder.task='genre' gives only genre labels; set "
             "--config.tasks.emotion=none (or data.folder.task=quadrant)")


def apply_variants(config, arg):
  """Applies the comma-separated named variants in `arg` (None or '' for none)."""
  for name in filter(None, (arg or "").split(",")):
    if name not in VARIANTS:
      raise UnknownVariantError(name)
    VARIANTS[name](config)
  return config
