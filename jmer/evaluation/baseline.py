"""A classical reference every run reports beside the network: linear models on clip-averaged
MFCCs (mean and standard deviation over the whole track), fitted on the training split.

The MFCCs are the DCT of the cached log-mel frames, so the baseline costs no extra decoding. If
the network cannot beat this, it has learned nothing a bag-of-frames timbre model would not.
"""

import numpy as np
import scipy.fft
from sklearn.linear_model import LogisticRegression
from sklearn.linear_model import Ridge
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from jmer import tasks as tasks_lib
from jmer.evaluation import metrics as metrics_lib

N_MFCC = 20


def clip_mfcc_stats(split) -> np.ndarray:
  """Each track's MFCC statistics: mean and std over time of its first N_MFCC MFCCs.

  Args:
    split: a SplitData whose features hold 'mel': per track a (frames, mel bands) log-mel.
  Returns:
    (n_tracks, 2 * N_MFCC) float array: the means, then the stds.
  """
  rows = []
  for log_mel in split.features["mel"]:
    mfcc = scipy.fft.dct(log_mel, type=2, norm="ortho", axis=1)[:, :N_MFCC]
    rows.append(np.concatenate([mfcc.mean(0), mfcc.std(0)]))
  return np.asarray(rows)


def _fit_and_predict(kind, x_train, y_train, x_test, n_classes: int, seed: int):
  """Test predictions of a linear model fitted on the labelled training tracks, or None when
  the training labels cannot fit one (fewer than two labelled tracks or classes)."""
  if kind == tasks_lib.CLASSIFICATION:
    known = y_train >= 0
    if known.sum() < 2 or len(np.unique(y_train[known])) < 2:
      return None
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=3000, random_state=seed))
    model.fit(x_train[known], y_train[known])
    probs = np.zeros((len(x_test), n_classes))
    probs[:, model.classes_] = model.predict_proba(x_test)
    return probs
  known = ~np.isnan(y_train).any(axis=1)
  if known.sum() < 2:
    return None
  model = make_pipeline(StandardScaler(), Ridge(alpha=1.0))
  model.fit(x_train[known], y_train[known])
  return np.clip(model.predict(x_test), -1, 1)  # regression targets live in [-1, 1]


def mfcc_baseline(data, config) -> dict:
  """Test metrics of a linear model per task on the same split as the network.

  Logistic regression for class heads (genre, quadrant), ridge regression for arousal/valence,
  on clip_mfcc_stats features; tasks without a labelled test track, or whose training labels
  cannot fit a model, are left out.

  Args:
    data: the run's data (jmer.data.loading.RunData).
    config: the run's config (active tasks, seed).
  Returns:
    {metrics key: metrics dict} like the network's test metrics; {} without a 'mel' feature.
  """
  if "mel" not in data.splits["train"].features:
    return {}
  train, test = data.splits["train"], data.splits["test"]
  x_train, x_test = clip_mfcc_stats(train), clip_mfcc_stats(test)
  out = {}
  for task in tasks_lib.active(config):
    if not any(task.labelled(t) for t in test.tracks):
      continue
    names = task.class_names(data.genre_names)
    pred = _fit_and_predict(task.kind, x_train, task.truth(train.tracks), x_test, len(names),
                            config.seed)
    if pred is None:
      continue
    for key, kind, truth, values, names in task.evaluations(test.tracks, pred, data.genre_names,
                                                            config):
      out[key] = metrics_lib.METRICS_OF_KIND[kind](truth, values, names)
  return out
