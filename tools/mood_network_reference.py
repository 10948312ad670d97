r"""What jmer's port of Essentia's fine-tuned mood networks is checked against, with TensorFlow.

Two references, both used by tests/pretrained/test_mood_networks.py (TensorFlow is used here and
there only, never when jmer computes features):

* `run_tfjs_graph`: a mood network's own TF.js graph (`model.json`'s nodes are a GraphDef in
  JSON), its constants filled from the weight file, run by TensorFlow: what Essentia computes.
* `msd_musicnn_tensors`: Essentia's `msd-musicnn-1.pb` (av_heads/, the network the mood networks
  were fine-tuned from) with its batch norms folded the way the TF.js converter folded the mood
  networks' (scale = gamma / sqrt(variance + epsilon), offset = beta - mean * scale), under the
  mood networks' tensor names: substituted into a mood network where the names match, it must
  give MSD-musicnn's embedding through jmer's mapping, and `differing_tensors` lists which of a
  mood network's tensors it changed.

  python tools/mood_network_reference.py ../shared/data/essentia_models   # prints the check
"""

import argparse
import json
import pathlib

import numpy as np

INPUT = "model/Placeholder:0"  # (batch, 187, 96) musicnn log-mel patches
OUTPUTS = {"mood": "model/Sigmoid:0", "penultimate_relu": "model/dense/Relu:0"}
_FUSED = ("_FusedConv2D", "_FusedMatMul")


def tfjs_graph_def(folder):
  """A TF.js graph model folder as a runnable TF GraphDef (constants filled in)."""
  import tensorflow as tf
  from google.protobuf import json_format
  from tensorflow.python.framework import tensor_util

  from jmer.pretrained import mood_networks
  folder = pathlib.Path(folder)
  topology = json.loads((folder / mood_networks.GRAPH_FILE).read_text())["modelTopology"]
  graph_def = json_format.ParseDict({"node": topology["node"]}, tf.compat.v1.GraphDef())
  values = mood_networks.read_tfjs(folder)
  for node in graph_def.node:
    if node.op == "Const":
      node.attr["value"].tensor.CopyFrom(tensor_util.make_tensor_proto(values[node.name]))
    if node.op in _FUSED:  # the converter dropped the fused ops' argument types
      node.attr["TArgs"].list.type.extend([tf.float32.as_datatype_enum] *
                                          node.attr["num_args"].i)
  return graph_def


def run_tfjs_graph(folder, patches: np.ndarray, fetches=tuple(OUTPUTS)) -> dict:
  """Runs a mood network's own graph on log-mel patches.

  Args:
    folder: the network's TF.js folder.
    patches: float32 (batch, 187, 96).
    fetches: keys of OUTPUTS.

  Returns:
    {fetch: array}.
  """
  import tensorflow as tf
  with tf.Graph().as_default() as graph:
    tf.compat.v1.import_graph_def(tfjs_graph_def(folder), name="")
    with tf.compat.v1.Session(graph=graph) as session:
      values = session.run([OUTPUTS[f] for f in fetches], {INPUT: patches})
  return dict(zip(fetches, values))


def msd_musicnn_tensors(pb_path) -> dict:
  """Essentia's msd-musicnn-1.pb as TF.js-folded tensors under the mood networks' names.

  Args:
    pb_path: the frozen graph.

  Returns:
    {tensor name: float32 array}: the convolutions, `dense/*` (the 200-unit layer) and the 11
    folded batch norms; not the 50-tag layer, which the mood networks do not have.
  """
  import tensorflow as tf
  from tensorflow.python.framework import tensor_util

  graph_def = tf.compat.v1.GraphDef()
  graph_def.ParseFromString(pathlib.Path(pb_path).read_bytes())
  consts = {node.name: tensor_util.MakeNdarray(node.attr["value"].tensor)
            for node in graph_def.node if node.op == "Const"}
  epsilons = {node.name: node.attr["epsilon"].f for node in graph_def.node
              if node.op.startswith("FusedBatchNorm")}
  out = {k: v for k, v in consts.items()
         if k.split("/")[0].startswith("conv2d") or k.startswith("dense/")}
  for index in range(11):
    name = "batch_normalization" + (f"_{index}" if index else "")
    gamma, beta, mean, var = (consts[f"{name}/{v}"].astype(np.float64) for v in
                              ("gamma", "beta", "moving_mean", "moving_variance"))
    if index >= 9:  # tf.layers' non-fused batch norm on (batch, units)
      epsilon, names = float(consts[f"model/{name}/batchnorm/add/y"]), ("batchnorm/mul",
                                                                         "batchnorm/sub")
    else:
      epsilon = epsilons[f"model/{name}/FusedBatchNorm"]
      names = ("FusedBatchNormV3/Scaled", "FusedBatchNormV3/Offset")
    scale = gamma / np.sqrt(var + epsilon)
    out[f"model/{name}/{names[0]}"] = scale
    out[f"model/{name}/{names[1]}"] = beta - mean * scale
  return {k: np.asarray(v, np.float32) for k, v in out.items()}


def differing_tensors(mood_tensors: dict, msd_tensors: dict, atol: float = 1e-5) -> dict:
  """Which float tensors of a mood network differ from MSD-musicnn's.

  Returns:
    {'same': [...], 'differ': [...], 'new': [...]}: names shared with equal values (within
    atol), shared with other values, and the mood network's own (no MSD tensor of that name
    and shape).
  """
  groups = {"same": [], "differ": [], "new": []}
  for name, array in mood_tensors.items():
    if array.dtype.kind != "f":
      continue
    if name not in msd_tensors or msd_tensors[name].shape != array.shape:
      groups["new"].append(name)
    else:
      equal = np.allclose(array, msd_tensors[name], rtol=0, atol=atol)
      groups["same" if equal else "differ"].append(name)
  return groups


def main():
  from jmer.pretrained import mood_networks
  parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
  parser.add_argument("models_dir", type=pathlib.Path, help="essentia_models/")
  args = parser.parse_args()
  msd = msd_musicnn_tensors(args.models_dir / "av_heads" / "msd-musicnn-1.pb")
  for mood in mood_networks.MOODS:
    tensors = mood_networks.read_tfjs(mood_networks.network_dir(
        mood, args.models_dir / "mood_networks"))
    groups = differing_tensors(tensors, msd)
    print(mood, {k: len(v) for k, v in groups.items()}, "new:", groups["new"])


if __name__ == "__main__":
  main()
