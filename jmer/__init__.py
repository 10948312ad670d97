"""jmer: joint music genre and emotion recognition from audio (Keras 3 on JAX).

Importing the package selects the JAX backend for Keras before Keras is imported anywhere else
and quiets TensorFlow's start-up logging. It changes no device placement: training calls
jmer.data.pipeline.hide_gpus_from_tensorflow() so that JAX gets the accelerator memory.
"""

import os

_BACKEND = os.environ.setdefault("KERAS_BACKEND", "jax")
if _BACKEND != "jax":
  raise ImportError(
      f"jmer runs Keras on the JAX backend, but KERAS_BACKEND={_BACKEND!r} is set in your "
      "environment. Unset it or set KERAS_BACKEND=jax.")
# TensorFlow is only the input pipeline: silence its C++ start-up chatter.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
# tf.data only slices arrays: oneDNN's kernels bring nothing but a start-up notice.
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

__version__ = "0.1.0"


def load_model(name_or_path: str | None = None):
  """The shipped real-music model (default), a shipped model by name, or an exported .keras
  file, ready to `.predict("song.mp3")`: see jmer.inference.api. Imported on first use, so
  `import jmer` stays light.

  Args:
    name_or_path: a shipped model's name, a path to a `.keras` file, or None for the default.

  Returns:
    A jmer.inference.api.Model.
  """
  from jmer.inference import api
  return api.load_model(name_or_path)
