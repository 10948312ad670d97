r"""Converts Essentia's arousal/valence regressors (TF frozen graphs) into jmer's numpy heads.

The MTG's `deam-musicnn-msd-1.pb` and `emomusic-musicnn-msd-1.pb` (MTG Essentia, Universitat
Pompeu Fabra 2019-2020; licence: the LICENSE beside them) each compute, on one 200-d MSD-musicnn
pre-ReLU embedding, a batch norm in inference form and a 200 -> 2 dense layer with no activation.
This one-off tool checks that each graph is exactly that, reads its constants with TensorFlow,
puts the output columns in the order (arousal, valence) (COLUMNS below: the EmoMusic graph
outputs valence first), checks that jmer.pretrained.essentia_heads then computes what the graph
does on random inputs, and writes jmer/resources/essentia/av_heads.npz with the LICENSE and a
NOTICE naming the source files.

  python tools/convert_essentia_heads.py ../shared/data/essentia_models

The functions that load and run a frozen graph are also what the tests compare jmer against
(tests/pretrained/test_essentia_heads.py); TensorFlow is used here and there only, never when
jmer predicts.
"""

import argparse
import collections
import hashlib
import pathlib
import shutil

import numpy as np

REPO = pathlib.Path(__file__).resolve().parents[1]
OUTPUT_DIR = REPO / "jmer" / "resources" / "essentia"
# Head -> (its .pb under the models folder, the arousal/valence meaning of its two columns),
# found from data (experiments/results/av_heads/AV_HEADS.md, "Which column is arousal"): on
# 4q_dev, DEAM's column 0 and EmoMusic's column 1 track the arousal side best (AUC 0.94 both),
# and among high-arousal clips (Q1 vs Q2) DEAM's column 1 and EmoMusic's column 0 are the ones
# that rise with valence (AUC 0.69 and 0.82; the other columns 0.29, falling with it).
SOURCES = {
    "deam": ("av_heads/deam-musicnn-msd-1/deam-musicnn-msd-1.pb", ("arousal", "valence")),
    "emomusic": ("av_heads/emomusic-musicnn-msd-1/emomusic-musicnn-msd-1.pb",
                 ("valence", "arousal")),
}
INPUT = "flatten_in_input:0"  # (batch, 1, 200): one embedding per row
OUTPUT = "dense_out:0"
# The ops a head graph may hold beyond constants: the flatten of its input, the batch norm's
# reshapes and arithmetic, and the dense layer. Anything else (an activation) is refused.
EXPECTED_OPS = collections.Counter({
    "Placeholder": 1, "Shape": 2, "StridedSlice": 1, "Pack": 1, "Reshape": 5, "AddV2": 2,
    "Rsqrt": 1, "Mul": 3, "Sub": 1, "MatMul": 1, "Add": 1})


def load_graph_def(path):
  """The GraphDef of a frozen TF graph (.pb)."""
  import tensorflow as tf
  graph_def = tf.compat.v1.GraphDef()
  graph_def.ParseFromString(pathlib.Path(path).read_bytes())
  return graph_def


def run_graph(path, feeds: dict, fetches: list) -> list:
  """Runs a frozen graph once: {tensor name: array} in, the named tensors' values out.

  Args:
    path: the .pb file.
    feeds: {input tensor name ('model/Placeholder:0'): array}.
    fetches: output tensor names.

  Returns:
    A list of arrays, one per fetch.
  """
  import tensorflow as tf
  with tf.Graph().as_default() as graph:
    tf.compat.v1.import_graph_def(load_graph_def(path), name="")
    with tf.compat.v1.Session(graph=graph) as session:
      return session.run(fetches, feeds)


def head_arrays(path) -> dict:
  """The arrays of one head graph, named as jmer.pretrained.essentia_heads.ARRAYS, in the
  graph's own column order; ValueError if the graph is not batch norm + linear dense."""
  from tensorflow.python.framework import tensor_util
  graph_def = load_graph_def(path)
  ops = collections.Counter(node.op for node in graph_def.node if node.op != "Const")
  if ops != EXPECTED_OPS:
    raise ValueError(f"{path}: ops {dict(ops)} are not batch norm + dense {dict(EXPECTED_OPS)}")
  consts = {node.name: tensor_util.MakeNdarray(node.attr["value"].tensor)
            for node in graph_def.node if node.op == "Const"}
  prefixed = lambda prefix: next(v for k, v in consts.items() if k.startswith(prefix))
  return dict(gamma=consts["scale"], beta=consts["bias"], moving_mean=consts["mean"],
              moving_variance=consts["var"],
              epsilon=consts["onnx_tf_prefix_batch_normalization/add/y"],
              kernel=prefixed("dense_out/kernel"), bias=prefixed("dense_out/bias"))


def in_jmer_order(arrays: dict, columns: tuple) -> dict:
  """The arrays with the dense layer's columns reordered to (arousal, valence)."""
  order = [columns.index(name) for name in ("arousal", "valence")]
  return dict(arrays, kernel=arrays["kernel"][:, order], bias=arrays["bias"][order])


def convert(models_dir: pathlib.Path, output_dir: pathlib.Path = OUTPUT_DIR) -> dict:
  """Writes av_heads.npz, LICENSE and NOTICE into `output_dir`; returns {head: sha256 of .pb}."""
  stored, digests = {}, {}
  for head, (relative, columns) in SOURCES.items():
    path = models_dir / relative
    digests[head] = hashlib.sha256(path.read_bytes()).hexdigest()
    arrays = in_jmer_order(head_arrays(path), columns)
    stored.update({f"{head}.{name}": np.asarray(value, np.float32)
                   for name, value in arrays.items()})
  output_dir.mkdir(parents=True, exist_ok=True)
  np.savez(output_dir / "av_heads.npz", **stored)
  shutil.copyfile(models_dir / "LICENSE", output_dir / "LICENSE")
  (output_dir / "NOTICE").write_text(notice(digests))
  return digests


def check(models_dir: pathlib.Path, samples: int = 256) -> dict:
  """Largest |jmer - graph| of each converted head on random embeddings (the output read back
  through jmer.pretrained.essentia_heads, so the check covers the file and the code)."""
  from jmer.pretrained import essentia_heads
  essentia_heads.load.cache_clear()
  embeddings = np.random.default_rng(0).normal(0.0, 3.0, (samples, 200)).astype(np.float32)
  errors = {}
  for head, (relative, columns) in SOURCES.items():
    (graph,) = run_graph(models_dir / relative, {INPUT: embeddings[:, None]}, [OUTPUT])
    graph = graph[:, [columns.index("arousal"), columns.index("valence")]]
    errors[head] = float(np.abs(essentia_heads.load(head).ratings(embeddings) - graph).max())
  return errors


def notice(digests: dict) -> str:
  """The NOTICE text: what the files are, where they come from, and under which licence."""
  sources = "\n".join(f"  - {SOURCES[head][0].split('/')[-1]} (sha256 {digest}),\n    output "
                      f"columns ({', '.join(SOURCES[head][1])})"
                      for head, digest in digests.items())
  return f"""av_heads.npz: arousal/valence regressors by the Music Technology Group (MTG),
Universitat Pompeu Fabra, for Essentia (https://essentia.upf.edu), author Xavier Lizarraga
(2022): a batch norm and a 200 -> 2 dense layer over the MSD-musicnn embedding (Essentia's
model/dense/BiasAdd).
Copyright Universitat Pompeu Fabra 2019-2020.

Converted by jmer's tools/convert_essentia_heads.py from the frozen TensorFlow graphs
{sources}
published by the MTG for Essentia, in the copies of GitHub's qiaoyx3170/Music-Emotion-Prediction
@ 38afc3f (essentia-models/). The conversion is a change of format only:
the same constants, stored as float32 arrays ('<head>.gamma', '.beta', '.moving_mean',
'.moving_variance', '.epsilon', '.kernel', '.bias'), with the two output columns put in the order
(arousal, valence) for both heads. DEAM: 1,802 songs (Aljanaki, Yang & Soleymani 2017);
EmoMusic: "1000 songs for emotional analysis of music" (Soleymani et al. 2013).

Licence: see LICENSE, copied unchanged from the source folder. Its text is the Creative Commons
Attribution-NonCommercial-NoDerivatives 4.0 International Public License (its summary links
the BY-NC-SA 4.0 legal code): non-commercial use, with attribution. For commercial use the MTG
offers the models under a proprietary licence (https://www.upf.edu/web/mtg/contact).
"""


def main():
  parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
  parser.add_argument("models_dir", type=pathlib.Path,
                      help="the essentia_models folder (holds LICENSE and av_heads/)")
  parser.add_argument("--output_dir", type=pathlib.Path, default=OUTPUT_DIR)
  args = parser.parse_args()
  for head, digest in convert(args.models_dir, args.output_dir).items():
    print(f"{head}: {SOURCES[head][0]} (sha256 {digest[:12]})")
  if args.output_dir == OUTPUT_DIR:
    for head, error in check(args.models_dir).items():
      print(f"{head}: largest |jmer - graph| on random embeddings {error:.2e}")


if __name__ == "__main__":
  main()
