"""The package layout follows the data's one-way flow, and no module grows into a god-file.

Layers, lowest first: the shared bottom (config, tasks, the CLI's argparse helpers,
pretrained) ← data ← models ← evaluation ← training ← inference ← the commands (cli,
experiments) ← the entry modules (main, predict, demo, export, runs, __main__). A module may
import from its own layer or below, never above.
"""

import ast
import pathlib

import pytest

PACKAGE = pathlib.Path(__file__).resolve().parents[2] / "jmer"
# A dotted key (cli.arguments) places one module apart from its package's layer.
LAYERS = {"config": 0, "tasks": 0, "cli.arguments": 0, "pretrained": 0, "data": 1, "models": 2,
          "evaluation": 3, "training": 4, "inference": 5, "cli": 6, "experiments": 6,
          "main": 7, "predict": 7, "demo": 7, "export": 7, "runs": 7, "__main__": 7}
MAX_LINES = 400


def _modules():
  return sorted(p for p in PACKAGE.rglob("*.py") if p.name != "__init__.py" or
                p.parent != PACKAGE)


def _layer(parts) -> int:
  for n in range(len(parts), 0, -1):
    if ".".join(parts[:n]) in LAYERS:
      return LAYERS[".".join(parts[:n])]
  raise KeyError(parts[0])


def _jmer_imports(path):
  """Top-level names under jmer that `path` imports (anywhere in the file, lazy ones too)."""
  for node in ast.walk(ast.parse(path.read_text())):
    if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("jmer."):
      for alias in node.names:  # `from jmer.cli import arguments`: the module, if it is one
        yield node.module.split(".")[1:] + [alias.name]
    elif isinstance(node, ast.ImportFrom) and node.module == "jmer":
      for alias in node.names:
        yield [alias.name]
    elif isinstance(node, ast.Import):
      for alias in node.names:
        if alias.name.startswith("jmer."):
          yield alias.name.split(".")[1:]


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_module_imports_a_higher_layer(path):
  own = _layer(path.relative_to(PACKAGE).with_suffix("").parts)
  upward = [".".join(parts) for parts in _jmer_imports(path) if _layer(parts) > own]
  assert not upward, f"{path.relative_to(PACKAGE)} (layer {own}) imports {upward} from above"


def test_every_module_is_in_a_layer():
  for path in _modules():
    parts = path.relative_to(PACKAGE).with_suffix("").parts
    assert _layer(parts) is not None, f"{path}: add its top-level name to LAYERS"


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_module_is_over_the_size_limit(path):
  lines = len(path.read_text().splitlines())
  assert lines <= MAX_LINES, f"{path.relative_to(PACKAGE)} has {lines} lines: split it"


def test_every_subpackage_has_an_init_so_setuptools_ships_it():
  for folder in {p.parent for p in PACKAGE.rglob("*.py")}:
    assert (folder / "__init__.py").is_file(), folder
