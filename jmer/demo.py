"""`python -m jmer.demo` (= `jmer demo`): the local web demo (the code: jmer.inference.demo).

The arguments are parsed here first with the same parser (jmer.inference.cli_args), so --help,
a mistyped flag or a missing run folder is answered before Keras, JAX or TensorFlow load.
"""

import sys

from jmer.inference import cli_args
from jmer.inference.cli_args import demo_parser as build_parser


def main(argv=None, prog: str = "python -m jmer.demo") -> int:
  """Checks the arguments, then runs jmer.inference.demo.main; returns the exit code.

  Args:
    argv: the arguments after the program name (default: sys.argv[1:]).
    prog: how to name the command in help and messages.

  Returns:
    The exit code.
  """
  cli_args.parse(build_parser(prog), argv)  # exits here on --help or a bad argument
  from jmer.inference import demo
  return demo.main(argv, prog=prog)


if __name__ == "__main__":
  sys.exit(main())
