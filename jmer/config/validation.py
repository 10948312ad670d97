"""Config validation: `validate` names the first key whose value jmer cannot use.

jmer.config re-exports what is public here (ConfigError, validate, parse_mix_weights,
parse_sources, the name lists); `validate` runs before anything heavy is imported.
"""

import math
import re

import ml_collections

from jmer.config import base as base_lib
from jmer.config import names as names_lib
from jmer.config.names import FEATURES, FUSIONS, ROW_TRUNKS, TRUNKS
from jmer import tasks as tasks_lib

# Features from the pretrained networks of the musicnn wheel (musicnn and VGG, each MSD- and
# MagnaTagATune-trained): they exist only on musicnn's own frame grid, which every feature of a
# config shares.
PRETRAINED_FEATURES = tuple(names_lib.PRETRAINED_NETWORKS)
PRETRAINED_GRID = {"data.sample_rate": 16000, "features.hop_length": 256}
EMOTION_TASKS = ("none", "av", "quadrant", "both")
SELECT_ON = ("val_loss", "last")  # train.select_on
# Datasets found in a folder under data.root, which data.dirs may point elsewhere (the others
# are generated, or name their own path: data.folder.path, data.manifest.path).
ROOT_DATASETS = ("gtzan", "deam", "emomusic", "4q")
GROUP_FOLDS_BY = ("group", "track")  # data.group_folds_by
ALLMUSIC_GENRE_LABELS = ("none", "sets", "singles")  # data.genre_labels.allmusic
BALANCE_UNITS = ("clip", "artist")  # train.balance_unit


class ConfigError(ValueError):
  """A config key holds a value jmer cannot use; the message names the key."""


def parse_mix_weights(text: str) -> dict:
  """{dataset name: weight} from 'gtzan:2,deam:1'; raises ValueError for anything else.

  Args:
    text: 'name:weight' entries joined by ',' ('' for none).

  Returns:
    A dict from dataset name to its positive weight (relative, unitless).
  """
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


def parse_dataset_dirs(entries) -> dict:
  """{dataset name: folder relative to the data root} from data.dirs' 'name:path' pairs.

  Args:
    entries: data.dirs, e.g. ('gtzan:gtzan_real', '4q:4q_dev').

  Returns:
    A dict from dataset name to its path as written.

  Raises:
    ConfigError: an entry is not 'name:path', names a dataset twice, or names a dataset that
      does not live under the data root (the message lists those that do).
  """
  out = {}
  for entry in entries:
    name, _, path = str(entry).partition(":")
    name, path = name.strip(), path.strip()
    _check(bool(name) and bool(path) and name not in out, "data.dirs", tuple(entries),
           "'name:path' pairs, one per dataset, e.g. ('gtzan:gtzan_real', '4q:4q_dev')")
    _check(name in ROOT_DATASETS, "data.dirs", tuple(entries),
           f"dataset names from {ROOT_DATASETS} (not {name!r})")
    out[name] = path
  return out


def _check(ok: bool, key: str, value, expected: str):
  if not ok:
    raise ConfigError(f"config.{key} = {value!r}: expected {expected}.")


def validate(config: ml_collections.ConfigDict) -> ml_collections.ConfigDict:
  """Raises ConfigError naming the first key whose value cannot work; returns the config.

  Args:
    config: the config to check.

  Returns:
    `config`, unchanged.

  Raises:
    ConfigError: a value cannot work; the message names the key.
  """
  d, f, m, t, tr = config.data, config.features, config.model, config.tasks, config.train
  _validate_numbers(config)
  _validate_data(config)
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
  _check(m.rows.trunk in ROW_TRUNKS, "model.rows.trunk", m.rows.trunk, f"one of {ROW_TRUNKS}")
  _check(m.fusion in FUSIONS, "model.fusion", m.fusion, f"one of {FUSIONS}")
  _check(0.0 <= m.dropout < 1.0, "model.dropout", m.dropout, "a rate in [0, 1)")
  _validate_model_and_augment(config)
  _check(t.emotion in EMOTION_TASKS, "tasks.emotion", t.emotion, f"one of {EMOTION_TASKS}")
  _check(bool(tasks_lib.active(config)), "tasks.genre", t.genre,
         "at least one task (tasks.genre=True, tasks.emotion != 'none' or "
         "tasks.genre_tags=True)")
  _check(tr.lambda_emotion >= 0 and math.isfinite(tr.lambda_emotion), "train.lambda_emotion",
         tr.lambda_emotion, "a finite weight >= 0")
  _check(tr.learning_rate > 0, "train.learning_rate", tr.learning_rate, "a positive rate")
  _check(tr.epochs >= 1, "train.epochs", tr.epochs, "at least 1")
  _check(tr.batch_size >= 1, "train.batch_size", tr.batch_size, "at least 1")
  _check(tr.crops_per_track >= 1, "train.crops_per_track", tr.crops_per_track, "at least 1")
  _check(tr.precision in ("float32", "mixed_bfloat16"), "train.precision", tr.precision,
         "'float32' or 'mixed_bfloat16'")
  _check(tr.select_on in SELECT_ON, "train.select_on", tr.select_on, f"one of {SELECT_ON}")
  _check(tr.balance_unit in BALANCE_UNITS, "train.balance_unit", tr.balance_unit,
         f"one of {BALANCE_UNITS}")
  _validate_genre_labels(config)
  _check(config.eval.hop_seconds > 0, "eval.hop_seconds", config.eval.hop_seconds, "a positive hop")
  _validate_own_data(config)
  return config


def _validate_numbers(config):
  """Each numeric key a finite number within its bounds (jmer.config.base, beside its default),
  checked in the order base_config builds them."""
  for key, (low, high) in base_lib.number_bounds().items():
    value = config
    for part in key.split("."):
      value = value[part]
    _check(isinstance(value, (int, float)) and not isinstance(value, bool)
           and math.isfinite(value) and low <= value <= high, key, value,
           f"a finite number in [{low:g}, {high:g}]")


def _validate_data(config):
  """Checks of the data split, mix weights and built-in corpus keys."""
  d = config.data
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


def _validate_genre_labels(config):
  """data.genre_labels: a known AllMusic mode, and some label left for the genre head to learn."""
  g = config.data.genre_labels
  _check(g.allmusic in ALLMUSIC_GENRE_LABELS, "data.genre_labels.allmusic", g.allmusic,
         f"one of {ALLMUSIC_GENRE_LABELS}")
  _check(isinstance(g.own, bool), "data.genre_labels.own", g.own, "True or False")
  if config.tasks.genre:
    _check(g.own or g.allmusic != "none", "data.genre_labels.own", g.own,
           "True while data.genre_labels.allmusic='none', or the genre head has no training "
           "label (set --config.data.genre_labels.allmusic=sets, or --config.tasks.genre=False)")


def parse_sources(source) -> tuple:
  """('gtzan', 'deam') from data.source 'gtzan+deam' (also ',' or spaces, or a tuple); order kept.

  Args:
    source: data.source, a string or a tuple of names.

  Returns:
    A tuple of dataset names.
  """
  items = re.split(r"[\s,+]+", source) if isinstance(source, str) else source
  return tuple(dict.fromkeys(s for s in items if s))


def _validate_own_data(config):
  """Checks of where datasets live, the folder/manifest datasets and k-fold cross-validation."""
  d, e, t = config.data, config.eval, config.tasks
  parse_dataset_dirs(d.dirs)
  _check(d.group_folds_by in GROUP_FOLDS_BY, "data.group_folds_by", d.group_folds_by,
         f"one of {GROUP_FOLDS_BY}")
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
  pool = set(parse_sources(e.fold_pool))
  _check(not pool or "auto" in sources or sources <= pool, "eval.fold_pool", e.fold_pool,
         f"'' or datasets holding every one of data.source = {d.source!r}")
  for key in ("folder", "manifest"):
    _check(key not in sources or bool(d[key].path), f"data.{key}.path", d[key].path,
           f"the {'root folder' if key == 'folder' else 'CSV file'} of your {key} dataset")
  if sources == {"folder"}:  # a folder set alone carries one kind of label only
    if d.folder.task == "quadrant":
      # Its metadata.csv may add genre tags (tasks.genre_tags), never single-label genres.
      _check(not t.genre and t.emotion in ("quadrant", "none"), "tasks", (t.genre, t.emotion),
             "no genre task and a quadrant one (or none beside tasks.genre_tags), as "
             "data.folder.task='quadrant' gives only quadrant labels; set "
             "--config.tasks.genre=False --config.tasks.emotion=quadrant")
    else:
      _check(t.emotion == "none", "tasks.emotion", t.emotion,
             "'none', as data.folder.task='genre' gives only genre labels; set "
             "--config.tasks.emotion=none (or data.folder.task=quadrant)")
