"""`jmer train` (the same as `python -m jmer.main`): train and evaluate one config.

  jmer train --config=mtl [--workdir=runs/mtl] [--config.<key>=<value> ...]
  python -m jmer.main --config=configs/mtl.py:musicnn --mode=prepare
  jmer train --config=mtl --show-config    # the resolved config, one key per line; no training

The command line is checked before anything heavy is imported: every flag (an unknown one is
named with the closest known flag), the config file and its variants, and every override's key
against the loaded config itself (jmer.config_files). Each problem is one `error:` line. absl
and ml_collections then parse the override values, and jmer.training does the work.
"""

import pathlib
import sys

import jmer  # noqa: F401  (selects the JAX backend before Keras loads)

PROG = "python -m jmer.main"
# Flags of this command (absl's own, such as --verbosity, are accepted too), name -> help.
FLAG_HELP = {
    "config": "the experiment config: a shipped config's name (mtl, stl_genre, ...) or a path "
              "(configs/mtl.py), optionally with variants: mtl:musicnn or mtl:fused,augment",
    "workdir": "where checkpoints, logs and results go (default: runs/<config name>); "
               "rerunning with the same work dir resumes the run",
    "mode": "train (default): train and evaluate; prepare: check the data folders, print "
            "per-split/per-class counts and bad files, and build the feature cache",
    "show_config": "print the resolved config (file, variants and overrides), one key = value "
                   "line per setting, and exit without training",
}
VALUE_FLAGS = ("config", "workdir", "mode")
HELP_ARGS = ("-h", "--help", "-help", "--helpfull", "--helpshort")

HELP = """usage: {prog} --config=<name or path>[:variants] [--workdir=DIR] [--mode=train|prepare]
       {pad} [--config.<key>=<value> ...] [--show-config] [--verbosity=0]

Train and evaluate a model; the results go to the work dir (metrics.json, figures/, model.keras).

flags:
  --config=CONFIG    {config}
  --workdir=DIR      {workdir}
  --mode=MODE        {mode}
  --show-config      {show_config}
  --config.<key>=<value>
                     set any config key, e.g. --config.train.epochs=5
                     --config.data.source=folder --config.data.folder.path=~/Music/by_genre;
                     tuples are quoted Python: --config.features.names="('mel','mfcc')"
  --verbosity=0      full tracebacks instead of one-line errors, and INFO logging

shipped configs: {configs}
variants: {variants}
"""


class UsageError(Exception):
  """A command-line mistake; the message is the one line the user sees."""


def help_text(prog: str = PROG) -> str:
  """The --help page. Reads the config folder and variant names, imports nothing heavy."""
  from jmer import config_files  # ml_collections and numpy only
  from jmer.config_variants import VARIANTS
  import textwrap
  wrap = lambda text: textwrap.fill(text, width=97, initial_indent=" " * 21,  # noqa: E731
                                    subsequent_indent=" " * 21).lstrip()
  return HELP.format(prog=prog, pad=" " * len(prog),
                     configs=", ".join(config_files.shipped_config_names()) or "(none found)",
                     variants=", ".join(sorted(VARIANTS)),
                     **{k: wrap(v) for k, v in FLAG_HELP.items()})


def default_workdir(config_arg: str) -> str:
  """runs/mtl for configs/mtl.py (or mtl), runs/mtl_fused_transformer for mtl:fused,transformer."""
  path, _, variant = config_arg.partition(":")
  name = pathlib.Path(path).stem + (f"_{variant.replace(',', '_')}" if variant else "")
  return str(pathlib.Path("runs") / name)


_DEFINED = {}


def _define_flags() -> dict:
  """Defines this command's absl flags once (on first use, so --help needs no absl)."""
  if not _DEFINED:
    from absl import flags
    from ml_collections import config_flags
    _DEFINED["config"] = config_flags.DEFINE_config_file(
        "config", None, FLAG_HELP["config"], lock_config=True)
    _DEFINED["workdir"] = flags.DEFINE_string("workdir", None, FLAG_HELP["workdir"])
    _DEFINED["mode"] = flags.DEFINE_enum("mode", "train", ["train", "prepare"], FLAG_HELP["mode"])
    _DEFINED["show_config"] = flags.DEFINE_boolean("show_config", False, FLAG_HELP["show_config"])
  return _DEFINED


def _flag_suggestion(name: str, known) -> str:
  import difflib
  close = difflib.get_close_matches(name, [n for n in known if len(n) > 1], n=1, cutoff=0.6)
  return "--" + close[0].replace("_", "-") if close else ""


def check_command_line(argv, prog: str = PROG) -> list:
  """Checks a command line and returns it normalised for absl, or raises UsageError.

  Checks that every flag exists (suggesting the closest), that --config names a config file
  and known variants, and that every --config.<key> override is a key of that config
  (suggesting the closest). Returns argv with --config first and resolved to the file's path,
  and --show-config spelled as absl's --show_config.

  Args:
    argv: the program name, then the arguments.
    prog: how to name the command in messages.

  Returns:
    The argument list to hand to absl.
  """
  from absl import flags
  from jmer import config_files
  _define_flags()
  known = set(flags.FLAGS)
  args, out, spec, overrides, unknown = list(argv[1:]), [], None, [], []
  i = 0
  while i < len(args):
    arg, i = args[i], i + 1
    if not arg.startswith("-") or arg in ("-", "--"):
      raise UsageError(f"unexpected argument {arg!r}: {prog} takes only flags; "
                       f"see {prog} --help")
    name, has_value, value = arg.lstrip("-").partition("=")
    if name.startswith(("config.", "noconfig.")):
      overrides.append(name.split(".", 1)[1])
      if not has_value and i < len(args) and not args[i].startswith("-"):
        out += [arg, args[i]]  # `--config.key value`: the value is the next argument
        i += 1
        continue
      out.append(arg)
      continue
    name = name.replace("-", "_")
    if name in VALUE_FLAGS and not has_value and i < len(args):
      value, has_value, i = args[i], True, i + 1  # `--workdir DIR`
    if name == "config":
      spec = value
      continue
    if name in known or (name.startswith("no") and name[2:] in known):
      out.append(f"--{name}={value}" if has_value else f"--{name}")
      continue
    unknown.append(name)
  if unknown:
    suggestion = _flag_suggestion(unknown[0], list(FLAG_HELP) + ["verbosity"])
    if not suggestion and spec:
      try:  # `--epochs=3` -> --config.train.epochs
        key = config_files.closest_key(unknown[0], config_files.flat_keys(
            config_files.load(spec)))
        suggestion = f"--config.{key}" if key else ""
      except config_files.config_lib.ConfigError:
        pass
    raise UsageError(f"--{unknown[0]}: no such flag"
                     + (f"; did you mean {suggestion}?" if suggestion else "")
                     + f" ({prog} --help lists the flags)")
  if not spec:
    raise UsageError(f"--config is required, e.g. --config=mtl; the shipped configs are "
                     f"{', '.join(config_files.shipped_config_names())}, or give a path")
  try:
    config = config_files.load(spec)
  except config_files.config_lib.ConfigError as error:
    raise UsageError(str(error)) from None
  keys = config_files.flat_keys(config)
  for key in overrides:
    if key not in keys:
      close = config_files.closest_key(key, keys)
      raise UsageError(f"--config.{key}: no such config key"
                       + (f"; did you mean --config.{close}?" if close else "")
                       + f" (`{prog} --config={spec} --show-config` lists every key)")
  path, variants = config_files.resolve(spec)
  return [argv[0], f"--config={path}" + (f":{variants}" if variants else "")] + out


def _fail(message: str):
  print(f"error: {message}", file=sys.stderr)
  sys.exit(1)


def parse_flags(argv, prog: str = PROG):
  """check_command_line, then absl's parsing of the values: any error is one `error: …` line
  and exit code 1, never absl's FATAL banner or a traceback."""
  try:
    argv = check_command_line(argv, prog)
  except UsageError as error:
    _fail(str(error))
  from absl import flags
  try:
    return flags.FLAGS(argv)
  except (flags.Error, AttributeError, KeyError, TypeError, ValueError) as error:
    _fail(" ".join(str(error).replace("\\n", " ").replace("\\'", "'").split()))


def main(argv):
  """Runs the mode; a user error (bad config, data folder, audio, NaN loss) prints one clear
  message instead of a traceback, unless --verbosity is given."""
  from absl import flags
  from ml_collections import config_flags
  config_arg = config_flags.get_config_filename(flags.FLAGS["config"])
  workdir = pathlib.Path(_DEFINED["workdir"].value or default_workdir(config_arg))
  existed = workdir.exists()
  try:
    _run_mode(argv, workdir)
  except (ValueError, FileNotFoundError, FloatingPointError) as error:
    if not existed:
      _remove_unstarted(workdir)
    if flags.FLAGS["verbosity"].present:
      raise
    print(f"error: {error}\n(rerun with --verbosity=0 for the full traceback)", file=sys.stderr)
    sys.exit(1)


def _remove_unstarted(workdir: pathlib.Path):
  """Removes a work dir this process made before a data or config error stopped the run: one
  holding nothing but its config.json would otherwise look like a run to resume."""
  if workdir.is_dir() and {p.name for p in workdir.iterdir()} <= {"config.json"}:
    (workdir / "config.json").unlink(missing_ok=True)
    workdir.rmdir()


def _show_config(config, workdir: pathlib.Path):
  import os
  from absl import flags
  from ml_collections import config_flags
  from jmer import config_files
  try:
    print(f"# config: {config_flags.get_config_filename(flags.FLAGS['config'])}\n"
          f"# work dir: {workdir}\n"
          "# every key below can be set with --config.<key>=<value>\n"
          + config_files.format_config(config), flush=True)
  except BrokenPipeError:  # `--show-config | head`: the reader has all it wanted
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def _run_mode(argv, workdir: pathlib.Path):
  from absl import flags
  from absl import logging
  if len(argv) > 1:
    raise ValueError(f"unexpected arguments: {argv[1:]}")
  if not flags.FLAGS["verbosity"].present:
    logging.set_verbosity(logging.WARNING)  # hide JAX's start-up INFO lines (no TPU found, ...)
  from jmer import config as config_lib
  config = _DEFINED["config"].value
  config_lib.validate(config)  # fail on a bad value before anything is imported or made
  if _DEFINED["show_config"].value:
    _show_config(config, workdir)
    return
  if _DEFINED["mode"].value == "prepare":
    from jmer.data import prepare  # imported here so --help and config errors stay fast
    prepare.prepare(config)
    return
  from jmer.training import train  # imported here so --help and config errors stay fast
  if config.eval.folds > 1:  # k-fold cross-validation: one run per fold, then mean ± std
    from jmer.training import crossval
    crossval.cross_validate(config, workdir)
    return
  train.train_and_evaluate(config, workdir)


def run(argv=None, prog: str = PROG) -> int:
  """The command: --help and --version answered at once, otherwise check, parse and run.

  Args:
    argv: the arguments after the program name (default: sys.argv[1:]).
    prog: how to name the command in help and messages.
  """
  argv = list(sys.argv[1:] if argv is None else argv)
  if any(arg in HELP_ARGS for arg in argv):
    print(help_text(prog))
    return 0
  if "--version" in argv:
    print(f"jmer {jmer.__version__}")
    return 0
  from absl import app
  _define_flags()
  app.run(main, argv=[prog] + argv, flags_parser=lambda args: parse_flags(args, prog))
  return 0


if __name__ == "__main__":
  sys.exit(run())
