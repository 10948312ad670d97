"""A self-describing model file: the trained `.keras` archive plus what it takes to use it.

`export_model` writes the model in Keras' `.keras` zip format and adds one extra member,
`jmer.json`, holding the feature parameters (jmer.data.features.feature_params), sample rate,
segment length, evaluation hop, label names and output names. Keras ignores unknown members,
so the file still loads with plain `keras.saving.load_model`; jmer reads `jmer.json` so that a
model file alone is enough to predict, with no config or work dir.

`load_model_bundle` loads in Keras safe mode (no arbitrary code runs from a model file) and
refuses a file whose feature settings this jmer version would not reproduce, naming the reason.

Optional metadata: `calibration` ({"temperatures": {head: T}, and where they came from}), one
temperature per class head that prediction applies (softmax(log p / T),
jmer.evaluation.calibration); `update_metadata` adds it to an existing file without touching
the weights.

Every training run writes one (`model.keras` in its work dir); `jmer.inference` reads it.
"""

import json
import os
import pathlib
import zipfile

import jmer
from jmer import tasks as tasks_lib
from jmer.tasks import labels
from jmer.config import names
from jmer.data import features as features_lib
from jmer.data import musicnn_features
from jmer.data import segments as segments_lib

METADATA_MEMBER = "jmer.json"
FORMAT = "jmer-model"
FORMAT_VERSION = 1
MODEL_FILENAME = "model.keras"  # what every training run leaves in its work dir
# The fields model_metadata writes: what prediction reads, which extra metadata cannot replace.
EXPORTED_FIELDS = ("format", "format_version", "jmer_version", "feature_params", "sample_rate",
                   "segment_seconds", "segment_frames", "input_strides", "hop_length",
                   "eval_hop_seconds", "output_names", "genre_names", "quadrant_names",
                   "class_names", "quadrant_threshold")


class ModelFileError(ValueError):
  """A model file cannot be used by this jmer version; the message names the file and why."""

  def __init__(self, path, reason: str):
    super().__init__(f"{path}: {reason}")
    self.path, self.reason = str(path), reason


def model_metadata(config, genre_names) -> dict:
  """Everything prediction needs besides the weights, as JSON-ready values.

  Args:
    config: the run config.
    genre_names: the genre vocabulary.

  Returns:
    A JSON-ready dict: format and versions, feature parameters, sample rate (Hz), segment
    length (seconds and frames), input strides (frames), hop length (samples), evaluation hop
    (seconds), output, genre, quadrant and class names, and the quadrant threshold.
  """
  d = config.data
  return dict(
      format=FORMAT, format_version=FORMAT_VERSION, jmer_version=jmer.__version__,
      feature_params=features_lib.feature_params(config),
      sample_rate=int(d.sample_rate), segment_seconds=float(d.segment_seconds),
      segment_frames=segments_lib.segment_frames(config),
      input_strides=segments_lib.input_strides(config),
      hop_length=int(config.features.hop_length),
      eval_hop_seconds=float(config.eval.hop_seconds),
      output_names=list(tasks_lib.output_names(config)),
      genre_names=list(genre_names), quadrant_names=list(labels.QUADRANTS),
      class_names={t.name: list(t.class_names(genre_names)) for t in tasks_lib.active(config)
                   if t.class_names(genre_names)},
      quadrant_threshold=float(config.tasks.quadrant_threshold))


def export_model(model, config, genre_names, path, extra: dict | None = None) -> pathlib.Path:
  """Saves `model` with its metadata as one `.keras` file (atomically); returns the path.

  `extra` adds JSON-ready fields to the metadata (e.g. a shipped model's recipe and data
  listing); they cannot replace the fields prediction reads.

  Args:
    model: the model to save.
    config: the run config.
    genre_names: the genre vocabulary.
    path: the .keras file to write.
    extra: further metadata fields, or None.

  Returns:
    `path`, as a pathlib.Path.
  """
  path = pathlib.Path(path)
  if path.suffix != ".keras":
    raise ValueError(f"{path}: a jmer model file must end in .keras")
  path.parent.mkdir(parents=True, exist_ok=True)
  tmp = path.with_name(f".{path.stem}.{os.getpid()}.tmp.keras")
  model.save(tmp)
  with zipfile.ZipFile(tmp, "a") as archive:
    meta = model_metadata(config, genre_names)
    clash = sorted(set(extra or {}) & set(meta))
    if clash:
      raise ValueError(f"export_model: extra metadata may not replace {clash}")
    archive.writestr(METADATA_MEMBER, json.dumps({**meta, **(extra or {})}, indent=1))
  os.replace(tmp, path)  # a reader never sees a half-written model
  return path


class ModelBundle:
  """A loaded model and its metadata: all `jmer.inference.predict` needs.

  Attributes:
    meta: the model file's metadata; path: the model file.
    model: the keras.Model, loaded from the file on first use when the bundle was loaded lazily
      (load_model_bundle(lazy=True): prediction may run it from an exported program instead).
    derived: objects prediction makes from the model once and keeps with it.
  """

  def __init__(self, model=None, meta: dict | None = None, path: str = "", loader=None):
    self._model, self.meta, self.path, self._loader = model, meta, path, loader
    self.derived = {}  # what prediction derives from the model once (jmer.inference.predict)

  @property
  def model(self):
    """The keras.Model (loaded now if the bundle was loaded lazily)."""
    if self._model is None and self._loader is not None:
      self._model, self._loader = self._loader(), None
    return self._model

  @property
  def input_shapes(self) -> dict:
    """{feature: (rows, bins)}: one segment's input shape per feature, from the metadata."""
    frames = self.meta["segment_frames"]
    return {name: (segments_lib.input_rows(frames, input_stride(self.meta, name)),
                   features_lib.feature_bins(name, p)) for name, p in self.params.items()}

  @property
  def params(self) -> dict:
    """{feature name: its parameters}, as the model was trained on."""
    return self.meta["feature_params"]

  @property
  def genre_names(self) -> tuple:
    """The genre head's classes, in output order."""
    return tuple(self.meta["genre_names"])

  @property
  def output_names(self) -> tuple:
    """The model's output (head) names."""
    return tuple(self.meta["output_names"])

  def class_names(self, task_name: str) -> tuple:
    """A class head's class names (files written before `class_names` was stored: from the
    genre and quadrant lists).

    Args:
      task_name: the class task.

    Returns:
      A tuple of class names, in output order.
    """
    stored = self.meta.get("class_names", {}).get(task_name)
    if stored is not None:
      return tuple(stored)
    return tuple(self.meta.get(f"{task_name}_names", ()))

  @property
  def temperatures(self) -> dict:
    """{class head: temperature} its probabilities are calibrated with ({}: none, as trained)."""
    return dict(self.meta.get("calibration", {}).get("temperatures", {}))

  @property
  def hop_frames(self) -> int:
    """Frames between the starts of consecutive prediction segments."""
    return max(1, int(round(self.meta["eval_hop_seconds"] * self.meta["sample_rate"]
                            / self.meta["hop_length"])))


def read_metadata(path) -> dict:
  """Returns the metadata stored in model file `path`; raises ModelFileError naming it."""
  path = pathlib.Path(path)
  if not path.is_file():
    raise ModelFileError(path, "no such model file")
  try:
    with zipfile.ZipFile(path) as archive:
      if METADATA_MEMBER not in archive.namelist():
        raise ModelFileError(path, f"a .keras file without jmer metadata ({METADATA_MEMBER}); "
                             "export it with `python -m jmer.export --workdir=<run dir>`")
      return json.loads(archive.read(METADATA_MEMBER))
  except zipfile.BadZipFile:
    raise ModelFileError(path, "not a .keras model file (not a zip archive)") from None


def update_metadata(path, fields: dict) -> pathlib.Path:
  """Adds or replaces metadata fields of a model file in place (atomically), every other member
  of the archive (the weights, Keras' config) kept byte for byte.

  Args:
    path: a jmer model file.
    fields: JSON-ready fields to set (e.g. {"calibration": ...}); they cannot replace the fields
      prediction reads from the export (model_metadata's).

  Returns:
    `path`, as a pathlib.Path.

  Raises:
    ModelFileError: not a jmer model file.
    ValueError: a field would replace an exported one.
  """
  path = pathlib.Path(path)
  meta = read_metadata(path)
  clash = sorted(set(fields) & set(EXPORTED_FIELDS))
  if clash:
    raise ValueError(f"update_metadata: may not replace {clash}")
  tmp = path.with_name(f".{path.stem}.{os.getpid()}.tmp.keras")
  with zipfile.ZipFile(path) as old, zipfile.ZipFile(tmp, "w") as new:
    for info in old.infolist():  # same order, names, dates and compression
      data = old.read(info)
      if info.filename == METADATA_MEMBER:
        data = json.dumps({**meta, **fields}, indent=1).encode()
      new.writestr(info, data)
  os.replace(tmp, path)
  return path


def _check_calibration(meta: dict) -> None:
  """Each stored temperature is a positive number for a class head the model has."""
  temperatures = meta.get("calibration", {}).get("temperatures", {})
  classes = dict(meta.get("class_names", {}), genre=meta.get("genre_names"))
  for head, t in temperatures.items():
    if head not in meta["output_names"] or not classes.get(head):
      raise ValueError(f"calibration: a temperature for {head!r}, which is not a class head of "
                       f"this model ({meta['output_names']})")
    if not isinstance(t, (int, float)) or not 0 < t < float("inf"):
      raise ValueError(f"calibration: the {head} temperature must be a positive number, not "
                       f"{t!r}")


def check_metadata(meta: dict, expected_params: dict | None = None) -> None:
  """Raises ValueError (the reason) when this jmer version cannot reproduce the features, or
  the stored calibration cannot be applied."""
  _check_calibration(meta)
  if meta.get("format") != FORMAT or meta.get("format_version") != FORMAT_VERSION:
    raise ValueError(f"unknown model format {meta.get('format')!r} version "
                     f"{meta.get('format_version')!r} (this jmer reads {FORMAT} v{FORMAT_VERSION})")
  params = meta["feature_params"]
  unknown = set(params) - set(names.FEATURES)
  if not params or unknown:
    raise ValueError(f"feature(s) {sorted(unknown)} are not computed by jmer {jmer.__version__}")
  for name, p in params.items():
    if p.get("version") != features_lib.FEATURE_VERSION:
      raise ValueError(
          f"feature settings do not match: '{name}' was computed by feature code version "
          f"{p.get('version')}, this jmer {jmer.__version__} computes version "
          f"{features_lib.FEATURE_VERSION}; retrain or use the jmer version that trained it")
    if musicnn_features.is_embedding(p) and p.get("weights") != musicnn_features.weights_hash(
        p["network"]):
      raise ValueError(f"feature settings do not match: '{name}' was computed with other musicnn "
                       f"weights (hash {p.get('weights')}) than this jmer ships "
                       f"({musicnn_features.weights_hash(p['network'])}); retrain")
  for key in ("sample_rate", "n_fft", "hop_length"):
    # mel/MFCC/chroma share one STFT; musicnn features have their own FFT size, same grid.
    agree = params.values() if key != "n_fft" else [
        p for name, p in params.items() if name in features_lib.STFT_FEATURES]
    values = {p[key] for p in agree} | ({meta[key]} if key in meta else set())
    if len(values) > 1:
      raise ValueError(f"feature settings do not match: features disagree on {key} {values} "
                       "(jmer computes every feature on one frame grid, from one STFT)")
  if expected_params is not None and expected_params != params:
    raise ValueError(f"feature settings do not match the expected ones: the model has "
                     f"{json.dumps(params, sort_keys=True)}, expected "
                     f"{json.dumps(expected_params, sort_keys=True)}")


def input_stride(meta: dict, name: str) -> int:
  """Feature `name`'s input stride in a model's metadata (1 in files from before strides).

  Args:
    meta: the model file's metadata.
    name: the feature's name.

  Returns:
    The stride, in frames.
  """
  return int(meta.get("input_strides", {}).get(name, 1))


def _check_model_matches(model, meta: dict) -> None:
  """The model's inputs and outputs must be the shapes the metadata promises."""
  for name, p in meta["feature_params"].items():
    rows = segments_lib.input_rows(meta["segment_frames"], input_stride(meta, name))
    want = (rows, features_lib.feature_bins(name, p))
    if name not in model.input:
      raise ValueError(f"feature settings do not match: the model has no '{name}' input "
                       f"(inputs: {sorted(model.input)})")
    got = tuple(model.input[name].shape[1:])
    if got != want:
      raise ValueError(f"feature settings do not match: input '{name}' takes {got} "
                       f"(frames, bins) but the stored feature settings give {want}")
  outputs = sorted(model.output) if isinstance(model.output, dict) else None
  if outputs != sorted(meta["output_names"]):
    raise ValueError(f"model outputs {outputs} differ from the stored {meta['output_names']}")
  classes = dict(meta.get("class_names", {}))
  classes.setdefault("genre", meta["genre_names"])  # files written before class_names was stored
  for name, names in classes.items():
    if name in meta["output_names"] and model.output[name].shape[-1] != len(names):
      raise ValueError(f"the {name} head has {model.output[name].shape[-1]} outputs but "
                       f"{len(names)} {name} class names are stored")


def load_model_bundle(path, expected_params: dict | None = None,
                      lazy: bool = False) -> ModelBundle:
  """Loads a model file written by `export_model`, in Keras safe mode and without compiling.

  Raises ModelFileError (naming the file) when it is not a jmer model, or when its feature
  settings differ from what this jmer version computes (or from `expected_params`).

  Args:
    path: the .keras file.
    expected_params: the feature parameters the caller will compute, or None.
    lazy: check the metadata now but load the Keras model (and import Keras) only when
      `bundle.model` is first used; its errors are then raised there.

  Returns:
    The ModelBundle (model, metadata, path).
  """
  path = pathlib.Path(path)
  meta = read_metadata(path)
  try:
    check_metadata(meta, expected_params)
  except (ValueError, KeyError) as error:
    raise ModelFileError(path, str(error)) from None
  bundle = ModelBundle(meta=meta, path=str(path), loader=lambda: _load_keras_model(path, meta))
  if not lazy:
    bundle.model  # noqa: B018  (load now: errors surface here)
  return bundle


def _load_keras_model(path: pathlib.Path, meta: dict):
  """The Keras model of a checked model file, itself checked against the metadata."""
  import keras
  from jmer.models import build  # noqa: F401  (registers jmer's serializable layers, if any)
  model = keras.saving.load_model(path, safe_mode=True, compile=False)
  try:
    _check_model_matches(model, meta)
  except ValueError as error:
    raise ModelFileError(path, str(error)) from None
  return model
