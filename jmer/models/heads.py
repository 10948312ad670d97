"""Task heads. Output names are the keys of the model's output dict and of the targets.

A head is split into a "fusable" prediction (class logits, or AV in [-1, 1]) and the output
activation, so late fusion can merge per-branch predictions before the activation.
"""

from keras import layers

CLASSES_OF = {"quadrant": 4}  # genre's class count comes from the data


def genre_head(x, num_genres: int):
  return layers.Dense(num_genres, activation="softmax", name="genre")(x)


def emotion_av_head(x):
  # tanh: arousal and valence live in [-1, 1].
  return layers.Dense(2, activation="tanh", name="emotion")(x)


def quadrant_head(x, num_quadrants: int = 4):
  return layers.Dense(num_quadrants, activation="softmax", name="quadrant")(x)


def task_heads(x, tasks, num_genres: int) -> dict:
  """The heads of every task on one (fused) embedding."""
  make = {"genre": lambda: genre_head(x, num_genres), "emotion": lambda: emotion_av_head(x),
          "quadrant": lambda: quadrant_head(x)}
  return {task: make[task]() for task in tasks}


def branch_predictions(x, branch: str, tasks, num_genres: int) -> dict:
  """One branch's fusable predictions {task: logits | AV}, from its embedding alone."""
  out = {}
  for task in tasks:
    if task == "emotion":
      out[task] = layers.Dense(2, activation="tanh", name=f"{branch}_emotion_av")(x)
    else:
      n = num_genres if task == "genre" else CLASSES_OF[task]
      out[task] = layers.Dense(n, name=f"{branch}_{task}_logits")(x)
  return out


def output_activation(x, task: str, name: str):
  """Softmax over fused class logits; AV is already in [-1, 1] and passes through."""
  return layers.Activation("linear" if task == "emotion" else "softmax", name=name)(x)
