"""Pluggable analyses of a study's runs, registered in one dict: name -> the module defining it.

Each module defines ANALYSIS (definition.Analysis): collect(...) -> raw dict, render(raw) ->
Markdown, and optionally a figure and a generated document block. The modules are imported
only when asked for, so checking a suite's analysis names stays light.

  shipped_recipe   the shipped real-music recipe's cross-validation (REPORT.md, model card)
  levers           candidate recipes against the baseline recipe (LEVERS.md)
  same_clip        joint vs single-task heads on the same 4Q clips (SAME_CLIP.md)
  learning_curve   4Q macro-F1 against the number of training clips (LEARNING_CURVE.md)
  ensemble         three initialisations of a head, probabilities averaged (ENSEMBLE.md)
  probe_levers     a linear-probe scan of cached embeddings (PROBE_LEVERS.md)
  av_heads         Essentia's arousal/valence regressors on PMEmo and 4Q clips (AV_HEADS.md)
  calibration      the shipped recipe's out-of-fold probabilities: ECE and temperature
                   scaling per head (CALIBRATION.md, the model card's calibration numbers)
  cross_dataset_genre  genre beyond GTZAN: each cell's genre head on 4Q test clips whose
                   AllMusic genres map to GTZAN's, beside its in-GTZAN and quadrant scores
                   (REPORT.md)
  mood_networks    Essentia's fine-tuned mood networks: cost per clip against the shipped
                   model's musicnn pass, and their outputs by 4Q quadrant (MOOD_NETWORKS.md)
"""

import importlib

ANALYSES = {name: f"jmer.experiments.analyses.{name}" for name in (
    "shipped_recipe", "levers", "same_clip", "learning_curve", "ensemble", "probe_levers",
    "av_heads", "calibration", "cross_dataset_genre", "mood_networks")}


class UnknownAnalysis(ValueError):
  """An analysis name the registry does not have; the message names the known ones."""


def check_name(name: str) -> str:
  """Returns `name` if the registry has it.

  Args:
    name: an analysis name.

  Returns:
    The name.

  Raises:
    UnknownAnalysis: no such analysis; the message lists the known ones.
  """
  if name not in ANALYSES:
    raise UnknownAnalysis(f"unknown analysis {name!r}; known analyses: {', '.join(ANALYSES)}")
  return name


def get(name: str):
  """The analysis registered under `name`.

  Args:
    name: an analysis name (a key of ANALYSES).

  Returns:
    Its definition.Analysis.

  Raises:
    UnknownAnalysis: no such analysis; the message lists the known ones.
  """
  return importlib.import_module(ANALYSES[check_name(name)]).ANALYSIS
