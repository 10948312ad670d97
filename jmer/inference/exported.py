"""Prediction's compiled functions kept on disk as exported JAX programs, so a fresh process
predicts without importing Keras or building a network.

A first prediction in a new process used to import Keras (and, through it, scikit-learn and
scipy.stats), build both musicnn networks twice (once in the weights file's layout to read it),
initialise every variable with random values before overwriting them, and trace the networks
and the heads before XLA's persistent cache could hand back the compiled code. Here the first
process that predicts with a model traces each function once, with Keras, and stores it with
`jax.export` (StableHLO, a symbolic batch size) beside its weights (`.npz`) under
<jmer cache>/exported/; later processes deserialise it and call it, and XLA's persistent
compilation cache (jmer.inference.compilation_cache) gives back the compiled code.

Two functions per model: the patch function (musicnn_engine: every network on a batch of
patches, in plain JAX for musicnn: jmer.pretrained.musicnn_jax) and the heads (the model
file's Keras model on a batch of segments). Entries are keyed by what they compute (the
networks' weight hashes and outputs and the source of the code that computes them; the model
file's SHA-1), by the jmer, JAX and Keras versions and by the platform (cpu, gpu, tpu), so
another version never reads a stale program. The cache is only an accelerator: any failure to
read or write it falls back to Keras.
"""

import hashlib
import json
import os
import pathlib
import warnings

import numpy as np

import jmer

FORMAT = 1  # bump when what an entry holds changes


def cache_folder() -> pathlib.Path:
  """<jmer cache>/exported ($JMER_CACHE or ~/.cache/jmer), where the entries live."""
  root = pathlib.Path(os.environ.get("JMER_CACHE") or "~/.cache/jmer").expanduser()
  return root / "exported"


def _versions() -> dict:
  import jax
  from importlib import metadata
  try:
    keras_version = metadata.version("keras")
  except metadata.PackageNotFoundError:  # pragma: no cover
    keras_version = "?"
  return dict(format=FORMAT, jmer=jmer.__version__, jax=jax.__version__, keras=keras_version,
              platform=jax.default_backend())  # a program is exported for one platform


def _source_hash(*modules) -> str:
  """A hash of the modules' source files: a development checkout whose code changed while
  jmer's version did not must not run a program exported from the old code."""
  import importlib.util
  digest = hashlib.sha1()
  for module in modules:
    digest.update(pathlib.Path(importlib.util.find_spec(module).origin).read_bytes())
  return digest.hexdigest()[:16]


def _entry(kind: str, what: dict) -> pathlib.Path:
  key = json.dumps(dict(kind=kind, what=what, **_versions()), sort_keys=True)
  return cache_folder() / f"{kind}-{hashlib.sha1(key.encode()).hexdigest()[:20]}"


def patch_function(params: dict, outputs: dict):
  """The musicnn_engine's function: (n, 187, 96) patches -> {"<feature>/<output>": (n, dim)}.

  Args:
    params: the model's musicnn feature parameters (network and weights hash each).
    outputs: {feature: network outputs to compute}.

  Returns:
    A function of a float32 numpy batch, compiled once per batch size.
  """
  what = {name: dict(network=p["network"], weights=p["weights"], outputs=list(outputs[name]))
          for name, p in params.items()}
  what["code"] = _source_hash("jmer.pretrained.musicnn_jax", "jmer.inference.musicnn_engine")

  def build():
    from jmer.inference import musicnn_engine
    if musicnn_engine.all_musicnn(params):
      return musicnn_engine.jax_patch_forward(params, outputs)
    return _keras_forward(musicnn_engine.keras_patch_model(params, outputs))

  def example(batch):
    return np.zeros((batch, 187, 96), np.float32)

  return _cached_function(_entry("patches", what), build, example)


def load_bundle(path):
  """A model file's bundle whose Keras model loads only if it is needed: when the file's heads
  are in the cache, they were exported from that very file after it loaded and passed its
  checks, so prediction can run them without Keras. Otherwise it loads now, and a bad file is
  refused here, as load_model_bundle refuses it.

  Args:
    path: the .keras model file.

  Returns:
    A jmer.models.model_file.ModelBundle.

  Raises:
    ModelFileError naming the file when it cannot be used.
  """
  from jmer.models import model_file
  bundle = model_file.load_model_bundle(path, lazy=True)
  if not (_heads_entry(bundle) / "program.bin").is_file():
    bundle.model  # noqa: B018  (loads and checks the Keras model now)
  return bundle


def _heads_entry(bundle) -> pathlib.Path:
  digest = hashlib.sha1(pathlib.Path(bundle.path).read_bytes()).hexdigest()
  return _entry("heads", dict(model=digest))


def head_function(bundle):
  """The heads of a loaded model file: {feature: (n, rows, dim)} -> {head: (n, classes)}.

  Args:
    bundle: a jmer.models.model_file.ModelBundle (its `model` is only built if needed).

  Returns:
    A function of a dict of float32 numpy batches, compiled once per batch size.
  """
  shapes = bundle.input_shapes

  def example(batch):
    return {name: np.zeros((batch, *shape), np.float32) for name, shape in shapes.items()}

  return _cached_function(_heads_entry(bundle), lambda: _keras_forward(bundle.model), example)


def _keras_forward(model):
  """(forward(weights, x), weights) of a Keras model: its stateless call, weights a list."""
  weights = [v.value for v in model.trainable_variables + model.non_trainable_variables]
  split = len(model.trainable_variables)

  def forward(weights, x):
    return model.stateless_call(weights[:split], weights[split:], x, training=False)[0]

  return forward, weights


def _cached_function(entry: pathlib.Path, build, example):
  """A jitted function of x read from `entry`, or built (`build()` gives (forward(weights, x),
  a list of weights)), exported to `entry` for the next process, and run as exported."""
  import jax
  loaded = _load(entry)
  if loaded is not None:
    program, weights = loaded
    call = jax.jit(program.call)
    return lambda x: call(weights, x)
  forward, weights = build()
  try:  # trace once, export, and run what was exported: a later process compiles the same
    program = _save(entry, forward, weights, example)
    call = jax.jit(program.call)
  except Exception as error:  # an accelerator only: predict on, say why once
    warnings.warn(f"could not store the exported prediction function in {entry}: {error}")
    call = jax.jit(forward)
  return lambda x: call(weights, x)


def _load(entry: pathlib.Path):
  """(the deserialised jax.export.Exported, its weights as device arrays), or None."""
  program_file, weights_file = entry / "program.bin", entry / "weights.npz"
  if not (program_file.is_file() and weights_file.is_file()):
    return None
  try:
    import jax
    from jax import export
    program = export.deserialize(bytearray(program_file.read_bytes()))
    with np.load(weights_file) as stored:
      weights = [jax.device_put(stored[f"w{i}"]) for i in range(len(stored.files))]
    return program, weights
  except Exception as error:  # a damaged or foreign entry: rebuild it
    warnings.warn(f"ignoring the exported prediction function in {entry}: {error}")
    return None


def _save(entry: pathlib.Path, forward, weights, example):
  """Exports `forward(weights, x)` with a symbolic batch size, writes it atomically and returns
  the jax.export.Exported."""
  import jax
  from jax import export
  (batch,) = export.symbolic_shape("batch")
  spec = jax.tree_util.tree_map(
      lambda a: jax.ShapeDtypeStruct((batch, *a.shape[1:]), a.dtype), example(1))
  weight_specs = [jax.ShapeDtypeStruct(w.shape, w.dtype) for w in weights]
  program = export.export(jax.jit(forward))(weight_specs, spec)
  entry.parent.mkdir(parents=True, exist_ok=True)
  tmp = entry.with_name(f".{entry.name}.{os.getpid()}.tmp")
  tmp.mkdir(exist_ok=True)
  (tmp / "program.bin").write_bytes(program.serialize())
  np.savez(tmp / "weights.npz", **{f"w{i}": np.asarray(w) for i, w in enumerate(weights)})
  try:
    os.replace(tmp, entry)  # another process may have written it first: keep theirs
  except OSError:
    for f in tmp.iterdir():
      f.unlink()
    tmp.rmdir()
  return program
