"""The package layout follows the data's one-way flow, and no module grows into a god-file.

Layers, lowest first: the shared bottom (config, names, labels, tasks and their specs, run_record, pretrained) ←
data ← models ← evaluation ← training ← inference ← the entry modules (main, predict, demo,
export). A module may import from its own layer or below, never above.
"""

import ast
import pathlib

import pytest

PACKAGE = pathlib.Path(__file__).resolve().parents[1] / "jmer"
LAYERS = {"config": 0, "config_validation": 0, "config_ranges": 0, "config_variants": 0,
          "config_files": 0, "arguments": 0, "labels": 0, "tasks": 0, "task_spec": 0, "genre_tags": 0,
          "names": 0,
          "run_record": 0, "pretrained": 0, "data": 1, "models": 2, "evaluation": 3,
          "training": 4, "inference": 5, "main": 6, "predict": 6, "demo": 6, "export": 6,
          "experiments": 6, "runs": 6, "__main__": 7}
MAX_LINES = 400


def _modules():
  return sorted(p for p in PACKAGE.rglob("*.py") if p.name != "__init__.py" or
                p.parent != PACKAGE)


def _layer(parts) -> int:
  return LAYERS[parts[0]]


def _jmer_imports(path):
  """Top-level names under jmer that `path` imports (anywhere in the file, lazy ones too)."""
  for node in ast.walk(ast.parse(path.read_text())):
    if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("jmer."):
      yield node.module.split(".")[1:]
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
    assert parts[0] in LAYERS, f"{path}: add its top-level name to LAYERS"


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_module_is_over_the_size_limit(path):
  lines = len(path.read_text().splitlines())
  assert lines <= MAX_LINES, f"{path.relative_to(PACKAGE)} has {lines} lines: split it"


def test_every_subpackage_has_an_init_so_setuptools_ships_it():
  for folder in {p.parent for p in PACKAGE.rglob("*.py")}:
    assert (folder / "__init__.py").is_file(), folder
