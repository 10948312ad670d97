"""Arousal and valence from a regressor trained on real ratings, for models that read frozen
MSD-musicnn embeddings and have a quadrant head but no arousal/valence head (the shipped model).

Such a model's only emotion output is its quadrant; the arousal/valence point `jmer predict`
reported for it used to be an estimate from the quadrant probabilities. Here it comes instead
from Essentia's EmoMusic regressor (jmer.pretrained.essentia_heads), applied to the pre-ReLU
MSD-musicnn embedding of every 3 s patch and averaged over the file's patches (over a segment's,
for the timeline), on jmer's [-1, 1] scale. The embeddings come from the same network calls
that make the model's own MSD-musicnn feature (musicnn_features.compute's patch_outputs), so it
costs no second log-mel and no second network run.

Why EmoMusic (experiments/results/av_heads/AV_HEADS.md, 450 4q_dev clips no Essentia head was
trained on): the sign of its arousal matches the clip's quadrant as often as DEAM's does (0.85
both) and the sign of its valence more often (0.63 against DEAM's 0.52, about chance; the mean
of the two heads 0.58), a gap whose paired bootstrap CI excludes 0. The choice was made on those
same clips, the only real audio with emotion labels here.

The quadrant stays the quadrant head's. The regressor's point also names the quadrant it falls
in (`av_quadrant`, thresholds at 0, the scale's neutral middle); where that differs from the
head's, both are shown.
"""

import numpy as np

from jmer.data import musicnn_features
from jmer.data import musicnn_input
from jmer.pretrained import essentia_heads
from jmer.tasks import labels

HEADS = ("emomusic",)  # the regressors averaged (experiments/results/av_heads/AV_HEADS.md)
SOURCE = "emomusic regressor (Essentia, CC BY-NC-ND 4.0)"  # the `av_source` of its values
PRERELU = "penultimate_prerelu"
NETWORK = "msd"  # the heads read MSD-musicnn's embedding


def feature_of(bundle) -> str | None:
  """The feature whose patches the regressor reads, or None when it does not apply.

  Args:
    bundle: a loaded model (jmer.models.model_file.ModelBundle).

  Returns:
    The name of the model's frozen MSD-musicnn feature if the model has a quadrant head and no
    arousal/valence head ('emotion'), else None (the model's own outputs say it all).
  """
  if "quadrant" not in bundle.output_names or "emotion" in bundle.output_names:
    return None
  return next((name for name, params in bundle.params.items()
               if musicnn_features.is_embedding(params) and params["network"] == NETWORK), None)


def patch_request(feature: str | None) -> dict:
  """What to ask the feature computation for: {feature: {PRERELU: None}}, or {} for None."""
  return {feature: {PRERELU: None}} if feature else {}


def patch_av(patch_outputs: dict, feature: str) -> tuple:
  """(patch start frames, (patches, 2) arousal/valence in [-1, 1]) from the filled request."""
  computed = patch_outputs[feature]
  return computed["patch_starts"], essentia_heads.unit_av(computed[PRERELU], HEADS)


def fields(av) -> dict:
  """The prediction fields of a regressed (arousal, valence) point.

  Args:
    av: (arousal, valence) in [-1, 1].

  Returns:
    {'arousal', 'valence' (4 decimals), 'av_source' (SOURCE) and 'av_quadrant' (the quadrant
    the point falls in, which may differ from the quadrant head's `quadrant`)}.
  """
  arousal, valence = (round(float(v), 4) for v in av)
  index = int(labels.av_quadrant(arousal, valence, 0.0))
  av_quadrant = labels.QUADRANTS[index] if index >= 0 else None
  return dict(arousal=arousal, valence=valence, av_source=SOURCE, av_quadrant=av_quadrant)


def segment_av(starts: np.ndarray, av: np.ndarray, start: int, length: int) -> np.ndarray:
  """The mean (arousal, valence) of the patches centred inside a segment (or of the patch
  centred nearest its middle, if none is).

  Args:
    starts: the patches' start frames; av: their (patches, 2) values.
    start, length: the segment's first frame and length in frames.

  Returns:
    (2,) arousal, valence.
  """
  centres = np.asarray(starts) + musicnn_input.PATCH_FRAMES // 2
  inside = (centres >= start) & (centres < start + length)
  if not inside.any():
    inside = np.arange(len(centres)) == np.argmin(np.abs(centres - (start + length / 2)))
  return av[inside].mean(axis=0)
