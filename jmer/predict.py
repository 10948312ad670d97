"""`python -m jmer.predict` (= `jmer predict`): genre and emotion of audio files (the code:
jmer.inference.predict).

The arguments are parsed here first with the same parser (jmer.inference.cli_args), so --help,
a mistyped flag or a missing run folder is answered before Keras, JAX or TensorFlow load.
"""

import sys

from jmer.inference import cli_args
from jmer.inference.cli_args import predict_parser as build_parser


def main(argv=None, prog: str = "python -m jmer.predict") -> int:
  """Checks the arguments, then runs jmer.inference.predict.main; returns the exit code.

  Args:
    argv: the arguments after the program name (default: sys.argv[1:]).
    prog: how to name the command in help and messages.

  Returns:
    The exit code.
  """
  cli_args.parse(build_parser(prog), argv)  # exits here on --help or a bad argument
  from jmer.inference import predict
  return predict.main(argv, prog=prog)


if __name__ == "__main__":
  sys.exit(main())
