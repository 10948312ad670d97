"""The shell commands in README.md, docs/*.md and the paper work as written, so they cannot drift.

Every command in a shell code block (```bash / sh / shell / console, or a `$ ` line in an
untagged block) that runs jmer (`jmer <command>`, `python -m jmer <command>`, or the modules
`python -m jmer.main|predict|demo|export|runs|experiments`) is checked as far as it can be
without data or a trained model:
- train: every flag exists, --config names a config file and known variants, every
  --config.<key> is a key of that config, absl parses each value, and the resolved config
  validates (the same checks as `--show-config`, in-process);
- the argparse commands: the command's parser accepts the arguments (flags, choices, required
  ones), and a suite file given to `experiments` exists;
- any other `python -m jmer.<module>` is importable, and `python <script>.py` exists;
- a command with `--help` or `--show-config` is also run, and must exit 0.
A command that truly cannot be checked here goes in UNCHECKED with the reason.
"""

import os
import pathlib
import re
import shlex
import subprocess
import sys

import pytest

from jmer.cli import commands as cli
from jmer import config as config_lib
from jmer.cli import train as train_cli

REPO = pathlib.Path(__file__).resolve().parents[2]
DOCS = [REPO / "README.md", *sorted((REPO / "docs").glob("**/*.md")),
        REPO / "paper" / "README.md"]
SHELL = {"bash", "sh", "shell", "console", "zsh"}
# Substrings of commands that are shown but not checkable, with the reason. Keep it short.
UNCHECKED = {}
PYTHON = re.compile(r"(.*/)?python(3(\.\d+)?)?$")
JMER = re.compile(r"(.*/)?jmer$")
OPERATORS = {"&&", "||", ";", "|", "&"}
REDIRECTS = {">", ">>", "<", "2>", "2>>", "&>"}


def shell_lines(path: pathlib.Path) -> list:
  """[(line number, command text)] of the shell code blocks of a Markdown file, with
  backslash continuations joined and `$ ` prompts removed."""
  out, language, pending, start = [], None, "", 0
  for number, line in enumerate(path.read_text().splitlines(), 1):
    fence = re.match(r"^\s*```\s*([\w+-]*)", line)
    if fence:
      language = None if language is not None else fence.group(1).lower()
      continue
    if language is None:
      continue
    text = line.strip()
    if language not in SHELL:
      if not text.startswith("$ "):
        continue
    if text.startswith("$ "):
      text = text[2:]
    start = start if pending else number
    if text.endswith("\\"):
      pending += text[:-1] + " "
      continue
    out.append((start, pending + text))
    pending = ""
  return out


def _segments(text: str) -> list:
  """The simple commands of a shell line (split at && ; | ..., redirections dropped)."""
  lexer = shlex.shlex(text, posix=True, punctuation_chars=";&|<>")
  lexer.whitespace_split, lexer.commenters = True, "#"
  segments, current, skip = [], [], False
  for token in lexer:
    if skip:
      skip = False
    elif token in OPERATORS:
      segments.append(current)
      current = []
    elif token in REDIRECTS or re.fullmatch(r"\d?>+&?\d*", token):
      skip = not re.fullmatch(r"\d?>&\d", token)
    else:
      current.append(token)
  return [s for s in segments + [current] if s]


def jmer_command(tokens):
  """(command, args) for a jmer invocation, ('module:<name>' or 'script:<path>', []) for other
  python runs worth checking, or None. Placeholders (`...`, `[--flag]` brackets) are dropped."""
  while tokens and (re.fullmatch(r"[A-Z_][A-Z0-9_]*=.*", tokens[0]) or tokens[0] in ("env",
                                                                                     "time")):
    tokens = tokens[1:]
  if tokens[:1] == ["nice"]:
    tokens = tokens[3:] if tokens[1:2] == ["-n"] else tokens[1:]
  if not tokens:
    return None
  args = [t.strip("[]") for t in tokens[1:] if t not in ("...", "…")]
  if JMER.fullmatch(tokens[0]):
    return (args[0], args[1:]) if args else ("", [])
  if not PYTHON.fullmatch(tokens[0]):
    return None
  while args and args[0].startswith("-") and args[0] != "-m":
    args = args[1:]  # interpreter options such as -P
  if args[:1] == ["-m"] and len(args) > 1:
    module, rest = args[1], args[2:]
    if module == "jmer":
      return (rest[0], rest[1:]) if rest else ("", [])
    if module in cli.MODULES:
      return cli.MODULES[module], rest
    return (f"module:{module}", []) if module.startswith("jmer") else None
  if args and args[0].endswith(".py"):
    return f"script:{args[0]}", []
  return None


def documented_commands() -> list:
  """pytest params: one per jmer command in the docs, id'd by file and line."""
  params = []
  for path in DOCS:
    for number, text in shell_lines(path):
      for tokens in _segments(text):
        found = jmer_command(tokens)
        if found and not any(s in text for s in UNCHECKED):
          params.append(pytest.param(*found, text, id=f"{path.relative_to(REPO)}:{number}"))
  return params


def _check_train(args, text):
  if any(a in train_cli.HELP_ARGS for a in args):
    return
  try:
    config = train_cli.resolved_config(args, prog="jmer train")
    config_lib.validate(config)
  except (train_cli.UsageError, config_lib.ConfigError) as error:
    pytest.fail(f"{text}\n  -> error: {error}")


def _check_argparse(command, args, text, capsys):
  parser = cli.parser_for(command)
  try:
    parsed = parser.parse_args(args)
  except SystemExit as exit_:
    if exit_.code:
      pytest.fail(f"{text}\n  -> {capsys.readouterr().err.strip()}")
    return
  if command == "experiments":
    assert (REPO / parsed.suite).is_file(), f"{text}: no suite file {parsed.suite}"


def _run(command, args, text):
  env = dict(os.environ, PYTHONPATH=str(REPO))
  result = subprocess.run([sys.executable, "-m", "jmer", command, *args], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=300)
  assert result.returncode == 0, f"{text}\n  -> {result.stderr.strip()}"


def test_the_docs_hold_jmer_commands():
  """Guards the extractor: the README shows training and prediction commands."""
  commands = {p.values[0] for p in documented_commands()}
  assert {"train", "predict"} <= commands, commands


@pytest.mark.parametrize("command, args, text", documented_commands())
def test_documented_command_exists_as_written(command, args, text, monkeypatch, capsys):
  monkeypatch.chdir(REPO)  # the docs' relative paths (configs/mtl.py) are from the clone
  if command.startswith("module:"):
    import importlib.util
    assert importlib.util.find_spec(command.split(":", 1)[1]), f"{text}: no such module"
    return
  if command.startswith("script:"):
    assert (REPO / command.split(":", 1)[1]).is_file(), f"{text}: no such script"
    return
  if command == "":
    return  # bare `jmer`: prints the command list
  assert command in cli.COMMANDS, f"{text}: no such jmer command {command!r}"
  if command == "train":
    _check_train(args, text)
  else:
    _check_argparse(command, args, text, capsys)
  if "--help" in args or "--show-config" in args:
    _run(command, args, text)


@pytest.mark.parametrize("text, expected", [
    ("python -m jmer.main --config=configs/mtl.py --workdir=runs/x",
     [("train", ["--config=configs/mtl.py", "--workdir=runs/x"])]),
    ("PYTHONPATH=. nice -n 10 .venv/bin/python -P -m jmer predict a.mp3 [--timeline] ...",
     [("predict", ["a.mp3", "--timeline"])]),
    ("pip install -e . && jmer train --config=mtl:musicnn  # trains",
     [("train", ["--config=mtl:musicnn"])]),
    ("python -m jmer.predict --model=m.keras x.flac --format=csv > out.csv",
     [("predict", ["--model=m.keras", "x.flac", "--format=csv"])]),
    ("python benchmarks/help_latency.py --repeats 3", [("script:benchmarks/help_latency.py", [])]),
    ("python -m pytest -q", []),
])
def test_the_extractor_reads_commands_as_the_shell_would(text, expected):
  found = [jmer_command(tokens) for tokens in _segments(text)]
  assert [f for f in found if f] == expected


@pytest.mark.parametrize("command, args", [
    ("train", ["--config=configs/mtl.py", "--config.train.epochz=5"]),  # no such key
    ("train", ["--config=configs/mtl.py", "--config.train.epochs=five"]),  # not an int
    ("train", ["--config=configs/mtl.py", "--config.model.trunk=resnet"]),  # fails validation
    ("train", ["--config=configs/gone.py"]),
    ("predict", ["--modle=m.keras", "a.mp3"]),
    ("export", []),  # --workdir is required
    ("experiments", ["experiments/gone.py"]),
])
def test_the_check_catches_a_drifted_command(command, args, monkeypatch, capsys):
  """The same check on commands that are wrong: each must fail, or the test above proves
  nothing."""
  with pytest.raises((pytest.fail.Exception, AssertionError)):
    test_documented_command_exists_as_written(command, args, "drifted", monkeypatch, capsys)
