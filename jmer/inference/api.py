"""The Python API: `jmer.load_model()` and `Model.predict(song)`.

  import jmer
  model = jmer.load_model()                 # the shipped real-music model
  result = model.predict("song.mp3")        # or model.predict(samples, sr=44100)
  result.genre, result.quadrant, result.arousal, result.valence, result.tags

`jmer.load_model(path)` loads any model a training run exported (`runs/<name>/model.keras`).
"""

import dataclasses
import pathlib

import numpy as np

from jmer.inference import compilation_cache
from jmer.inference import exported
from jmer.inference import predict as predict_lib
from jmer.inference import shipped
from jmer.models import model_file


@dataclasses.dataclass(frozen=True)
class Prediction:
  """What a model says about one song. Fields of heads the model lacks are empty or None.

  Attributes:
    genre: the most probable genre, or None without a genre head.
    genre_probabilities: {genre: probability}, summing to 1, in the model's genre order.
    quadrant: the most probable arousal–valence quadrant ('Q1_happy', 'Q2_angry', 'Q3_sad',
      'Q4_calm'), or None.
    quadrant_probabilities: {quadrant: probability}.
    arousal, valence: in [-1, 1]; `av_source` says where they come from: 'av head' (the
      model's own trained regression), a regressor trained on real ratings read from the
      model's MSD-musicnn embeddings (the shipped model: 'emomusic regressor (Essentia, CC
      BY-NC-ND 4.0)', jmer.inference.av_regressor) or 'quadrant probabilities'
      (P(Q1)+P(Q2)−P(Q3)−P(Q4) and P(Q1)+P(Q4)−P(Q2)−P(Q3): an estimate, not trained on
      continuous ratings; models with a quadrant head only and no frozen MSD-musicnn).
    tags: [(tag, probability)], best first: musicnn's own 50 MSD tags (moods, genres,
      instruments, eras), for models with a frozen musicnn branch.
    duration_seconds: the length of the audio.
    raw: the full result dict `jmer.predict --format=json` prints.
    warning: why the answer is not to be trusted (a clip too short to judge:
      jmer.inference.predict.length_warning), or None.
    av_quadrant: the quadrant the regressor's (arousal, valence) falls in, when a regressor
      gives them beside a quadrant head (it may differ from `quadrant`, which stays the
      head's); else None.
    calibrated: whether the probabilities were calibrated with the model's temperatures
      (raw['temperatures'] holds them).
  """
  genre: str | None
  genre_probabilities: dict
  quadrant: str | None
  quadrant_probabilities: dict
  arousal: float | None
  valence: float | None
  av_source: str | None
  tags: list
  duration_seconds: float
  raw: dict
  warning: str | None = None
  av_quadrant: str | None = None
  calibrated: bool = False

  @classmethod
  def from_result(cls, result: dict) -> "Prediction":
    """Builds a Prediction from a prediction result dict.

    Args:
      result: one file's result from jmer.inference.predict (predict_file or predict_waves).

    Returns:
      The Prediction; fields of heads absent from `result` are empty or None.
    """
    genres = result.get("genres") or []
    has_av = result.get("arousal") is not None
    return cls(
        genre=genres[0]["genre"] if genres else None,
        genre_probabilities=dict(result.get("genre_probabilities", {})),
        quadrant=result.get("quadrant"),
        quadrant_probabilities=dict(result.get("quadrant_probabilities", {})),
        arousal=result.get("arousal"), valence=result.get("valence"),
        av_source=(result.get("av_source", "av head") if has_av else None),
        tags=[(t["tag"], t["probability"]) for t in result.get("tags", [])],
        duration_seconds=result["duration_seconds"], raw=result, warning=result.get("warning"),
        av_quadrant=result.get("av_quadrant"),
        calibrated=bool(result.get("calibrated")))


class Model:
  """A loaded jmer model; `predict` takes a file path or an array of samples."""

  def __init__(self, bundle: model_file.ModelBundle):
    self.bundle = bundle

  @property
  def path(self) -> str:
    """The model file this model was loaded from."""
    return self.bundle.path

  @property
  def sample_rate(self) -> int:
    """The sample rate in Hz the model's features are computed at."""
    return int(self.bundle.meta["sample_rate"])

  def predict(self, audio, sr: int | None = None, *, top_k: int = 5) -> Prediction:
    """Predicts one song.

    Args:
      audio: a path to an audio file (wav, flac, ogg, mp3, m4a, ...), or samples as an array
        (samples,) mono or (samples, channels), float in [-1, 1].
      sr: the array's sample rate in Hz (required for arrays, ignored for paths).
      top_k: how many musicnn tags `tags` keeps (the genre and quadrant probabilities are
        always complete).
    Returns:
      A Prediction.
    Raises:
      jmer.data.audio.AudioError naming a file that cannot be used; ValueError for a bad array.
    """
    if isinstance(audio, (str, pathlib.Path)):
      return Prediction.from_result(predict_lib.predict_file(self.bundle, audio, top_k=top_k))
    wave = _mono_at(np.asarray(audio), sr, self.sample_rate)
    return Prediction.from_result(predict_lib.predict_waves(self.bundle, [wave], top_k=top_k,
                                                            path="array"))


def _mono_at(samples: np.ndarray, sr: int | None, target_sr: int) -> np.ndarray:
  """float32 mono samples at `target_sr`; ValueError says what is wrong with the array."""
  if sr is None or sr <= 0:
    raise ValueError("predict(array) needs the array's sample rate: predict(samples, sr=44100)")
  if samples.ndim == 2:
    samples = samples.mean(axis=1 if samples.shape[1] <= 8 else 0)
  if samples.ndim != 1 or samples.size == 0:
    raise ValueError(f"expected (samples,) or (samples, channels) audio, got shape "
                     f"{samples.shape}")
  samples = samples.astype(np.float32)
  if not np.all(np.isfinite(samples)):
    raise ValueError("the audio array contains NaN or infinite samples")
  if sr != target_sr:
    import soxr
    samples = soxr.resample(samples, sr, target_sr, quality="HQ").astype(np.float32)
  return samples


def load_model(name_or_path: str | None = None) -> Model:
  """Loads a model: the shipped real-music model by default, a shipped model by name
  (jmer.inference.shipped.SHIPPED_MODELS) or an exported `.keras` file (safe mode).

  Also turns on JAX's persistent compilation cache (jmer.inference.compilation_cache).

  Args:
    name_or_path: a shipped model's name, a path to a `.keras` file, or None for the
      default shipped model.

  Returns:
    A Model ready to `predict`.

  Raises:
    jmer.models.model_file.ModelFileError naming the file when it cannot be used, or listing
    the shipped models when `name_or_path` is neither a file nor one of their names.
  """
  compilation_cache.enable()
  if reason := shipped.unknown_model_reason(name_or_path):
    raise model_file.ModelFileError(name_or_path, reason)
  return Model(exported.load_bundle(shipped.resolve_model(name_or_path)))
