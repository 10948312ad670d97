"""The `jmer` command: subcommands, help without heavy imports, one-line errors, configs
anywhere."""

import os
import pathlib
import shutil
import subprocess
import sys
import zipfile

import pytest

import jmer
from jmer.cli import commands as cli
from jmer import config as config_lib
from jmer.config import files as config_files
from jmer.cli import train as train_cli

REPO = pathlib.Path(__file__).resolve().parents[2]
HEAVY = ("keras", "jax", "tensorflow", "librosa")
# Runs `jmer <args>` in this process, then reports which heavy modules it imported.
_PROBE = """
import sys
from jmer.cli import commands as cli
try:
  code = cli.main(sys.argv[1:])
except SystemExit as exit_:
  code = exit_.code
heavy = sorted(m for m in {heavy!r} if m in sys.modules)
print("HEAVY=" + ",".join(heavy) + f" CODE={{code}}", file=sys.stderr)
""".format(heavy=HEAVY)


def _jmer(*args, cwd=REPO, probe=False):
  """`python -m jmer <args>` (this worktree's jmer, from any cwd): the CompletedProcess."""
  env = dict(os.environ, PYTHONPATH=str(REPO))
  command = [sys.executable, "-c", _PROBE] if probe else [sys.executable, "-m", "jmer"]
  return subprocess.run(command + list(args), cwd=cwd, env=env, capture_output=True, text=True,
                        timeout=300)


def _one_error_line(result, *fragments):
  """Asserts stderr is exactly one `error: …` line holding every fragment, and no traceback."""
  lines = [line for line in result.stderr.splitlines() if not line.startswith("HEAVY=")]
  assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
  for fragment in fragments:
    assert fragment in lines[0], (fragment, lines[0])
  return lines[0]


# The command and its help ----------------------------------------------------------------------


def test_jmer_help_lists_every_command_once_and_exits_0():
  result = _jmer("--help")
  assert result.returncode == 0, result.stderr
  listed = [line.split()[0] for line in result.stdout.splitlines() if line.startswith("  ")]
  assert listed == list(cli.COMMANDS) == ["train", "predict", "demo", "export", "runs",
                                          "experiments"]


def test_version_prints_the_package_version():
  result = _jmer("--version")
  assert (result.returncode, result.stdout) == (0, f"jmer {jmer.__version__}\n")


def test_no_command_shows_help_and_exit_code_2(capsys):
  assert cli.main([]) == 2
  assert "commands:" in capsys.readouterr().err


@pytest.mark.parametrize("args", [
    ["--help"], ["--version"],
    *[[command, "--help"] for command in ["train", "predict", "demo", "export", "runs",
                                          "experiments"]],
    ["train", "--config=mtl", "--show-config"],
    ["train", "--config=mtl", "--workdirr=x"],
    ["predict", "--workdir=/nonexistent/run", "song.wav"],
    ["export", "--workdir=/nonexistent/run"],
], ids=" ".join)
def test_help_and_argument_errors_import_no_heavy_library(args):
  """Help, --show-config and argument errors answer before Keras/JAX/TF/librosa load (the
  import, not a timer: benchmarks/help_latency.py measures the time)."""
  result = _jmer(*args, probe=True)
  summary = result.stderr.strip().splitlines()[-1]
  assert summary.startswith("HEAVY= "), result.stderr


@pytest.mark.parametrize("command", ["train", "predict", "demo", "export", "runs", "experiments"])
def test_each_command_help_exits_0_and_names_the_command(command, capsys):
  with pytest.raises(SystemExit) as exit_:
    code = cli.main([command, "--help"])
    raise SystemExit(code)
  assert exit_.value.code in (0, None)
  assert f"jmer {command}" in capsys.readouterr().out


def test_an_unknown_command_suggests_the_closest(capsys):
  assert cli.main(["trian", "--config=mtl"]) == 2
  assert capsys.readouterr().err == ("error: no such command 'trian'; did you mean jmer train? "
                                     "(commands: train, predict, demo, export, runs, "
                                     "experiments)\n")


def test_flags_before_a_command_point_to_jmer_train(capsys):
  assert cli.main(["--config=mtl"]) == 2
  assert "jmer train --config=mtl" in capsys.readouterr().err


# predict, demo, export, runs, experiments: one-line errors ------------------------------------


@pytest.mark.parametrize("args, expected", [
    (["predict", "--workdir=/no/run", "a.mp3"], "error: no such folder: /no/run (--workdir takes "
     "a training run's folder, e.g. runs/mtl after jmer train --config=mtl)"),
    (["export", "--workdir=/no/run"], "error: no such folder: /no/run "),
    (["demo", "--workdir=/no/run"], "error: no such folder: /no/run "),
    (["predict", "--workdirr=runs/mtl", "a.mp3"],
     "error: --workdirr: no such flag; did you mean --workdir? (jmer predict --help shows the "
     "usage)"),
    (["predict", "--format=xml", "--model=m.keras", "a.mp3"], "error: argument --format: "
     "invalid choice: 'xml'"),
    (["export", "--out=m.keras"], "error: the following arguments are required: --workdir"),
    (["runs", "--metricz=genre", "runs/"], "error: --metricz: no such flag; did you mean "
     "--metrics?"),
    (["experiments", "experiments/builtin.py", "--quik"], "error: --quik: no such flag; did you "
     "mean --quick?"),
], ids=lambda a: " ".join(a) if isinstance(a, list) else "")
def test_argparse_commands_fail_in_one_line(args, expected, capsys):
  with pytest.raises(SystemExit) as exit_:
    cli.main(args)
  assert exit_.value.code == 2
  err = capsys.readouterr().err
  assert err.startswith(expected) and err.count("\n") == 1, err


def test_a_missing_run_dir_fails_before_any_heavy_import():
  result = _jmer("export", "--workdir=/no/run", probe=True)
  assert result.stderr.splitlines()[-1] == "HEAVY= CODE=2"
  _one_error_line(result, "no such folder: /no/run")


@pytest.mark.slow
def test_experiments_and_runs_name_a_missing_path_in_one_line(tmp_path):
  _one_error_line(_jmer("experiments", "experiments/nosuch.py", cwd=tmp_path),
                  "experiments/nosuch.py: no such suite or config file")
  _one_error_line(_jmer("runs", "runs/nothing", cwd=tmp_path), "runs/nothing: no such directory")


# train: one-line errors ------------------------------------------------------------------------


def _usage_error(*args) -> str:
  with pytest.raises(train_cli.UsageError) as error:
    train_cli.check_command_line(["jmer train", *args], prog="jmer train")
  return str(error.value)


def test_version_on_train_prints_the_version(capsys):
  assert train_cli.run(["--version"]) == 0
  assert capsys.readouterr().out == f"jmer {jmer.__version__}\n"


def test_unknown_flag_suggests_the_closest_flag():
  assert _usage_error("--config=mtl", "--workdirr=x").startswith(
      "--workdirr: no such flag; did you mean --workdir?")
  assert "did you mean --show-config?" in _usage_error("--config=mtl", "--show-confg")


def test_a_config_key_given_as_a_flag_suggests_the_override():
  assert _usage_error("--config=mtl", "--epochs=3").startswith(
      "--epochs: no such flag; did you mean --config.train.epochs?")


def test_unknown_config_key_suggests_the_closest_key():
  message = _usage_error("--config=mtl", "--config.train.lambda_emotio=0.5")
  assert message.startswith("--config.train.lambda_emotio: no such config key; did you mean "
                            "--config.train.lambda_emotion?")
  assert "--config=mtl --show-config` lists every key" in message
  # A key missing its section is found by its last part.
  assert "did you mean --config.data.segment_seconds?" in _usage_error(
      "--config=mtl", "--config.segment_seconds=5")


def test_missing_config_file_names_it_and_the_shipped_name():
  assert _usage_error("--config=elsewhere/mtl.py") == (
      "--config=elsewhere/mtl.py: no such file 'elsewhere/mtl.py'; the shipped config of that "
      "name is --config=mtl")
  message = _usage_error("--config=nowhere/mine.py")
  assert message.startswith("--config=nowhere/mine.py: no such file 'nowhere/mine.py'; the "
                            "shipped configs are ")
  names = sorted(p.stem for p in (REPO / "configs").glob("*.py"))
  assert {"mtl", "stl", "joint_own_data"} <= set(names)
  assert ", ".join(names) in message


def test_unknown_config_name_suggests_the_closest_name():
  assert _usage_error("--config=mtll").startswith(
      "--config=mtll: no such config (did you mean 'mtl'?); the shipped configs are ")


def test_unknown_variant_lists_the_variants():
  assert _usage_error("--config=mtl:runlocal,musicnm") == (
      "--config=mtl:runlocal,musicnm: unknown variant 'musicnm' (did you mean 'musicnn'?); the "
      "variants are augment, fused, mel_musicnn, musicnn, musicnn2, runlocal, transformer")


def test_missing_config_and_stray_arguments_are_named():
  assert _usage_error("--workdir=x").startswith("--config is required, e.g. --config=mtl")
  assert _usage_error("--config=mtl", "song.mp3").startswith(
      "unexpected argument 'song.mp3': jmer train takes only flags")


@pytest.mark.parametrize("args, fragments", [
    (["--config=mtl", "--workdirr=x"], ["did you mean --workdir?"]),
    (["--config=configs/nothere.py"], ["no such file 'configs/nothere.py'"]),
    (["--config=mtl:bogus"], ["unknown variant 'bogus'", "musicnn"]),
    (["--config=test", "--config.train.epochz=2"], ["did you mean --config.train.epochs?"]),
    (["--config=test", "--config.train.epochs=abc"], ["--config.train.epochs=abc"]),
])
def test_train_errors_are_one_line_exit_1_and_no_workdir(tmp_path, args, fragments):
  result = _jmer("train", *args, cwd=tmp_path)
  assert result.returncode == 1
  _one_error_line(result, *fragments)
  assert not (tmp_path / "runs").exists()


def test_both_spellings_of_a_value_flag_are_accepted():
  spaced = train_cli.check_command_line(["p", "--workdir", "w", "--config", "mtl:fused",
                                         "--show-config"])
  assert spaced[1] == f"--config={config_files.shipped_config_dir() / 'mtl.py'}:fused"
  assert spaced[2:] == ["--workdir=w", "--show_config"]


# train --show-config ---------------------------------------------------------------------------


def test_show_config_prints_every_key_with_overrides_and_trains_nothing(tmp_path):
  result = _jmer("train", "--config=test:augment", "--config.train.epochs=5",
                 "--config.features.names=('mel','mfcc')", "--show-config", cwd=tmp_path)
  assert result.returncode == 0, result.stderr
  settings = dict(line.split(" = ", 1) for line in result.stdout.splitlines()
                  if not line.startswith("#"))
  expected = config_files.load(str(REPO / "configs" / "test.py") + ":augment")
  assert set(settings) == {key for key, _ in config_files.leaf_items(expected)}
  assert settings["train.epochs"] == "5"  # the override, where test.py's runlocal gives 2
  assert settings["features.names"] == "('mel', 'mfcc')"
  assert settings["augment.noise.enabled"] == "True"  # the variant
  assert "# work dir: runs/test_augment" in result.stdout
  assert list(tmp_path.iterdir()) == []


def test_show_config_validates_first(tmp_path):
  result = _jmer("train", "--config=mtl", "--config.train.epochs=0", "--show-config",
                 cwd=tmp_path)
  assert result.returncode == 1
  assert result.stderr.startswith("error: config.train.epochs = 0: expected ")


# Configs usable anywhere -----------------------------------------------------------------------


def test_a_bare_config_name_works_outside_the_clone(tmp_path):
  result = _jmer("train", "--config=stl:task=quadrant,musicnn", "--show-config", cwd=tmp_path)
  assert result.returncode == 0, result.stderr
  assert "tasks.emotion = 'quadrant'" in result.stdout
  assert "data.sample_rate = 16000" in result.stdout  # the variant applied


def test_the_design_entry_point_still_takes_a_path():
  result = subprocess.run([sys.executable, "-m", "jmer.main", "--config=configs/mtl.py",
                           "--show-config"], cwd=REPO, capture_output=True, text=True,
                          timeout=300)
  assert result.returncode == 0, result.stderr
  assert "model.trunk = 'crnn'" in result.stdout


@pytest.mark.slow
def test_the_wheel_ships_every_config_and_runs_from_elsewhere(tmp_path):
  """A real (non-editable) build: the wheel holds configs/ as jmer/configs and the `jmer`
  script; unpacked as site-packages would be, `--config=mtl` works from another directory."""
  source = tmp_path / "source"  # a copy: setuptools writes build/ and *.egg-info beside it
  source.mkdir()
  for name in ("pyproject.toml", "setup.py", "README.md"):
    shutil.copy(REPO / name, source / name)
  for name in ("jmer", "configs"):
    shutil.copytree(REPO / name, source / name,
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
  build = subprocess.run(
      [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
       "--wheel-dir", str(tmp_path / "dist"), str(source)], capture_output=True, text=True,
      timeout=600)
  assert build.returncode == 0, build.stderr
  wheel, = (tmp_path / "dist").glob("jmer-*.whl")
  with zipfile.ZipFile(wheel) as archive:
    names = set(archive.namelist())
    entry_points = next(archive.read(n).decode() for n in names
                        if n.endswith("entry_points.txt"))
    archive.extractall(tmp_path / "site")
  assert {f"jmer/configs/{p.name}" for p in (REPO / "configs").glob("*.py")} <= names
  assert "jmer = jmer.__main__:entry_point" in entry_points
  assert not any(n.startswith("configs/") for n in names)  # no top-level `configs` package
  elsewhere = tmp_path / "elsewhere"
  elsewhere.mkdir()
  result = subprocess.run(
      [sys.executable, "-m", "jmer", "train", "--config=mtl", "--show-config"], cwd=elsewhere,
      env=dict(os.environ, PYTHONPATH=str(tmp_path / "site")), capture_output=True, text=True,
      timeout=300)
  assert result.returncode == 0, result.stderr
  assert f"# config: {tmp_path / 'site' / 'jmer' / 'configs' / 'mtl.py'}" in result.stdout


def test_dedicated_configs_equal_the_recipes_they_replace():
  """stl:task=quadrant is the old `stl_genre.py … --config.tasks.genre=False
  --config.tasks.emotion=quadrant` with folders read as quadrants; joint_own_data is mtl with
  quadrant emotion on a manifest (genres) plus folders (quadrants)."""
  old = config_files.load("stl:task=genre,musicnn")
  old.tasks.genre, old.tasks.emotion, old.data.folder.task = False, "quadrant", "quadrant"
  assert config_files.leaf_items(config_files.load("stl:task=quadrant,musicnn")) == \
      config_files.leaf_items(old)
  joint = config_files.load("mtl")
  joint.data.source, joint.data.folder.task, joint.tasks.emotion = (
      "manifest+folder", "quadrant", "quadrant")
  assert config_files.leaf_items(config_files.load("joint_own_data")) == \
      config_files.leaf_items(joint)


def test_default_config_is_unchanged():
  assert config_files.leaf_items(config_files.load("mtl")) == \
      config_files.leaf_items(config_lib.base_config())


def test_closest_key():
  keys = config_files.flat_keys(config_lib.base_config())
  assert "data.folder.path" in keys and "data.folder" in keys  # sections are keys too
  assert config_files.closest_key("train.lambda_emotio", keys) == "train.lambda_emotion"
  assert config_files.closest_key("epochs", keys) == "train.epochs"
  assert config_files.closest_key("zzzzzz", keys) is None
