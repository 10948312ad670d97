"""A suite file, read into one plain description: cells (configs), repeats, experiments.

A suite is a Python file under experiments/ that defines `SUITE`, a dict:

  name:        the suite's name (the default root is runs/experiments/<name>)
  repeats:     dict(by='seed' | 'fold', n=3): seeds vary the initial weights and segment draws
               with the data and split held fixed (data.split_seed = split_seed); folds run k-fold
               cross-validation, fold k being run k's test set
  split_seed:  the data.split_seed every run uses (default 0), or
  split_seeds: a tuple of them, for repeated cross-validation (r split seeds x k folds): each
               split seed's runs go under <root>/split_seed_<s>/ and the report pairs repeats by
               (split seed, fold); --quick keeps the first
  set:         {key: value} overrides for every cell, e.g. {'train.epochs': 10}
  cells:       {cell: dict(config='configs/x.py[:arg]', set={...}, init_from='<cell>',
                           label='what it is')}; init_from starts each repeat from the same
               repeat of another cell (transfer), which then runs first
  experiments: [dict(title, question, pairs=[(cell_a, cell_b), ...], primary=(...))]: the
               comparisons asked; `primary` (optional) names the question's primary metrics
               among PRIMARY_METRICS (default: all of them, where a pair reports them): the
               others are reported as secondary, unadjusted and outside the Holm family
  analyses:    ('name', ('name', {option: value}), ...): analyses of the runs
               (jmer.experiments.analyses), each collected with collect(root, **options) and
               written with its report; a suite with analyses and no experiments writes only
               those (default: none)
  quick:       dict(variants='runlocal', set={...}, repeats=2): what --quick changes
  inits:       (0, 1, 2): init seeds, run on every fold (repeats by fold only): each cell ×
               fold × init runs in <cell>/fold_k/init_i/ with config.seed = the init, the data
               and split fixed by the split seed; the report pairs per-fold means over inits
               and shows the init SD beside the fold SD. Absent or (): one run per fold in
               <cell>/fold_k/ (seed = split seed, or the suite's `seed`); --quick keeps the first
  preregistration: the suite's protocol document (experiments/preregistration/<name>.md);
               the runner records the commit that last changed it, and refuses to run while
               it has uncommitted changes
  sesoi:       {metric label: smallest effect of interest}, e.g. {'genre macro-F1': 0.03}:
               each primary comparison also gets an equivalence test (TOST) at ±SESOI
  protocol:    the name of a protocol (jmer.experiments.protocols) whose repeats, split seeds,
               set and quick the suite follows; the suite's own entries override them
  experiments is optional when analyses are given.
"""

import pathlib

from jmer.config import files as config_files
from jmer.experiments import analyses as analyses_lib
from jmer.experiments import protocols

REPEAT_KINDS = ("seed", "fold")
# The metrics a question may test as primary (jmer.experiments.compare): macro-F1 per task.
PRIMARY_METRICS = ("genre macro-F1", "quadrant macro-F1")


class SuiteError(ValueError):
  """A suite file is malformed; the message names the file and the entry."""


def load_suite(path, quick: bool = False) -> dict:
  """The SUITE dict of `path`, checked and with --quick applied (repeats, variants, overrides).

  Args:
    path: the suite file.
    quick: apply the suite's 'quick' entry (fewer repeats, its variants and overrides).

  Returns:
    A plain dict: name, file, repeats, cells, quick, split_seed, set, experiments,
    analyses ([(name, options)]), description, variants, inits (a tuple, () for one run per
    repeat), preregistration ('' for none), sesoi ({metric label: margin}).

  Raises:
    SuiteError: SUITE is missing, lacks an entry, or names an unknown cell or analysis.
  """
  suite = dict(config_files.run_file(path).get("SUITE") or {})
  if not suite:
    raise SuiteError(f"{path}: defines no SUITE dict")
  try:
    suite = protocols.with_protocol(suite, where=str(path))
  except ValueError as error:
    raise SuiteError(str(error)) from None
  if suite.get("analyses"):
    suite.setdefault("experiments", [])
  for key in ("name", "repeats", "cells", "experiments"):
    if key not in suite:
      raise SuiteError(f"{path}: SUITE has no {key!r} entry")
  repeats = dict(suite["repeats"])
  if repeats.get("by") not in REPEAT_KINDS or int(repeats.get("n", 0)) < 2:
    raise SuiteError(f"{path}: SUITE['repeats'] = {repeats!r}: expected dict(by='seed' or "
                     "'fold', n >= 2); statistics over repeats need at least two")
  cells = {name: dict(cell) for name, cell in suite["cells"].items()}
  for name, cell in cells.items():
    if "config" not in cell:
      raise SuiteError(f"{path}: cell {name!r} has no 'config'")
    if cell.get("init_from") and cell["init_from"] not in cells:
      raise SuiteError(f"{path}: cell {name!r} starts from unknown cell {cell['init_from']!r}")
  _check_experiments(path, suite["experiments"], cells)
  quick_spec = dict(suite.get("quick", {}))
  split_seeds = _checked_split_seeds(path, suite)
  out = dict(name=suite["name"], file=str(path), repeats=repeats, cells=cells, quick=quick,
             split_seed=split_seeds[0], split_seeds=split_seeds, set=dict(suite.get("set", {})),
             experiments=list(suite["experiments"]), analyses=_checked_analyses(path, suite),
             description=suite.get("description", ""), variants="",
             inits=_checked_inits(path, suite, repeats), sesoi=_checked_sesoi(path, suite),
             preregistration=str(suite.get("preregistration") or ""))
  if quick:
    out["repeats"] = dict(repeats, n=int(quick_spec.get("repeats", 2)))
    out["set"].update(quick_spec.get("set", {}))
    out["variants"] = quick_spec.get("variants", "runlocal")
    out["split_seeds"] = split_seeds[:1]
    out["inits"] = out["inits"][:1]
  return out


def _check_experiments(path, experiments, cells):
  """Refuses a question comparing an unknown cell or naming a primary metric not in
  PRIMARY_METRICS."""
  for experiment in experiments:
    primary = experiment.get("primary")
    if primary is not None and (isinstance(primary, str) or not primary
                                or set(primary) - set(PRIMARY_METRICS)):
      raise SuiteError(f"{path}: experiment {experiment['title']!r}: primary = {primary!r}: "
                       f"expected a tuple of metrics among {PRIMARY_METRICS}")
    for pair in experiment["pairs"]:
      unknown = [c for c in pair if c not in cells]
      if unknown:
        raise SuiteError(f"{path}: experiment {experiment['title']!r} compares unknown cell(s) "
                         f"{unknown}")


def _checked_inits(path, suite, repeats) -> tuple:
  """SUITE's init seeds: a tuple of distinct ints, with folds, and no `seed` set beside it."""
  inits = suite.get("inits") or ()
  if (not isinstance(inits, (tuple, list))
      or not all(isinstance(i, int) for i in inits) or len(set(inits)) != len(inits)):
    raise SuiteError(f"{path}: SUITE['inits'] = {inits!r}: expected a tuple of distinct ints, "
                     "e.g. (0, 1, 2)")
  if inits and repeats["by"] != "fold":
    raise SuiteError(f"{path}: SUITE['inits'] needs repeats by fold (repeats by seed are "
                     "init seeds already)")
  fixed = [name for name, spec in [("SUITE", suite), *suite["cells"].items()]
           if "seed" in spec.get("set", {})]
  if inits and fixed:
    raise SuiteError(f"{path}: {', '.join(fixed)} set 'seed' while SUITE['inits'] = "
                     f"{tuple(inits)} sets it per run; set inits=() to keep one fixed seed")
  return tuple(inits)


def _checked_sesoi(path, suite) -> dict:
  """SUITE's smallest effects of interest: {a primary metric's label: margin > 0}."""
  sesoi = dict(suite.get("sesoi") or {})
  if not sesoi:
    return {}
  from jmer.experiments import compare  # scipy: only when there are margins to check
  bad = {k: v for k, v in sesoi.items() if k not in compare.PRIMARY
         or not isinstance(v, (int, float)) or not v > 0}
  if bad:
    raise SuiteError(f"{path}: SUITE['sesoi'] entries {bad}: expected {{primary metric: "
                     f"margin > 0}}, primary metrics {list(compare.PRIMARY)}")
  return {k: float(v) for k, v in sesoi.items()}


def _checked_split_seeds(path, suite) -> tuple:
  """SUITE's split seeds: `split_seeds` (a non-empty tuple of distinct ints) or `split_seed`."""
  if "split_seeds" in suite and "split_seed" in suite:
    raise SuiteError(f"{path}: SUITE sets both 'split_seed' and 'split_seeds'; keep one")
  seeds = suite.get("split_seeds", (suite.get("split_seed", 0),))
  if (not isinstance(seeds, (tuple, list)) or not seeds
      or not all(isinstance(s, int) for s in seeds) or len(set(seeds)) != len(seeds)):
    raise SuiteError(f"{path}: SUITE['split_seeds'] = {seeds!r}: expected a tuple of distinct "
                     "ints, e.g. (1, 2, 3)")
  return tuple(seeds)


def _checked_analyses(path, suite) -> list:
  """SUITE's analyses as [(name, options)]: each entry a registered name or (name, dict)."""
  out = []
  for entry in suite.get("analyses", ()):
    name, options = (entry, {}) if isinstance(entry, str) else (
        tuple(entry) if isinstance(entry, (tuple, list)) and len(entry) == 2 else (None, None))
    if not isinstance(name, str) or not isinstance(options, dict):
      raise SuiteError(f"{path}: SUITE['analyses'] entry {entry!r}: expected a name or "
                       "(name, {option: value})")
    try:
      out.append((analyses_lib.check_name(name), dict(options)))
    except analyses_lib.UnknownAnalysis as error:
      raise SuiteError(f"{path}: {error}") from None
  return out


def split_seeds(suite) -> tuple:
  """A suite's split seeds, from its dict or its suite.json record (records written before
  suites had several hold only `split_seed`).

  Args:
    suite: the suite dict (load_suite) or a suite.json record.

  Returns:
    The split seeds, in suite order.
  """
  return tuple(suite.get("split_seeds", (suite["split_seed"],)))


def seed_root(root, suite, split_seed: int) -> pathlib.Path:
  """Where one split seed's runs go: the root itself for a one-seed suite, else
  <root>/split_seed_<s> (each an ordinary suite root with its own suite.json).

  Args:
    root: the suite root.
    suite: the suite dict or its suite.json record (split_seeds; older records lack it).
    split_seed: one of the suite's split seeds.

  Returns:
    The folder.
  """
  root = pathlib.Path(root)
  return root if len(split_seeds(suite)) == 1 else root / f"split_seed_{split_seed}"


def repeat_names(suite) -> list:
  """seed_0, seed_1, ... or fold_0, fold_1, ...: one work dir per repeat under each cell.

  Args:
    suite: the suite dict (load_suite) or its suite.json record.

  Returns:
    The repeat names, in repeat order; with init seeds, fold_k/init_i for each fold k and init
    i (fold_0/init_0, fold_0/init_1, ...).
  """
  names = [f"{suite['repeats']['by']}_{i}" for i in range(suite["repeats"]["n"])]
  inits = suite.get("inits") or ()
  return [f"{name}/init_{i}" for name in names for i in inits] if inits else names


def parse_repeat(name: str) -> tuple:
  """(repeat index, init seed or None) of a repeat name: 'fold_2/init_1' -> (2, 1).

  Args:
    name: a name of repeat_names.

  Returns:
    The repeat's index and its init seed (None without one).
  """
  repeat, _, init = name.partition("/")
  return int(repeat.rsplit("_", 1)[1]), int(init.rsplit("_", 1)[1]) if init else None


def cell_order(suite) -> list:
  """Cells with every init_from source before the cells that start from it.

  Args:
    suite: the suite dict (load_suite).

  Returns:
    The cell names, otherwise in suite order.

  Raises:
    SuiteError: init_from forms a cycle.
  """
  order, seen = [], set()

  def visit(name, path=()):
    if name in path:
      raise SuiteError(f"{suite['file']}: init_from cycle {' -> '.join(path + (name,))}")
    if name in seen:
      return
    source = suite["cells"][name].get("init_from")
    if source:
      visit(source, path + (name,))
    seen.add(name)
    order.append(name)

  for name in suite["cells"]:
    visit(name)
  return order
