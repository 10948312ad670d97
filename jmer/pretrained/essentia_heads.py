"""Essentia's arousal/valence regressors over MSD-musicnn (MTG, UPF), in numpy.

Two small heads trained by the MTG on real ratings read the 200-d *pre-ReLU* dense output of
MSD-musicnn (Essentia's `model/dense/BiasAdd`; jmer.pretrained.musicnn's 'penultimate_prerelu')
of one 3 s patch: 'deam' (DEAM, 1,802 songs) and 'emomusic' (EmoMusic, 744 songs). Each is, as
its frozen TF graph computes it, a batch norm (inference form, epsilon 1e-6) and a 200 -> 2
dense layer with no activation. tools/convert_essentia_heads.py copied their constants from
Essentia's `deam-musicnn-msd-1.pb` and `emomusic-musicnn-msd-1.pb` into
jmer/resources/essentia/av_heads.npz (licence CC BY-NC-ND 4.0, see LICENSE and NOTICE there),
with the columns put in one order, (arousal, valence), for both (the EmoMusic graph outputs
valence first).

Scale: the heads output ratings centred on 5 (Essentia's README gives their range as [0, 10];
the static DEAM and EmoMusic ratings they were fit to are on the 1-9 SAM scale). `unit_av` maps
them onto jmer's [-1, 1] as jmer maps those ratings itself (labels.rescale_to_unit(x, 1, 9), what
the DEAM and EmoMusic loaders use: (x - 5) / 4), clipped to [-1, 1]; 0 is the scale's neutral
middle, so the signs say the quadrant. No Keras and no TensorFlow: the heads are a few hundred
numbers, applied at prediction time to every patch.
"""

import dataclasses
import functools
import importlib.resources

import numpy as np

from jmer.tasks import labels

WEIGHTS_FILE = "av_heads.npz"
HEADS = ("deam", "emomusic")
COLUMNS = ("arousal", "valence")  # of every head's output, as converted
RATING_SCALE = (1.0, 9.0)  # the SAM scale of the ratings the heads were fit to
EMBEDDING_DIM = 200
# The arrays of one head in the weights file, each stored as '<head>.<array>'.
ARRAYS = ("gamma", "beta", "moving_mean", "moving_variance", "epsilon", "kernel", "bias")


@dataclasses.dataclass(frozen=True)
class AvHead:
  """One regressor: batch norm, then a dense layer to (arousal, valence) ratings.

  Attributes:
    name: 'deam' or 'emomusic'.
    gamma, beta, moving_mean, moving_variance: the batch norm's (200,) arrays.
    epsilon: the batch norm's epsilon.
    kernel: (200, 2) dense kernel, columns (arousal, valence).
    bias: (2,) dense bias.
  """
  name: str
  gamma: np.ndarray
  beta: np.ndarray
  moving_mean: np.ndarray
  moving_variance: np.ndarray
  epsilon: float
  kernel: np.ndarray
  bias: np.ndarray

  def ratings(self, embeddings) -> np.ndarray:
    """The head's output: (arousal, valence) on its rating scale, one row per embedding.

    Args:
      embeddings: (n, 200) MSD-musicnn pre-ReLU embeddings, or one (200,).

    Returns:
      float64 (n, 2) (or (2,)): arousal, valence.
    """
    x = np.asarray(embeddings, np.float64)
    normed = ((x - self.moving_mean) / np.sqrt(self.moving_variance + self.epsilon) * self.gamma
              + self.beta)
    return normed @ self.kernel + self.bias

  def unit_av(self, embeddings) -> np.ndarray:
    """The head's (arousal, valence) on jmer's [-1, 1] scale (see the module docstring).

    Args:
      embeddings: (n, 200) MSD-musicnn pre-ReLU embeddings, or one (200,).

    Returns:
      float64 (n, 2) (or (2,)) in [-1, 1].
    """
    return to_unit(self.ratings(embeddings))


def to_unit(ratings) -> np.ndarray:
  """Ratings on the heads' 1-9 scale mapped onto [-1, 1] ((x - 5) / 4), clipped to it.

  Args:
    ratings: an array of ratings.

  Returns:
    A float64 array, same shape.
  """
  return np.clip(labels.rescale_to_unit(ratings, *RATING_SCALE), -1.0, 1.0)


def _weights_resource():
  return importlib.resources.files("jmer") / "resources" / "essentia" / WEIGHTS_FILE


@functools.lru_cache(maxsize=len(HEADS))
def load(name: str) -> AvHead:
  """The shipped regressor `name`, read once per process.

  Args:
    name: 'deam' or 'emomusic'.

  Returns:
    Its AvHead.

  Raises:
    ValueError naming the heads when `name` is not one of them.
  """
  if name not in HEADS:
    raise ValueError(f"no arousal/valence head {name!r}; shipped: {', '.join(HEADS)}")
  with importlib.resources.as_file(_weights_resource()) as path, np.load(path) as stored:
    arrays = {key: np.asarray(stored[f"{name}.{key}"], np.float64) for key in ARRAYS}
  return AvHead(name=name, **dict(arrays, epsilon=float(arrays["epsilon"])))


def unit_av(embeddings, heads=HEADS) -> np.ndarray:
  """(arousal, valence) in [-1, 1] of each embedding, the mean of the named heads' values.

  Args:
    embeddings: (n, 200) MSD-musicnn pre-ReLU embeddings (one per 3 s patch).
    heads: names of the heads to average (one name alone is that head).

  Returns:
    float64 (n, 2): arousal, valence.
  """
  return np.mean([load(name).unit_av(embeddings) for name in heads], axis=0)
