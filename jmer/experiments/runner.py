"""Runs a suite: every cell × repeat in its own work dir under one root, resumably.

Layout of a suite root:
  suite.json                   what was asked: cells, repeats, experiments, the command
  timings.json                 wall seconds of each run trained by this runner (and each run's
                               own wall_time.json)
  <cell>/<seed_i|fold_k>/      an ordinary jmer run dir (metrics.json, history.csv,
                               test_predictions.csv, tensorboard/, figures/, model.keras)
  <cell>/fold_k/init_i/        the same, for a suite with init seeds (SUITE['inits']): one run
                               per fold and init, config.seed = the init
  raw_results.json             the per-run results, collected from the run dirs
  REPORT.md, figures/          written by jmer.experiments.report from raw_results.json alone

A run whose metrics.json exists is finished and skipped; any other run is (re)started by
jmer.training.train, which resumes it from its last checkpoint. So a killed suite, rerun, trains
only what is missing.
"""

import gc
import json
import os
import pathlib
import subprocess
import sys
import time

from jmer.config import files as config_files
from jmer.config import provenance
from jmer.experiments import results
from jmer.experiments import suite as suite_lib
from jmer.training import crossval

METRICS_FILE = "metrics.json"


def run_config(suite, cell: str, repeat: int, root: pathlib.Path, init: int | None = None):
  """The resolved config of one cell's repeat `repeat` (and init seed `init`).

  Args:
    suite: the suite dict (suite.load_suite).
    cell: the cell's name.
    repeat: the repeat's index: the seed, or the fold that is the test set.
    root: the suite root (for init_from, the source cell's run of the same repeat and init).
    init: the init seed of a suite with inits (None: the suite has none).

  Returns:
    The config with the suite's and cell's overrides, seed or fold set, references resolved.
    With folds the seed is the init seed, else the split seed, unless the suite or cell sets
    `seed`; the split is always the split seed's.
  """
  spec = suite["cells"][cell]
  overrides = {**suite["set"], **spec.get("set", {})}
  config = config_files.load(config_files.with_variants(spec["config"], suite["variants"]),
                             overrides)
  config.data.split_seed = suite["split_seed"]  # the data and split stay fixed across repeats
  if suite["repeats"]["by"] == "seed":
    config.seed = repeat
  else:
    if init is not None:  # the initialisation varies; data and split stay the split seed's
      config.seed = init
    elif "seed" not in overrides:  # a cell that sets its seed (its initialisation) keeps it
      config.seed = suite["split_seed"]
    config.eval.folds = suite["repeats"]["n"]
    config = crossval.fold_config(config, repeat)
  if spec.get("init_from"):  # the same repeat (and init) of the source cell: no test leak
    name = f"{suite['repeats']['by']}_{repeat}" + ("" if init is None else f"/init_{init}")
    config.train.init_from = str(root / spec["init_from"] / name)
  return config.copy_and_resolve_references() if hasattr(config, "copy_and_resolve_references") \
      else config


def is_finished(run_dir) -> bool:
  """Returns whether the run dir holds its metrics.json, i.e. the run has finished."""
  return (pathlib.Path(run_dir) / METRICS_FILE).is_file()


def write_suite_record(suite, root: pathlib.Path, argv):
  """suite.json: the report's description of the suite (the configs live in each run).

  Args:
    suite: the suite dict.
    root: the suite root; suite.json is written there.
    argv: the command's arguments, recorded without --cell and --split-seeds.
  """
  record = dict(name=suite["name"], file=suite["file"], quick=suite["quick"],
                repeats=suite["repeats"], split_seed=suite["split_seed"],
                split_seeds=list(suite_lib.split_seeds(suite)),
                set=suite["set"],
                variants=suite["variants"], description=suite["description"],
                cells=suite["cells"], experiments=suite["experiments"],
                **{k: suite[k] for k in ("inits", "sesoi", "preregistration",
                                         "preregistration_commit") if suite.get(k)},
                # --cell runs part of the suite; the record describes the whole of it.
                command=" ".join(["python -m jmer.experiments"]
                                 + [a for a in argv if not a.startswith(("--cell",
                                                                         "--split-seeds"))]))
  provenance.write_json(root / "suite.json", record)


def planned_runs(suite, cells=None) -> list:
  """[(cell, repeat index, repeat name)] in run order; `cells` limits it (plus their sources).

  Args:
    suite: the suite dict.
    cells: the cells to run (None: all), with the cells they start from.

  Returns:
    A list of (cell, repeat index, repeat name), sources before the cells that use them.
  """
  order = suite_lib.cell_order(suite)
  if cells:
    wanted = set()
    for cell in cells:
      while cell and cell not in wanted:
        wanted.add(cell)
        cell = suite["cells"][cell].get("init_from")
    order = [c for c in order if c in wanted]
  names = suite_lib.repeat_names(suite)
  return [(cell, suite_lib.parse_repeat(name)[0], name) for cell in order for name in names]


def preregistration_commit(path) -> str:
  """The commit that last changed a pre-registration file, which must be committed as it is.

  Args:
    path: the pre-registration document (relative to the working directory or absolute).

  Returns:
    The commit's full hash (git log -1 --format=%H -- <file>).

  Raises:
    SuiteError: the file is missing, has uncommitted changes or no commit.
  """
  path = pathlib.Path(path)
  where = dict(cwd=path.resolve().parent, capture_output=True, text=True, check=False)
  if not path.is_file():
    raise suite_lib.SuiteError(f"{path}: no pre-registration file; write it and commit the "
                               "pre-registration before running")
  changed = subprocess.run(["git", "status", "--porcelain", "--", path.name], **where)
  commit = subprocess.run(["git", "log", "-1", "--format=%H", "--", path.name], **where)
  if changed.returncode or commit.returncode or changed.stdout.strip() or not commit.stdout.strip():
    raise suite_lib.SuiteError(f"{path}: has uncommitted changes or no commit; commit the "
                               "pre-registration before running")
  return commit.stdout.strip()


def run_suite(suite, root, cells=None, argv=(), train_fn=None, split_seeds=None) -> dict:
  """Trains every unfinished run of the suite (or of `cells`); returns {run dir: status}.

  Waits, polling every POLL_SECONDS seconds, for runs another runner is training.

  Args:
    suite: the suite dict.
    root: the suite root.
    cells: the cells to run (None: all).
    argv: the command's arguments, for suite.json.
    train_fn: train(config, run_dir) (default: jmer.training.train.train_and_evaluate).
    split_seeds: run only these of the suite's split seeds (None: all); the suite record and
      so the report still cover every split seed the suite has.

  Returns:
    {'<cell>/<repeat>': 'trained' or 'finished before'}.

  Raises:
    SuiteError: `cells` names a cell, or `split_seeds` a split seed, the suite does not have.
  """
  root = pathlib.Path(root)
  unknown = [c for c in cells or () if c not in suite["cells"]]
  if unknown:
    raise suite_lib.SuiteError(f"{suite['file']}: no cell(s) {unknown}; the suite has "
                               f"{sorted(suite['cells'])}")
  seeds = suite_lib.split_seeds(suite)
  if split_seeds and not set(split_seeds) <= set(seeds):
    raise suite_lib.SuiteError(f"{suite['file']}: no split seed(s) "
                               f"{sorted(set(split_seeds) - set(seeds))}; the suite has {seeds}")
  if suite.get("preregistration") and not suite.get("preregistration_commit"):
    suite = dict(suite, preregistration_commit=preregistration_commit(suite["preregistration"]))
  root.mkdir(parents=True, exist_ok=True)
  write_suite_record(suite, root, argv)
  if len(seeds) > 1:  # repeated CV: each split seed is a one-seed suite under its own folder
    status = {}
    for seed in [s for s in seeds if not split_seeds or s in split_seeds]:
      one = dict(suite, split_seed=seed, split_seeds=(seed,))
      done = run_suite(one, suite_lib.seed_root(root, suite, seed), cells, argv, train_fn)
      status.update({f"split_seed_{seed}/{k}": v for k, v in done.items()})
    return status
  if train_fn is None:
    from jmer.training import train  # heavy (Keras, JAX): only when something trains
    train_fn = train.train_and_evaluate
  _share_compilations(root)
  plan = planned_runs(suite, cells)
  status = {}
  while True:  # passes until every run is done; runs waiting on another runner come later
    waiting = _one_pass(suite, root, plan, status, train_fn)
    if not waiting:
      return status
    print(f"jmer.experiments: waiting for {len(waiting)} run(s) another runner is training "
          f"or that start from one: {', '.join(waiting[:4])}", flush=True)
    time.sleep(POLL_SECONDS)


POLL_SECONDS = 20.0
CLAIM_FILE = ".runner.pid"  # the pid of the runner training this run dir


def _one_pass(suite, root, plan, status, train_fn) -> list:
  """Trains each unfinished run not claimed by another live runner; returns those left."""
  waiting = []
  for number, (cell, repeat, name) in enumerate(plan, 1):
    run_dir = root / cell / name
    key = f"{cell}/{name}"
    if is_finished(run_dir):
      status.setdefault(key, "finished before")
      continue
    source = suite["cells"][cell].get("init_from")
    if source and not is_finished(root / source / name):
      waiting.append(key)
      continue
    if not _claim(run_dir):
      waiting.append(key)
      continue
    try:
      print(f"\n=== jmer.experiments [{number}/{len(plan)}] {key} ===", flush=True)
      config = run_config(suite, cell, repeat, root, init=suite_lib.parse_repeat(name)[1])
      start = time.perf_counter()
      train_fn(config, run_dir)
      record_wall_time(root, key, round(time.perf_counter() - start, 1))
      status[key] = "trained"
    finally:
      (run_dir / CLAIM_FILE).unlink(missing_ok=True)
      _free_memory()
  return waiting


def _claim(run_dir: pathlib.Path) -> bool:
  """Marks the run dir as this process's; False if another live runner holds it.

  Lets several runners (e.g. one per core or machine sharing a disk) work through one suite.
  A claim whose process is gone is stale and taken over: its run resumes from its checkpoint.
  """
  run_dir.mkdir(parents=True, exist_ok=True)
  path = run_dir / CLAIM_FILE
  for _ in range(2):
    try:
      fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    except FileExistsError:
      try:
        holder = int(path.read_text() or 0)
      except (OSError, ValueError):
        holder = 0
      if holder and holder != os.getpid() and _alive(holder):
        return False
      path.unlink(missing_ok=True)
      continue
    with os.fdopen(fd, "w") as fh:
      fh.write(str(os.getpid()))
    return True
  return False


def _alive(pid: int) -> bool:
  try:
    os.kill(pid, 0)
  except ProcessLookupError:
    return False
  except PermissionError:
    return True
  return True


def record_wall_time(root: pathlib.Path, key: str, seconds: float):
  """Adds a run's wall time to timings.json, re-read first so that runners working on other
  cells of the same root (--cell) at the same time keep each other's entries."""
  provenance.write_json(root / key / results.WALL_TIME_FILE, dict(seconds=seconds))
  path = root / "timings.json"
  timings = json.loads(path.read_text()) if path.exists() else {}
  timings[key] = seconds
  provenance.write_json(path, timings)


def _share_compilations(root: pathlib.Path):
  """Keeps XLA's compiled programs on disk under the root: repeats of a cell build the same
  graph (only the weights differ), so every run after a cell's first skips the ~1 minute of
  compilation a small model costs on a CPU."""
  if "jax" in sys.modules or __import__("keras").backend.backend() == "jax":
    import jax
    jax.config.update("jax_compilation_cache_dir", str(root / ".xla_cache"))
    jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.5)


def _free_memory():
  """Drops the finished run's Keras graph and arrays before the next run builds its own."""
  if "keras" in sys.modules:
    sys.modules["keras"].backend.clear_session()
  gc.collect()
