"""Shared config defaults: `base_config()`, and each numeric key's bounds beside its default.

Configs under `configs/` change only what differs from `base_config()`; `validate()`
(jmer.config.validation) runs first and names the offending key; derived fields use `get_ref`,
so overrides stay consistent.

Each numeric key's inclusive (low, high) is recorded right after its default, as
`bounds.<key> = (low, high)` in the section's builder; `number_bounds()` collects them for
validate, which refuses a value outside them, or one not a finite number. Beyond them a run fails
late and obscurely (seeds: numpy's 32-bit range); the upper bounds are far above any useful
setting.
"""

import functools
import types

import ml_collections

_SEED_BOUNDS = (0, 2**32 - 1)
_SIZE_BOUNDS = (1, 65_536)  # widths, batch sizes, FFT and hop lengths


def base_config() -> ml_collections.ConfigDict:
  """Defaults for every experiment: the multi-task CRNN on 10 s log-mel segments.

  One builder per section below; derived keys (data.split_seed, eval.hop_seconds) are references
  to the keys they follow, so overriding those keeps them consistent.

  Returns:
    A new ml_collections.ConfigDict; durations in seconds, rates in Hz, frame sizes in samples.
  """
  return _config_and_bounds()[0]


@functools.cache
def number_bounds() -> types.MappingProxyType:
  """{dotted key: (low, high)} of every numeric key, in the order base_config builds them.

  Returns:
    A read-only mapping, e.g. {'seed': (0, 4294967295), 'data.split_seed': ..., ...}.
  """
  return types.MappingProxyType(dict(_flat(_config_and_bounds()[1])))


def _flat(bounds, prefix: str = ""):
  """(dotted key, (low, high)) of a namespace of bounds, nested sections included."""
  for name, value in (vars(bounds) if isinstance(bounds, types.SimpleNamespace)
                      else bounds).items():
    if isinstance(value, tuple):
      yield f"{prefix}{name}", value
    else:
      yield from _flat(value, prefix=f"{prefix}{name}.")


def _config_and_bounds() -> tuple:
  """(base config, the bounds of its numeric keys: a namespace of sections)."""
  config, bounds = ml_collections.ConfigDict(), types.SimpleNamespace()
  config.seed = 0
  bounds.seed = _SEED_BOUNDS
  config.data, bounds.data = _data_config(seed=config.get_ref("seed"))
  config.features, bounds.features = _features_config()
  config.model, bounds.model = _model_config()
  config.tasks, bounds.tasks = _tasks_config()
  config.augment, bounds.augment = _augment_config()
  config.train, bounds.train = _train_config()
  # Data-parallel over all devices (train.batch_size is the global batch), multi-host start.
  config.distribution = ml_collections.ConfigDict(dict(data_parallel=True, multi_host=False))
  config.eval, bounds.eval = _eval_config(segment_seconds=config.data.get_ref("segment_seconds"))
  return config, bounds


def _data_config(seed: ml_collections.FieldReference) -> tuple:
  """config.data: what to train on, where it lives, and how tracks are split and cut.

  Args:
    seed: a reference to the config's `seed`, which data.split_seed follows unless set.

  Returns:
    (config.data, the bounds of its numeric keys).
  """
  data, bounds = ml_collections.ConfigDict(), types.SimpleNamespace()
  # What to train on: 'auto' (the real datasets found under the data root, else the built-in
  # corpus), 'synthetic' (the built-in corpus generated offline on first use), one dataset name
  # (jmer.data.datasets.DATASETS) or several joined by '+', e.g. 'gtzan+deam'.
  data.source = "auto"
  # Where real datasets live, one folder each (<root>/gtzan, <root>/deam, <root>/emomusic,
  # <root>/4q); '' means the JMER_DATA environment variable.
  data.root = ""
  # A dataset's folder when it is not <root>/<name>: 'name:path' pairs, the path relative to the
  # root, e.g. ('gtzan:gtzan_real', '4q:4q_dev') for the real development sets.
  data.dirs = ()
  # 'standard': each dataset's published split where one exists (GTZAN fault-filtered, EmoMusic
  # MediaEval 2013); 'random': a seeded stratified track split (val/test_fraction) for all.
  data.split = "standard"
  # How often each dataset feeds a training sample when several are mixed, as 'name:weight'
  # pairs, e.g. 'gtzan:2,deam:1'; unnamed datasets (and '') weigh 1.
  data.mix_weights = ""
  # Generated corpora and feature caches; '' means $JMER_CACHE or ~/.cache/jmer.
  data.cache_dir = ""
  data.sample_rate = 22050
  bounds.sample_rate = (8000, 192_000)
  data.segment_seconds = 10.0
  bounds.segment_seconds = (3.0, 30.0)
  data.val_fraction = 0.15
  # Seed of the data side: the track/group split, the k-folds and the built-in corpus. Follows
  # `seed` unless set, so `--config.seed=N` varies data and initialisation together, and
  # `--config.data.split_seed=0 --config.seed=N` holds the data fixed while N varies init.
  # (`+ 0` makes a derived reference: setting split_seed then replaces it, where setting a plain
  # get_ref would write through to `seed` as well.)
  data.split_seed = seed + 0
  bounds.split_seed = _SEED_BOUNDS
  data.test_fraction = 0.15
  # What k-fold cross-validation keeps together: 'group' (the dataset's groups, e.g. artists:
  # no group in two folds) or 'track' (groups ignored; same-artist clips can sit in train and
  # test folds, the older GTZAN protocol, kept to measure how much that leak overstates).
  data.group_folds_by = "group"
  # At most this many training tracks (0: all), a seeded draw stratified by dataset and label
  # from the training split: a learning curve's smaller training sets, same test tracks.
  data.train_tracks = 0
  bounds.train_tracks = (0, 10_000_000)
  _add_genre_labels_config(data)
  data.synthetic = ml_collections.ConfigDict(dict(clips_per_genre=30, clip_seconds=30.0))
  bounds.synthetic = dict(clips_per_genre=(1, 100_000), clip_seconds=(1.0, 3600.0))
  _add_own_data_config(data)
  return data, bounds


def _add_genre_labels_config(data: ml_collections.ConfigDict) -> None:
  """config.data.genre_labels: what the genre head trains on beyond each dataset's own labels.

  jmer.data.genre_labels; the training (and validation) split only: test clips keep their
  datasets' own labels. own: the datasets' own genre labels train it (False keeps them for
  testing only: GTZAN scored by a head trained on other labels). allmusic: 'none'; 'sets': a
  track without a genre of its own whose AllMusic genres (4Q's GenresStr) name one GTZAN label
  (jmer.tasks.labels.ALLMUSIC_TO_GTZAN) trains towards it, Pop/Rock towards the set {pop,
  rock} (its loss maximises p(pop) + p(rock)); 'singles': the same, Pop/Rock clips unlabelled.
  A track whose AllMusic genres name two GTZAN labels stays unlabelled.
  """
  data.genre_labels = ml_collections.ConfigDict(dict(own=True, allmusic="none"))


def _add_own_data_config(data: ml_collections.ConfigDict) -> None:
  """config.data.folder and config.data.manifest: your own collection, as folders or a CSV."""
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


def _features_config() -> tuple:
  """(config.features: the input features and their STFT/mel parameters, its bounds)."""
  features, bounds = ml_collections.ConfigDict(), types.SimpleNamespace()
  features.names = ("mel",)
  features.n_fft = 2048
  bounds.n_fft = (16, _SIZE_BOUNDS[1])
  features.hop_length = 512
  bounds.hop_length = _SIZE_BOUNDS
  features.n_mels = 128
  bounds.n_mels = (1, 1024)
  features.fmin = 0.0
  bounds.fmin = (0.0, 96_000.0)
  features.fmax = 0.0  # 0 means sample_rate / 2.
  bounds.fmax = (0.0, 96_000.0)
  features.n_mfcc = 20
  features.mfcc_deltas = False
  features.chroma = "stft"  # or 'cqt'
  features.workers = 2  # processes used to build the feature cache
  bounds.workers = (1, 256)
  # Frozen musicnn features: frames between the starts of the 3 s patches that are embedded
  # (62 frames = 1 s at musicnn's 16 kHz / 256 hop); each frame takes its nearest patch's.
  features.musicnn_hop_frames = 62
  bounds.musicnn_hop_frames = (1, 10_000)
  # Frozen musicnn features enter the model at one row per patch (every musicnn_hop_frames-th
  # frame of a segment) instead of one per frame: the same embeddings without their repeats.
  features.one_row_per_patch = False
  return features, bounds


def _model_config() -> tuple:
  """(config.model: trunk, fusion and head sizes, its bounds)."""
  model, bounds = ml_collections.ConfigDict(), types.SimpleNamespace()
  # The features (one branch each) are config.features.names: they decide what is cached.
  model.trunk = "crnn"  # 'crnn' | 'transformer'
  # False: one trunk per branch (default: mel, MFCC and chroma differ in frequency structure,
  # and sharing saves parameters, not compute). True: per-branch stems project every feature to
  # model.stem_width bins, then one trunk's weights are shared by all branches.
  model.shared_trunk = False
  model.stem_width = 64
  bounds.stem_width = _SIZE_BOUNDS
  # How branches merge (identity with one feature): 'mean' of per-branch predictions, 'gated'
  # (learned softmax weights over branches per task, logged as gate_<task>_<feature>), or
  # 'concat' (branch embeddings concatenated into an MLP before the heads).
  model.fusion = "concat"
  # Per-branch auxiliary heads (outputs aux_<feature>_<task>), each trained on its own branch.
  model.aux_heads = False
  model.aux_weight = 0.3  # their loss weight, relative to the task's weight
  bounds.aux_weight = (0.0, 1000.0)
  model.embedding_dim = 128
  bounds.embedding_dim = _SIZE_BOUNDS
  # The musicnn branches: trainable=False caches the frozen network's embeddings and trains a
  # small head on them (seconds per epoch); True caches musicnn's log-mel and fine-tunes the
  # network inside the model, its weights at learning_rate_scale x the learning rate.
  model.pretrained = ml_collections.ConfigDict(dict(
      trainable=False, learning_rate_scale=0.1))
  bounds.pretrained = dict(learning_rate_scale=(1e-6, 100.0))
  model.dropout = 0.3
  # The trunk over rows of vectors (jmer.config.names.ROW_TRUNKS): the pretrained networks'
  # embeddings, one row per patch (or per frame), always take it; 'pooled' is the shipped
  # recipe's. window > 0 also turns every spectral feature (mel, MFCC, chroma) into rows of
  # vectors: the mean and SD of each `window` frames (187 = musicnn's 3 s patch), read by this
  # trunk instead of model.trunk. width, layers and heads size the 'crnn' (Conv1D + BiLSTM of
  # `width` units) and 'transformer' (layers x blocks of d_model `width`, `heads` heads) trunks.
  model.rows = ml_collections.ConfigDict(dict(
      trunk="pooled", window=0, width=64, layers=2, heads=4))
  bounds.rows = dict(window=(0, 100_000), width=_SIZE_BOUNDS, layers=(1, 100), heads=(1, 64))
  # strided_first_conv: the first block downsamples by a strided conv instead of conv + max-pool
  # (faster training on XLA's CPU backend, docs/performance.md; on a GPU the pooled form may be
  # worth trying).
  # batchnorm_momentum: 0.9, not Keras' 0.99, because runs here are a few hundred steps, and
  # moving statistics still far from the batch statistics leave inference near chance.
  model.crnn = ml_collections.ConfigDict(dict(
      conv_filters=(16, 32, 64, 64), pool_time=(2, 2, 2, 2), pool_freq=(2, 2, 2, 2),
      rnn="lstm", rnn_units=64, strided_first_conv=True, batchnorm_momentum=0.9))
  bounds.crnn = dict(rnn_units=_SIZE_BOUNDS)
  # Sized to train a 10 s segment at a CRNN-like speed on CPU (benchmarks/trunk_throughput.py).
  model.transformer = ml_collections.ConfigDict(dict(
      patch_frames=2, d_model=128, num_heads=4, num_layers=4, ff_dim=256, dropout=0.1,
      pooling="mean"))  # pooling: 'mean' over tokens or a learned 'cls' token
  bounds.transformer = dict(
      patch_frames=(1, 10_000), d_model=_SIZE_BOUNDS, num_heads=(1, 1024),
      num_layers=(1, 1000), ff_dim=_SIZE_BOUNDS, dropout=(0.0, 0.99))
  return model, bounds


def _tasks_config() -> tuple:
  """(config.tasks: which heads the model has (jmer.tasks: each task's `enabled`), bounds)."""
  # tasks.emotion is not a head:
  # it picks the emotion heads, 'av' the arousal/valence regression head (whose model output is
  # named 'emotion', its metrics 'emotion_av'), 'quadrant' the 4-way quadrant head, 'both' both
  # heads, 'none' neither. train.lambda_emotion weighs every emotion head's loss.
  tasks, bounds = ml_collections.ConfigDict(), types.SimpleNamespace()
  tasks.genre = True
  tasks.emotion = "av"  # 'none' | 'av' | 'quadrant' | 'both'
  # Multi-label AllMusic genres (jmer.tasks.genre_tags), from a `genres` / `GenresStr` label column.
  tasks.genre_tags = False
  tasks.quadrant_threshold = 0.0  # AV value splitting low/high and negative/positive
  bounds.quadrant_threshold = (-1.0, 1.0)
  # AV loss: 'mse', or 'ccc' (1 - concordance correlation, the reported AV metric).
  tasks.av_loss = "mse"
  return tasks, bounds


def _augment_config() -> tuple:
  """(config.augment: training-time augmentation of the cached features, all off; bounds)."""
  # jmer/data/augment.py; each applies with probability p. Off by default: the default
  # experiment is tuned without it; the 'augment' variant turns all on.
  augment, bounds = ml_collections.ConfigDict(), types.SimpleNamespace()
  augment.gain = ml_collections.ConfigDict(dict(enabled=False, p=0.5, max_db=6.0))
  bounds.gain = dict(max_db=(0.0, 60.0))
  augment.shift = ml_collections.ConfigDict(dict(enabled=False, p=0.5, max_fraction=0.5))
  # Noise at a random SNR (dB): coloured noise, or (with clip_p) another training clip.
  augment.noise = ml_collections.ConfigDict(dict(
      enabled=False, p=0.5, snr_db=(10.0, 30.0), colours=("white", "pink", "brown"),
      clip_p=0.5, clip_snr_db=(15.0, 30.0)))
  bounds.noise = dict(clip_p=(0.0, 1.0))
  augment.specaugment = ml_collections.ConfigDict(dict(
      enabled=False, p=0.8, time_masks=2, max_time_fraction=0.1, freq_masks=2,
      max_freq_fraction=0.15))
  bounds.specaugment = dict(time_masks=(0, 100), freq_masks=(0, 100))
  return augment, bounds


def _train_config() -> tuple:
  """(config.train: the optimiser, schedule, early stopping and transfer; its bounds)."""
  train, bounds = ml_collections.ConfigDict(), types.SimpleNamespace()
  train.epochs = 30
  bounds.epochs = (1, 1_000_000)
  train.batch_size = 16
  bounds.batch_size = _SIZE_BOUNDS
  # Each epoch draws this many random segments from every training track.
  train.crops_per_track = 2
  bounds.crops_per_track = (1, 10_000)
  train.learning_rate = 1e-3
  bounds.learning_rate = (1e-12, 10.0)
  train.warmup_epochs = 1
  bounds.warmup_epochs = (0, 1_000_000)
  train.weight_decay = 1e-4
  bounds.weight_decay = (0.0, 1.0)
  train.lambda_emotion = 1.0
  bounds.lambda_emotion = (0.0, 1000.0)
  train.patience = 8  # early stopping on val_loss, in epochs
  bounds.patience = (0, 1_000_000)
  train.select_on = "val_loss"  # or 'last': a fixed epoch budget, no early stopping
  # With select_on='last' nothing is chosen on validation, so its tracks train too; True keeps
  # data.val_fraction of them out anyway, as a split to watch in the logs.
  train.monitor_split = False
  # Weigh each training track of a single-label classification head by n / (k * n_class), so
  # an unbalanced set (GTZAN's real clips: 100 blues, 9 reggae) does not teach the majority.
  train.class_balance = False
  # Within each class of a single-label head, what shares its weight equally: 'clip' (every
  # clip alike) or 'artist' (every artist alike, split among its clips; the fold keys of
  # jmer.data.artists), so a few artists with many clips do not define a class (GTZAN's
  # reggae: 6 of 9 usable clips Bob Marley). With class_balance each class's total is n / k,
  # else its clips' count.
  train.balance_unit = "clip"
  train.verbose = 2  # Keras fit verbosity: 2 prints one line per epoch
  bounds.verbose = (0, 2)
  # Transfer: start from another run's weights (a run dir or a .keras file; '' = from scratch).
  # Layers matching by name and shape are copied, e.g. a genre run's trunk for an emotion run.
  train.init_from = ""
  train.freeze_transferred = False  # keep copied layers fixed (train only the rest)
  # init_from refuses a source run whose training tracks include this run's test tracks (the
  # test numbers would be inflated); True only warns and reports the overlap in metrics.json.
  train.allow_test_overlap = False
  train.precision = "float32"  # or 'mixed_bfloat16' (GPU/TPU): training/distribution.py
  return train, bounds


def _eval_config(segment_seconds: ml_collections.FieldReference) -> tuple:
  """config.eval: how validation and test tracks are tiled, and k-fold cross-validation.

  Args:
    segment_seconds: a reference to data.segment_seconds, which eval.hop_seconds follows.

  Returns:
    (config.eval, the bounds of its numeric keys).
  """
  evaluation, bounds = ml_collections.ConfigDict(), types.SimpleNamespace()
  evaluation.batch_size = 32
  bounds.batch_size = _SIZE_BOUNDS
  # Eval tiles each track into segments this far apart; defaults to non-overlapping tiles.
  evaluation.hop_seconds = segment_seconds + 0.0  # derived, not an alias
  bounds.hop_seconds = (0.01, 3600.0)
  # k-fold cross-validation by track (0 or 1 = off): main runs jmer.training.crossval instead
  # of one run.
  evaluation.folds = 0
  bounds.folds = (0, 1000)
  # Which fold is the test set; set by jmer.training.crossval for each fold's run (-1 = not a
  # fold run).
  evaluation.fold = -1
  # The datasets a fold run's folds are drawn over ('+'-joined names; '' = the run's own
  # datasets): a study names all of its datasets, so an arm training on one of them is tested
  # on the clips the joint arm is, and no artist crosses a fold through the other dataset
  # (jmer.data.fold_pool).
  evaluation.fold_pool = ""
  return evaluation, bounds
