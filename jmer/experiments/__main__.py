"""python -m jmer.experiments experiments/<suite>.py [--cell=a,b] [--quick] [--root=...]

Runs every cell × repeat of the suite that has not finished (a killed suite resumes), then
collects the run dirs into raw_results.json and writes REPORT.md and figures/ from that file
alone, under the suite root; a suite with `analyses` then collects and writes each of them
(raw file, report, analyses.json; jmer.experiments.analyses), and one with analyses but no
`experiments` writes only those. --report-only skips training; --report-dir writes them
elsewhere (e.g. experiments/results/<suite>, where experiments/recompute.py checks them).
"""

import pathlib
import sys

import jmer  # noqa: F401  (JAX backend before Keras)
from jmer.cli import arguments


def build_parser(prog: str = "python -m jmer.experiments"):
  """The command's argument parser (light: nothing heavy is imported).

  Args:
    prog: how to name the command in help and messages.

  Returns:
    The arguments.ArgumentParser.
  """
  parser = arguments.ArgumentParser(prog=prog,
                                   description=__doc__.split("\n\n")[0])
  parser.add_argument("suite", help="a suite file, e.g. experiments/builtin.py")
  parser.add_argument("--cell", default="", help="run only these cells (comma-separated)")
  parser.add_argument("--split-seeds", default="",
                      help="run only these of the suite's split seeds (comma-separated), e.g. "
                           "one process per seed; the report covers every seed that has runs")
  parser.add_argument("--quick", action="store_true",
                      help="the small, fast version: tiny models, fewer repeats")
  parser.add_argument("--root", default="", help="suite root (default runs/experiments/<name>)")
  parser.add_argument("--report-only", action="store_true", help="do not train; only report")
  parser.add_argument("--report-dir", default="", help="where REPORT.md goes (default: root)")
  parser.add_argument("--demo-video", default="",
                      help="a recording of the web demo for the report to link (a path)")
  return parser


def parse_args(argv, prog: str = "python -m jmer.experiments"):
  """Parses the command's arguments.

  Args:
    argv: the arguments after the program name.
    prog: how to name the command in help and messages.

  Returns:
    The argparse.Namespace (suite, cell, split_seeds, quick, root, report_only, report_dir,
    demo_video).
  """
  return build_parser(prog).parse_args(argv)


def main(argv=None, prog: str = "python -m jmer.experiments") -> int:
  """Runs (or resumes) a suite and writes its report; a bad suite or config is one error line.

  Args:
    argv: the arguments (default: sys.argv[1:]).
    prog: how to name the command in help and messages.

  Returns:
    The exit code.
  """
  argv = sys.argv[1:] if argv is None else argv
  args = parse_args(argv, prog)
  try:
    _run(args, argv)
  except (ValueError, FileNotFoundError) as error:
    print(f"error: {error}", file=sys.stderr)
    return 1
  return 0


def _run(args, argv):
  from jmer.experiments import runner
  from jmer.experiments import suite as suite_lib
  suite = suite_lib.load_suite(args.suite, quick=args.quick)
  _check_report_names(suite)
  root = pathlib.Path(args.root or f"runs/experiments/{suite['name']}"
                      + ("_quick" if args.quick else ""))
  if not args.report_only:
    cells = [c for c in args.cell.split(",") if c]
    try:
      seeds = [int(s) for s in args.split_seeds.split(",") if s.strip()]
    except ValueError as error:
      raise ValueError(f"--split-seeds={args.split_seeds!r}: expected comma-separated integers"
                       ) from error
    status = runner.run_suite(suite, root, cells=cells, argv=argv, split_seeds=seeds or None)
    trained = sum(s == "trained" for s in status.values())
    print(f"\njmer.experiments: {trained} run(s) trained, {len(status) - trained} already "
          f"finished, under {root}", flush=True)
  _write_results(suite, root, pathlib.Path(args.report_dir or root), args.demo_video)


def _wants_suite_report(suite) -> bool:
  """Whether the suite's own report is written: it asks comparisons, or has no analyses."""
  return bool(suite["experiments"]) or not suite["analyses"]


def _check_report_names(suite):
  """Refuses a suite whose analysis would overwrite the suite report (REPORT.md)."""
  from jmer.experiments import analyses
  clash = [name for name, _ in suite["analyses"] if analyses.get(name).report_file == "REPORT.md"]
  if clash and _wants_suite_report(suite):
    raise ValueError(f"{suite['file']}: the suite report and analysis {clash[0]!r} both write "
                     "REPORT.md; a suite with that analysis asks no `experiments`")


def _write_results(suite, root, out_dir, demo_video):
  """The suite report (raw_results.json, REPORT.md) and its analyses, through one writer."""
  # after training: matplotlib and scipy are slow to load
  from jmer.experiments import analyses
  from jmer.experiments import report
  from jmer.experiments.analyses import files as analysis_files
  if _wants_suite_report(suite):
    print(f"Wrote {report.write_report(root, out_dir, demo_video=demo_video)}")
  for name, options in suite["analyses"]:
    raw = analyses.get(name).collect(root, **options)
    written = analysis_files.write(out_dir, name, raw)
    print("Wrote " + ", ".join(str(p) for p in written))


if __name__ == "__main__":
  sys.exit(main())
