"""Helpers shared by the speed benchmarks: a fake training split, the compiled default model,
main's old input pipeline as an importable module, timing, and JSON output.

Every benchmark prints its figures and the ratios measured in the same run (the reference
machine is shared, so absolute times drift; ratios of interleaved measurements hold up), and
writes them as JSON under benchmarks/results/.
"""

import importlib.util
import json
import math
import pathlib
import subprocess
import sys
import tempfile
import time
import types

import jmer  # noqa: F401  (JAX backend before Keras)
import keras
import numpy as np

from jmer.tasks import labels
from jmer import config as config_lib
from jmer.data import features as features_lib
from jmer.data import pipeline
from jmer.data import split_arrays
from jmer.data import tracks as tracks_lib

pipeline.hide_gpus_from_tensorflow()  # as jmer's training does: the model gets the GPUs

REPO = pathlib.Path(__file__).resolve().parents[1]
RESULTS = REPO / "benchmarks" / "results"
# The code before issue 14 (per-segment generator stream, per-batch NaN check): the "before" of
# before/after benchmarks. A fixed commit, since main moves on once this work is merged.
BEFORE = "048c2620960576f2287dfc95967c39312666349c"


def default_config(trunk: str = "crnn", augment: bool = False):
  """configs/mtl.py's defaults, optionally with the Transformer or all four augmentations."""
  config = config_lib.base_config()
  config.model.trunk = trunk
  config.train.verbose = 0
  if augment:
    config_lib.apply_variants(config, "augment")
  return config_lib.validate(config)


def fake_split(config, n_tracks: int, clip_seconds: float = 30.0, seed: int = 0,
               dtype=np.float16) -> split_arrays.SplitData:
  """A training split of random log-mel clips with genre + AV labels, as the cache holds them."""
  rng = np.random.default_rng(seed)
  frames = int(clip_seconds * config.data.sample_rate / config.features.hop_length) + 1
  tracks = [tracks_lib.Track(f"t{i}", f"/fake/t{i}.wav", "fake", genre=i % 10,
                             arousal=float(rng.uniform(-1, 1)), valence=float(rng.uniform(-1, 1)))
            for i in range(n_tracks)]
  mels = [(rng.normal(-40, 12, (frames, config.features.n_mels))
           + np.linspace(0, -30, config.features.n_mels)).astype(dtype) for _ in tracks]
  return split_arrays.SplitData(tracks=tracks, features={"mel": mels})


def compiled_model(config, split, steps_per_epoch: int) -> keras.Model:
  """The default model and optimizer exactly as jmer.training.train compiles them."""
  from jmer.training import train
  data = types.SimpleNamespace(splits={"train": split}, genre_names=labels.GTZAN_GENRES,
                               params=features_lib.feature_params(config))
  return train.build_and_compile(config, data, steps_per_epoch)[0]


def load_main_module(relative_path: str, name: str):
  """A module of the code before this work (`git show BEFORE:<path>`), importable beside
  today's: the 'before' side of before/after benchmarks, run in the same process as the new
  code so both see the same machine load.
  """
  source = subprocess.run(["git", "-C", str(REPO), "show", f"{BEFORE}:{relative_path}"],
                          check=True, capture_output=True, text=True).stdout
  path = pathlib.Path(tempfile.mkdtemp()) / f"{name}.py"
  path.write_text(source)
  spec = importlib.util.spec_from_file_location(name, path)
  module = importlib.util.module_from_spec(spec)
  spec.loader.exec_module(module)
  return module


class EpochTimer(keras.callbacks.Callback):
  """Wall time and this process's CPU time (all threads) of each epoch of a fit.

  On a shared machine wall time swings with other people's load; CPU time is the work done, a
  steadier figure for comparing two ways of doing the same epoch.
  """

  def on_epoch_begin(self, epoch, logs=None):
    self.start = time.perf_counter(), time.process_time()

  def on_epoch_end(self, epoch, logs=None):
    self.times = getattr(self, "times", []) + [time.perf_counter() - self.start[0]]
    self.cpu = getattr(self, "cpu", []) + [time.process_time() - self.start[1]]


def fit_seconds(model, dataset, epochs: int = 1, callbacks=(), cpu=None) -> list:
  """Seconds per epoch of `model.fit(dataset)`; CPU seconds are appended to `cpu` if given."""
  timer = EpochTimer()
  model.fit(dataset, epochs=epochs, verbose=0, shuffle=False, callbacks=[timer, *callbacks])
  if cpu is not None:
    cpu += timer.cpu
  return timer.times


def median(values):
  return float(np.median(values)) if len(values) else math.nan


def machine_roots() -> dict:
  """{absolute folder: how a committed result names it}: the data (its $JMER_DATA, else the
  shared data beside the repository), the repository itself and the temporary folder, so no
  result file holds this machine's paths (tests/repo/test_no_machine_paths.py)."""
  import os
  from jmer.experiments import relative_paths
  data = os.environ.get("JMER_DATA") or REPO.parent / "shared" / "data"
  roots = {str(pathlib.Path(data).resolve()): relative_paths.DATA, str(REPO): "",
           str(pathlib.Path(tempfile.gettempdir()).resolve()): "$TMPDIR"}
  return {root: label for root, label in roots.items() if root != "/"}


def write_json(name: str, result: dict, path=None) -> pathlib.Path:
  from jmer.experiments import relative_paths
  path = pathlib.Path(path) if path else RESULTS / f"{name}.json"
  path.parent.mkdir(parents=True, exist_ok=True)
  result = dict(relative_paths.rewrite(result, machine_roots()),
                machine=dict(cpus=_cpu_count(), python=sys.version.split()[0],
                             keras=keras.__version__, backend=keras.backend.backend()))
  path.write_text(json.dumps(result, indent=1, sort_keys=True))
  print(f"wrote {path}")
  return path


def _cpu_count():
  import os
  return len(os.sched_getaffinity(0))
