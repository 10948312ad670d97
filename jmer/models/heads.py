"""Task heads. Output names are the keys of the model's output dict and of the targets."""

from keras import layers


def genre_head(x, num_genres: int):
  return layers.Dense(num_genres, activation="softmax", name="genre")(x)


def emotion_av_head(x):
  # tanh: arousal and valence live in [-1, 1].
  return layers.Dense(2, activation="tanh", name="emotion")(x)


def quadrant_head(x, num_quadrants: int = 4):
  return layers.Dense(num_quadrants, activation="softmax", name="quadrant")(x)
