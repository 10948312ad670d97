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

from jmer import metrics as metrics_lib

N_MFCC = 20


def clip_mfcc_stats(split) -> np.ndarray:
  """(n_tracks, 2·N_MFCC): mean and std over time of each track's MFCCs."""
  rows = []
  for log_mel in split.features["mel"]:
    mfcc = scipy.fft.dct(log_mel, type=2, norm="ortho", axis=1)[:, :N_MFCC]
    rows.append(np.concatenate([mfcc.mean(0), mfcc.std(0)]))
  return np.asarray(rows)


def mfcc_baseline(data, seed: int = 0) -> dict:
  """Test metrics of logistic regression (genre) and ridge regression (arousal/valence)."""
  if "mel" not in data.splits["train"].features:
    return {}
  train, test = data.splits["train"], data.splits["test"]
  x_train, x_test = clip_mfcc_stats(train), clip_mfcc_stats(test)
  out = {}
  known = train.genre >= 0
  if known.sum() >= 2 and len(np.unique(train.genre[known])) >= 2 and (test.genre >= 0).any():
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=3000, random_state=seed))
    model.fit(x_train[known], train.genre[known])
    probs = np.zeros((len(test.tracks), len(data.genre_names)))
    probs[:, model.classes_] = model.predict_proba(x_test)
    out["genre"] = metrics_lib.classification_metrics(test.genre, probs, data.genre_names)
  has_av = ~np.isnan(train.av).any(axis=1)
  if has_av.sum() >= 2 and (~np.isnan(test.av).any(axis=1)).any():
    model = make_pipeline(StandardScaler(), Ridge(alpha=1.0))
    model.fit(x_train[has_av], train.av[has_av])
    out["emotion_av"] = metrics_lib.regression_metrics(test.av, np.clip(model.predict(x_test), -1, 1))
  return out
