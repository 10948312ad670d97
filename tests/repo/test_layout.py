"""The package layout follows the data's one-way flow, and no module grows into a god-file.

Layers, lowest first: the shared bottom (config, tasks, the CLI's argparse helpers,
pretrained) ← data ← models ← evaluation ← training ← inference ← the commands (cli,
experiments) ← the entry modules (main, predict, demo, export, runs, __main__). A module may
import from its own layer or below, never above. No module passes 400 lines and no function 60
(in jmer/, experiments/ and tools/); the jmer/ root stays a handful of entry shims; and code
finds code by imports, never by editing sys.path or loading files by path.
"""

import ast
import pathlib

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
PACKAGE = REPO / "jmer"
# Where the size and import rules hold: the package and the scripts beside it.
CODE_FOLDERS = ("jmer", "experiments", "tools")
# A dotted key (cli.arguments) places one module apart from its package's layer.
LAYERS = {"config": 0, "tasks": 0, "cli.arguments": 0, "pretrained": 0, "data": 1, "models": 2,
          "evaluation": 3, "training": 4, "inference": 5, "cli": 6, "experiments": 6,
          "main": 7, "predict": 7, "demo": 7, "export": 7, "runs": 7, "__main__": 7}
MAX_LINES = 400
MAX_FUNCTION_LINES = 60  # from `def` to the last line, docstring included
MAX_ROOT_MODULES = 6  # modules of more than ROOT_SHIM_LINES lines directly in jmer/
ROOT_SHIM_LINES = 20


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


def _code_files(folder):
  return sorted((REPO / folder).rglob("*.py"))


def _functions(path):
  """(qualified name, line count) of every function and method defined in `path`."""
  def visit(node, prefix):
    for child in ast.iter_child_nodes(node):
      name = prefix
      if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        name = f"{prefix}{child.name}."
      if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
        yield name[:-1], child.end_lineno - child.lineno + 1
      yield from visit(child, name)
  return visit(ast.parse(path.read_text()), "")


@pytest.mark.parametrize("folder", CODE_FOLDERS)
def test_no_function_is_over_the_size_limit(folder):
  too_long = [f"{path.relative_to(REPO)}:{name} ({lines} lines)"
              for path in _code_files(folder) for name, lines in _functions(path)
              if lines > MAX_FUNCTION_LINES]
  assert not too_long, f"functions over {MAX_FUNCTION_LINES} lines, split them: {too_long}"


def test_the_size_check_counts_nested_functions_and_methods(tmp_path):
  source = tmp_path / "example.py"
  source.write_text("class A:\n  def f(self):\n    def g():\n      pass\n    return g\n")
  assert dict(_functions(source)) == {"A.f": 4, "A.f.g": 2}


def test_the_package_root_holds_only_a_few_modules():
  sizeable = sorted(p.name for p in PACKAGE.glob("*.py")
                    if len(p.read_text().splitlines()) > ROOT_SHIM_LINES)
  assert len(sizeable) <= MAX_ROOT_MODULES, (
      f"jmer/ holds {len(sizeable)} modules over {ROOT_SHIM_LINES} lines ({sizeable}): "
      "put code in the subpackage of its layer")


def _path_hacks(path):
  """Lines where `path` edits sys.path or loads a module from a file path."""
  for node in ast.walk(ast.parse(path.read_text())):
    if isinstance(node, ast.Attribute) and node.attr == "spec_from_file_location":
      yield node.lineno, "spec_from_file_location"
    elif (isinstance(node, ast.Attribute) and node.attr in ("insert", "append")
          and ast.unparse(node.value) == "sys.path"):
      yield node.lineno, f"sys.path.{node.attr}"
    elif isinstance(node, ast.ImportFrom) and any(
        a.name == "spec_from_file_location" for a in node.names):
      yield node.lineno, "spec_from_file_location"


@pytest.mark.parametrize("folder", CODE_FOLDERS)
def test_code_finds_code_by_import_not_by_path(folder):
  hacks = [f"{path.relative_to(REPO)}:{line} {what}"
           for path in _code_files(folder) for line, what in _path_hacks(path)]
  assert not hacks, f"import these as packages instead: {hacks}"
