"""Masked per-task losses: L = L_genre + λ·L_emotion.

Masking is by sample weight: a sample without a head's label has weight 0 for that head. The
'mean_with_sample_weight' reduction divides by the number of labelled samples in the batch, so
λ keeps its meaning however few samples of a batch carry emotion labels, and a batch with none
contributes exactly 0 (divide_no_nan).
"""

import keras

REDUCTION = "mean_with_sample_weight"


def task_losses(output_names) -> dict:
  make = {
      "genre": lambda: keras.losses.SparseCategoricalCrossentropy(reduction=REDUCTION,
                                                                  name="genre_xent"),
      "emotion": lambda: keras.losses.MeanSquaredError(reduction=REDUCTION, name="av_mse"),
      "quadrant": lambda: keras.losses.SparseCategoricalCrossentropy(reduction=REDUCTION,
                                                                     name="quadrant_xent"),
  }
  return {name: make[name]() for name in output_names}


def loss_weights(output_names, lambda_emotion: float) -> dict:
  """Genre weighs 1; each emotion head (AV and/or quadrant) weighs λ."""
  return {name: 1.0 if name == "genre" else float(lambda_emotion) for name in output_names}


def task_metrics(output_names) -> dict:
  make = {
      "genre": lambda: [keras.metrics.SparseCategoricalAccuracy(name="accuracy")],
      "emotion": lambda: [keras.metrics.RootMeanSquaredError(name="rmse")],
      "quadrant": lambda: [keras.metrics.SparseCategoricalAccuracy(name="accuracy")],
  }
  return {name: make[name]() for name in output_names}
