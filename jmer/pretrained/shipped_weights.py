"""The shipped pretrained weights files (jmer/resources/musicnn/): finding them, their tag names,
and copying them into a network built with any subset of its outputs.

Shared by the musicnn and VGG ports, whose `PRETRAINED` tables map a training set ('msd',
'mtt') to (weights file name, tag names).
"""

import functools
import importlib.resources


def weights_path(table: dict, dataset: str):
  """A context manager giving the filesystem path of `table[dataset]`'s weights file.

  Args:
    table: {dataset: (weights file name, tag names)}.
    dataset: 'msd' or 'mtt'.

  Returns:
    A context manager whose value is the weights file's pathlib.Path.

  Raises:
    ValueError naming the known training sets when `dataset` is not one of them.
  """
  if dataset not in table:
    raise ValueError(f"dataset must be one of {sorted(table)}, got {dataset!r}")
  resource = importlib.resources.files("jmer") / "resources" / "musicnn" / table[dataset][0]
  return importlib.resources.as_file(resource)


def tag_names(table: dict, dataset: str) -> tuple:
  """The tag names, in the order of the 'tags' output, of `table[dataset]`.

  Args:
    table: {dataset: (weights file name, tag names)}.
    dataset: 'msd' or 'mtt'.

  Returns:
    A tuple of tag names.

  Raises:
    ValueError: `dataset` is not in `table`.
  """
  if dataset not in table:
    raise ValueError(f"dataset must be one of {sorted(table)}, got {dataset!r}")
  return table[dataset][1]


@functools.lru_cache(maxsize=8)
def _weights_by_layer(build_full, table_key: tuple, dataset: str) -> dict:
  """{layer name: weight arrays} of a shipped network, read once per process: building the
  full network to read the file is most of a first prediction's set-up."""
  full = build_full()
  with weights_path(dict(table_key), dataset) as path:
    full.load_weights(path)
  return {layer.name: layer.get_weights() for layer in full.layers if layer.weights}


def copy_into(model, build_full, table: dict, dataset: str, family: str):
  """Sets every weighted layer of `model` from the shipped network of the same layer name.

  Args:
    model: a network built by the family's builder (any subset of its outputs).
    build_full: a no-argument function building the full network in the file's layout.
    table: the family's PRETRAINED table; dataset: its key ('msd' or 'mtt').
    family: the family's name, for the error message.
  Returns:
    `model`, loaded.
  Raises:
    ValueError naming a layer the shipped network does not have.
  """
  source = _weights_by_layer(build_full, tuple(table.items()), dataset)
  for layer in model.layers:
    if not layer.weights:
      continue
    if layer.name not in source:
      raise ValueError(f"layer {layer.name!r} is not part of {family}")
    layer.set_weights(source[layer.name])
  return model
