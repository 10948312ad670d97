"""python -m jmer.experiments.analyses <analysis> <source> --out=<folder> [--option=KEY=VALUE]

Collects one analysis (jmer.experiments.analyses) from its source and writes its raw file,
report, figure and analyses.json entry into --out through the one writer
(analyses/files.py): e.g. the linear-probe scan, which is not a training suite, from the data
folder whose feature caches it reads, or any analysis again from an existing suite root.
"""

import inspect
import sys

from jmer.cli import arguments


def build_parser(prog: str = "python -m jmer.experiments.analyses"):
  """The command's argument parser.

  Args:
    prog: how to name the command in help and messages.

  Returns:
    The arguments.ArgumentParser.
  """
  from jmer.experiments import analyses
  parser = arguments.ArgumentParser(prog=prog, description=__doc__.split("\n\n")[0])
  parser.add_argument("analysis", help=f"one of: {', '.join(analyses.ANALYSES)}")
  parser.add_argument("source", help="a suite root (its run dirs), or the data folder of the "
                      "probe_levers scan")
  parser.add_argument("--out", required=True, help="the results folder to write, e.g. "
                      "experiments/results/real_music")
  parser.add_argument("--option", action="append", default=[], metavar="KEY=VALUE",
                      help="an option of the analysis's collect, e.g. data=../shared/data "
                           "(same_clip); repeatable")
  return parser


def main(argv=None) -> int:
  """Collects and writes one analysis; an unknown analysis or a bad option is one error line.

  Args:
    argv: the arguments (default: sys.argv[1:]).

  Returns:
    The exit code.
  """
  from jmer.experiments import analyses
  from jmer.experiments.analyses import files
  args = build_parser().parse_args(sys.argv[1:] if argv is None else argv)
  try:
    options = dict(_option(text) for text in args.option)
    collect = analyses.get(args.analysis).collect
    try:
      inspect.signature(collect).bind(args.source, **options)
    except TypeError as error:
      raise ValueError(f"{args.analysis}: {error} (its options: "
                       f"{list(inspect.signature(collect).parameters)[1:]})") from None
    raw = collect(args.source, **options)
  except (ValueError, FileNotFoundError) as error:
    print(f"error: {error}", file=sys.stderr)
    return 1
  print("Wrote " + ", ".join(str(p) for p in files.write(args.out, args.analysis, raw)))
  return 0


def _option(text: str) -> tuple:
  key, sep, value = text.partition("=")
  if not sep or not key:
    raise ValueError(f"--option {text!r}: expected KEY=VALUE, e.g. data=../shared/data")
  return key, value


if __name__ == "__main__":
  sys.exit(main())
