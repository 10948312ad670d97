"""`jmer train` (the same as `python -m jmer.main`): train and evaluate one config.

  jmer train --config=mtl [--workdir=runs/mtl] [--config.<key>=<value> ...]
  python -m jmer.main --config=configs/mtl.py:musicnn --mode=prepare
  jmer train --config=mtl --show-config    # the resolved config, one key per line; no training

The command line is checked before anything heavy is imported: every flag (an unknown one is
named with the closest known flag), then the config is loaded with its overrides the one way
every caller loads one (jmer.config.files.load: an unknown key is named with the closest known
key, a value is converted to its key's type). Each problem is one `error:` line. absl parses
this command's own flags (into a private FlagValues: no global state), and jmer.training does
the work.
"""

import pathlib
import sys
import typing

import jmer  # noqa: F401  (selects the JAX backend before Keras loads)

PROG = "python -m jmer.main"
# Flags of this command (besides --config.<key> overrides and --verbosity), name -> help.
FLAG_HELP = {
    "config": "the experiment config: a shipped config's name (mtl, stl, ...) or a path "
              "(configs/mtl.py), optionally with its options and variants: mtl:musicnn, "
              "mtl:fused,augment or stl:task=quadrant,musicnn",
    "workdir": "where checkpoints, logs and results go (default: runs/<config name>); "
               "rerunning with the same work dir resumes the run",
    "mode": "train (default): train and evaluate; prepare: check the data folders, print "
            "per-split/per-class counts and bad files, and build the feature cache",
    "show_config": "print the resolved config (file, variants and overrides), one key = value "
                   "line per setting, and exit without training",
}
VALUE_FLAGS = ("config", "workdir", "mode", "verbosity", "v")
HELP_ARGS = ("-h", "--help", "-help", "--helpfull", "--helpshort")

HELP = """usage: {prog} --config=<name or path>[:arg] [--workdir=DIR] [--mode=train|prepare]
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
                     (one bare item is a 1-tuple: --config.features.names=mel)
  --verbosity=0      full tracebacks instead of one-line errors, and INFO logging

shipped configs: {configs}
  (a config's arg: its own options, e.g. stl:task=quadrant, then variants, comma-separated)
variants: {variants}
"""


class UsageError(Exception):
  """A command-line mistake; the message is the one line the user sees."""


def help_text(prog: str = PROG) -> str:
  """The --help page. Reads the config folder and variant names, imports nothing heavy.

  Args:
    prog: how to name the command.

  Returns:
    The help page's text.
  """
  from jmer.config import files as config_files  # finding config files imports nothing heavy
  from jmer.config.variants import VARIANTS
  import textwrap
  wrap = lambda text: textwrap.fill(text, width=97, initial_indent=" " * 21,  # noqa: E731
                                    subsequent_indent=" " * 21).lstrip()
  return HELP.format(prog=prog, pad=" " * len(prog),
                     configs=", ".join(config_files.shipped_config_names()) or "(none found)",
                     variants=", ".join(sorted(VARIANTS)),
                     **{k: wrap(v) for k, v in FLAG_HELP.items()})


def default_workdir(config_arg: str) -> str:
  """runs/mtl for configs/mtl.py (or mtl), runs/mtl_fused_transformer for mtl:fused,transformer,
  runs/stl_quadrant_musicnn for stl:task=quadrant,musicnn (an option by its value).

  Args:
    config_arg: the --config value, '<name or path>[:arg]'.

  Returns:
    The work dir, 'runs/<config stem>[_<option values and variants joined by _>]'.
  """
  path, _, arg = config_arg.partition(":")
  words = [item.partition("=")[2] or item for item in arg.split(",") if item]
  name = "_".join([pathlib.Path(path).stem, *words]).replace("/", "_")
  return str(pathlib.Path("runs") / name)


class TrainArgs(typing.NamedTuple):
  """A parsed command line."""
  config: typing.Any  # the ConfigDict: file, variants and overrides applied, not validated
  config_arg: str  # the --config value as resolved: '<path>[:arg]'
  workdir: pathlib.Path
  mode: str
  show_config: bool
  verbosity: int | None  # None unless --verbosity was given


def _flag_values():
  """A fresh absl FlagValues holding this command's flags, so parsing has no global state and
  can run again in one process (tests, the docs check). The --config.<key> overrides are not
  absl flags: jmer.config.files.load sets them."""
  from absl import flags
  values = flags.FlagValues()
  flags.DEFINE_string("config", None, FLAG_HELP["config"], flag_values=values)
  flags.DEFINE_string("workdir", None, FLAG_HELP["workdir"], flag_values=values)
  flags.DEFINE_enum("mode", "train", ["train", "prepare"], FLAG_HELP["mode"],
                    flag_values=values)
  flags.DEFINE_boolean("show_config", False, FLAG_HELP["show_config"], flag_values=values)
  flags.DEFINE_integer("verbosity", None, "logging level (0 = INFO, 1 = DEBUG) and full "
                       "tracebacks", short_name="v", flag_values=values)
  return values


def _flag_suggestion(name: str, known) -> str:
  import difflib
  close = difflib.get_close_matches(name, [n for n in known if len(n) > 1], n=1, cutoff=0.6)
  return "--" + close[0].replace("_", "-") if close else ""


def check_command_line(argv, prog: str = PROG) -> list:
  """Checks a command line and returns it normalised for absl, or raises UsageError.

  Checks that every flag exists (suggesting the closest), that --config names a config file
  and known options and variants, and that every --config.<key> override is a key of that
  config (suggesting the closest) with a value the key can hold. Returns argv with --config
  first and resolved to the file's path, no overrides (absl does not parse them), and
  --show-config spelled as absl's --show_config.

  Args:
    argv: the program name, then the arguments.
    prog: how to name the command in messages.

  Returns:
    The argument list to hand to absl.
  """
  return _checked_command_line(argv, prog)[0]


def _checked_command_line(argv, prog: str) -> tuple:
  """(check_command_line's argument list for absl, the config with its overrides set)."""
  from jmer.config import files as config_files
  out, spec, overrides, unknown = _sort_arguments(argv, prog)
  if unknown:
    _refuse_unknown_flag(unknown[0], spec, prog)
  if not spec:
    raise UsageError(f"--config is required, e.g. --config=mtl; the shipped configs are "
                     f"{', '.join(config_files.shipped_config_names())}, or give a path")
  config = _load_config(spec, overrides, prog)
  path, arg = config_files.resolve(spec)
  return [argv[0], f"--config={path}" + (f":{arg}" if arg else "")] + out, config


def _sort_arguments(argv, prog: str) -> tuple:
  """Sorts a command line's arguments by kind, without loading the config.

  Args:
    argv: the program name, then the arguments.
    prog: how to name the command in messages.
  Returns:
    (out, spec, overrides, unknown): the flags to pass on to absl (known flags normalised to
    --name[=value]), the --config value (None if absent), the overrides {key: value as given,
    True for a bare `--config.<key>`, False for `--noconfig.<key>`; the last wins}, and the
    names of unknown flags.
  Raises:
    UsageError for an argument that is not a flag.
  """
  known = set(_flag_values())
  args, out, spec, overrides, unknown = list(argv[1:]), [], None, {}, []
  i = 0
  while i < len(args):
    arg, i = args[i], i + 1
    if not arg.startswith("-") or arg in ("-", "--"):
      raise UsageError(f"unexpected argument {arg!r}: {prog} takes only flags; "
                       f"see {prog} --help")
    name, has_value, value = arg.lstrip("-").partition("=")
    if name.startswith(("config.", "noconfig.")):
      if not has_value and i < len(args) and not args[i].startswith("-"):
        value, has_value, i = args[i], True, i + 1  # `--config.key value`
      key = name.split(".", 1)[1]
      overrides.pop(key, None)  # the last given wins, and comes last
      overrides[key] = value if has_value else not name.startswith("no")
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
  return out, spec, overrides, unknown


def _refuse_unknown_flag(name: str, spec, prog: str):
  """Raises UsageError for flag `name`, suggesting the closest flag or config key of `spec`."""
  from jmer import config as config_lib
  from jmer.config import files as config_files
  suggestion = _flag_suggestion(name, list(FLAG_HELP) + ["verbosity"])
  if not suggestion and spec:
    try:  # `--epochs=3` -> --config.train.epochs
      key = config_files.closest_key(name, config_files.flat_keys(config_files.load(spec)))
      suggestion = f"--config.{key}" if key else ""
    except (config_files.ConfigFileError, config_lib.ConfigError):
      pass
  raise UsageError(f"--{name}: no such flag"
                   + (f"; did you mean {suggestion}?" if suggestion else "")
                   + f" ({prog} --help lists the flags)")


def _load_config(spec: str, overrides: dict, prog: str):
  """config_files.load(spec, overrides), or UsageError naming the argument at fault."""
  from jmer import config as config_lib
  from jmer.config import files as config_files
  try:
    return config_files.load(spec, overrides)
  except config_files.UnknownKeyError as error:
    raise UsageError(f"--config.{error.key}: no such config key"
                     + (f"; did you mean --config.{error.closest}?" if error.closest else "")
                     + f" (`{prog} --config={spec} --show-config` lists every key)") from None
  except config_files.OverrideError as error:
    given = overrides[error.key]
    flag = f"--config.{error.key}" + ("" if isinstance(given, bool) else f"={given}")
    raise UsageError(f"{flag}: {error.reason}") from None
  except (config_files.ConfigFileError, config_lib.ConfigError) as error:
    raise UsageError(str(error)) from None


def _fail(message: str):
  print(f"error: {message}", file=sys.stderr)
  sys.exit(1)


def parse(args, prog: str = PROG) -> TrainArgs:
  """Checks a command line (check_command_line), then lets absl parse its values.

  Args:
    args: the arguments after the program name, e.g. ['--config=mtl', '--config.seed=1'].
    prog: how to name the command in messages.

  Returns:
    The parsed TrainArgs; its config is not validated yet.

  Raises:
    UsageError: the one-line message the command prints.
  """
  from absl import flags
  argv, config = _checked_command_line([prog, *args], prog)
  values = _flag_values()
  try:
    values(argv)
  except (flags.Error, AttributeError, KeyError, TypeError, ValueError) as error:
    raise UsageError(" ".join(str(error).replace("\\n", " ").replace("\\'", "'").split())
                     ) from None
  config.lock()  # a key set later must exist already, as on the command line
  config_arg = argv[1].split("=", 1)[1]
  return TrainArgs(config=config, config_arg=config_arg,
                   workdir=pathlib.Path(values["workdir"].value or default_workdir(config_arg)),
                   mode=values["mode"].value, show_config=values["show_config"].value,
                   verbosity=values["verbosity"].value)


def parse_flags(argv, prog: str = PROG) -> TrainArgs:
  """parse() for a full argv (program name first); an error is one `error: …` line and exit
  code 1, never absl's FATAL banner or a traceback.

  Args:
    argv: the program name, then the arguments.
    prog: how to name the command in messages.

  Returns:
    The parsed TrainArgs (the process exits on a usage error).
  """
  try:
    return parse(argv[1:], prog)
  except UsageError as error:
    _fail(str(error))


def resolved_config(args, prog: str = PROG):
  """The config a command line would train (file, variants and overrides), not validated;
  raises UsageError with the one-line message the command would print.

  Args:
    args: the arguments after the program name.
    prog: how to name the command in messages.

  Returns:
    The ConfigDict.
  """
  return parse(args, prog).config


def main(args: TrainArgs):
  """Runs the mode; a user error (bad config, data folder, audio, NaN loss) prints one clear
  message instead of a traceback, unless --verbosity is given."""
  existed = args.workdir.exists()
  try:
    _run_mode(args)
  except (ValueError, FileNotFoundError, FloatingPointError) as error:
    if not existed:
      _remove_unstarted(args.workdir)
    if args.verbosity is not None:
      raise
    print(f"error: {error}\n(rerun with --verbosity=0 for the full traceback)", file=sys.stderr)
    sys.exit(1)


def _remove_unstarted(workdir: pathlib.Path):
  """Removes a work dir this process made before a data or config error stopped the run: one
  holding nothing but its config.json would otherwise look like a run to resume."""
  if workdir.is_dir() and {p.name for p in workdir.iterdir()} <= {"config.json"}:
    (workdir / "config.json").unlink(missing_ok=True)
    workdir.rmdir()


def _show_config(args: TrainArgs):
  import os
  from jmer.config import files as config_files
  try:
    print(f"# config: {args.config_arg}\n# work dir: {args.workdir}\n"
          "# every key below can be set with --config.<key>=<value>\n"
          + config_files.format_config(args.config), flush=True)
  except BrokenPipeError:  # `--show-config | head`: the reader has all it wanted
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def _run_mode(args: TrainArgs):
  import logging
  # Python's default (WARNING) hides JAX's start-up INFO lines (no TPU found, ...).
  if args.verbosity is not None:
    logging.basicConfig(level=logging.DEBUG if args.verbosity >= 1 else logging.INFO)
  from jmer import config as config_lib
  config = args.config
  config_lib.validate(config)  # fail on a bad value before anything is imported or made
  if args.show_config:
    _show_config(args)
    return
  if args.mode == "prepare":
    from jmer.data import prepare  # imported here so --help and config errors stay fast
    prepare.prepare(config)
    return
  from jmer.training import train  # imported here so --help and config errors stay fast
  if config.eval.folds > 1:  # k-fold cross-validation: one run per fold, then mean ± std
    from jmer.training import crossval
    crossval.cross_validate(config, args.workdir)
    return
  train.train_and_evaluate(config, args.workdir)


def run(argv=None, prog: str = PROG) -> int:
  """The command: --help and --version answered at once, otherwise check, parse and run.

  Args:
    argv: the arguments after the program name (default: sys.argv[1:]).
    prog: how to name the command in help and messages.

  Returns:
    The exit code.
  """
  argv = list(sys.argv[1:] if argv is None else argv)
  if any(arg in HELP_ARGS for arg in argv):
    print(help_text(prog))
    return 0
  if "--version" in argv:
    print(f"jmer {jmer.__version__}")
    return 0
  main(parse_flags([prog] + argv, prog))
  return 0


if __name__ == "__main__":
  sys.exit(run())
