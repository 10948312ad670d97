"""Reference outputs of the ORIGINAL musicnn graphs, for the equivalence tests of jmer's ports.

`musicnn` (the default) writes tests/pretrained/reference/musicnn_reference.npz for tests/pretrained/test_musicnn.py: real
log-mel patches and what MSD_musicnn / MTT_musicnn output for them. `vgg` writes
tests/pretrained/reference/vgg_reference.npz for tests/pretrained/test_vgg.py: what MSD_vgg / MTT_vgg output for the SAME
patches, read from the committed musicnn_reference.npz (so the inputs are stored once, and the
musicnn reference is not rewritten).

Runs musicnn 0.1.0's own TF1 code (not jmer's port) in a separate environment, because the
package needs TF1-style graph mode and cannot be imported beside jmer's Keras 3:

  python3 -m venv /tmp/musicnn_ref_venv
  /tmp/musicnn_ref_venv/bin/pip install 'tensorflow-cpu==2.21.*' librosa
  /tmp/musicnn_ref_venv/bin/pip install --no-deps tf-keras==2.21.0
  TF_USE_LEGACY_KERAS=1 PYTHONPATH=/tmp/musicnn_whl/unpacked:. \
    /tmp/musicnn_ref_venv/bin/python tools/musicnn_reference.py [musicnn|vgg]

(Any Python with tensorflow 2.x, librosa and tf-keras of the same version works, e.g. jmer's own
venv with `pip install --no-deps tf-keras==<its TF version> --target /tmp/tfk` on PYTHONPATH.)

The original's `extractor` casts mel energies to float16 (inf on loud bins), so the stored
reference feeds the original graph the float32 log-mel patches of jmer.data.musicnn_input; the
end-to-end `extractor()` is run as well, on a quiet copy of a clip where both paths agree, to
check that jmer's input features are musicnn's.
"""

import argparse
import os
import pathlib
import sys
import tempfile

# oneDNN's reordered float32 sums move the reference ~3x further from plain Eigen/XLA results.
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

import numpy as np  # noqa: E402 (the environment must be set before TensorFlow loads)
import soundfile as sf  # noqa: E402
import tensorflow as tf  # noqa: E402

from musicnn import configuration, extractor, models  # noqa: E402 (the unpacked wheel)

from jmer.data import musicnn_input  # noqa: E402

REPO = pathlib.Path(__file__).resolve().parents[1]
# The real data: $JMER_DATA, else the shared data beside the repo (as tests look for it).
DATA = pathlib.Path(os.environ.get("JMER_DATA") or REPO.parent / "shared/data")
# (clip, first patch, patches): a quiet classical piece, a loud metal one, a 4Q pop-rock preview.
CLIPS = (("gtzan_samples/classical/classical.00000.wav", 2, 2),
         ("gtzan_samples/metal/metal.00000.wav", 4, 2),
         ("4q_dev/Q1/MT0000082187.mp3", 1, 2))
OUTPUT = REPO / "tests/pretrained/reference/musicnn_reference.npz"
VGG_OUTPUT = REPO / "tests/pretrained/reference/vgg_reference.npz"


def run_original_graph(patches: np.ndarray, model: str = "MSD_musicnn") -> dict:
  """Feeds float32 log-mel patches to musicnn's own graph and checkpoint (inference mode)."""
  tf.compat.v1.reset_default_graph()
  x = tf.compat.v1.placeholder(tf.float32, [None, patches.shape[1], configuration.N_MELS])
  is_training = tf.compat.v1.placeholder(tf.bool)
  logits, _, _, _, _, _, mean_pool, max_pool, penultimate = models.define_model(
      x, is_training, model, 50)
  with tf.compat.v1.Session() as session:
    tf.compat.v1.train.Saver().restore(
        session, str(pathlib.Path(models.__file__).parent / model) + "/")
    taggram, penultimate_, mean_, max_ = session.run(
        [tf.nn.sigmoid(logits), penultimate, mean_pool, max_pool],
        feed_dict={x: patches, is_training: False})
  return {"taggram": taggram, "penultimate": penultimate_, "mean_pool": mean_, "max_pool": max_}


def run_original_vgg_graph(patches: np.ndarray, model: str = "MSD_vgg") -> dict:
  """Feeds float32 log-mel patches to musicnn's own VGG graph and checkpoint (inference mode).

  Besides the tags and `pool5` (flattened, as the dense layer reads it), returns the mean and
  max over the last batch norm's whole (11, 6) map, which models.vgg does not return: it is
  read from the graph as pool5's input.
  """
  tf.compat.v1.reset_default_graph()
  x = tf.compat.v1.placeholder(tf.float32, [None, patches.shape[1], configuration.N_MELS])
  is_training = tf.compat.v1.placeholder(tf.bool)
  logits, _, _, _, _, pool5 = models.define_model(x, is_training, model, 50)
  bn_conv5 = pool5.op.inputs[0]  # the input of pool5's max-pool op
  with tf.compat.v1.Session() as session:
    tf.compat.v1.train.Saver().restore(
        session, str(pathlib.Path(models.__file__).parent / model) + "/")
    taggram, pool5_, mean_, max_ = session.run(
        [tf.nn.sigmoid(logits), tf.compat.v1.layers.flatten(pool5),
         tf.reduce_mean(bn_conv5, axis=[1, 2]), tf.reduce_max(bn_conv5, axis=[1, 2])],
        feed_dict={x: patches, is_training: False})
  return {"taggram": taggram, "pool5": pool5_, "mean_pool": mean_, "max_pool": max_}


def check_extractor_end_to_end(clip: pathlib.Path):
  """Runs the original extractor on a quiet 16 kHz copy of `clip` and compares with jmer's path.

  Quiet (peak 0.1) keeps every mel bin far below float16's overflow. The first patch is left
  out: the original's librosa >= 0.10 pads the first frame with zeros, jmer with 'reflect'.
  """
  wave = musicnn_input.audio.load_audio(clip, musicnn_input.SAMPLE_RATE)
  wave = 0.1 * wave / np.max(np.abs(wave))
  with tempfile.TemporaryDirectory() as tmp:
    path = pathlib.Path(tmp) / "quiet.wav"
    sf.write(path, wave, musicnn_input.SAMPLE_RATE, subtype="FLOAT")
    taggram, _, features = extractor.extractor(str(path), model="MSD_musicnn",
                                               extract_features=True)
  ours = run_original_graph(musicnn_input.patches(musicnn_input.log_mel(wave)))
  diff = np.max(np.abs(taggram[1:] - ours["taggram"][1:]))
  # Not 'penultimate' (nor cnn1..3): the original extractor concatenates the FIRST patch's
  # values for every later patch (it unpacks them as `backend_`, then appends `penultimate_`).
  pool_diff = np.max(np.abs(features["mean_pool"][1:] - ours["mean_pool"][1:]))
  print(f"extractor() vs jmer features -> original graph on {clip.name} (quiet): "
        f"max |taggram diff| {diff:.2e}, max |mean_pool diff| {pool_diff:.2e}")


def show_float16_overflow():
  """The original extractor on a full-scale square wave: its float16 cast gives inf features."""
  t = np.arange(3 * 4 * 16000) / 16000
  square = np.sign(np.sin(2 * np.pi * 440 * t)).astype(np.float32)
  with tempfile.TemporaryDirectory() as tmp:
    path = pathlib.Path(tmp) / "square.wav"
    sf.write(path, square, 16000, subtype="FLOAT")
    _, spectrogram = extractor.batch_data(str(path), 187, 187)
  ours = musicnn_input.log_mel(square)
  print(f"square wave: original log-mel has {np.sum(~np.isfinite(spectrogram))} non-finite bins; "
        f"jmer's float32 log-mel max {ours.max():.2f}, all finite: {np.all(np.isfinite(ours))}")


def check_vgg_extractor_end_to_end(clip: pathlib.Path):
  """The original extractor with MSD_vgg on a quiet 16 kHz copy of `clip` vs jmer's path (as
  check_extractor_end_to_end, here for the taggram and every patch's pool5)."""
  wave = musicnn_input.audio.load_audio(clip, musicnn_input.SAMPLE_RATE)
  wave = 0.1 * wave / np.max(np.abs(wave))
  with tempfile.TemporaryDirectory() as tmp:
    path = pathlib.Path(tmp) / "quiet.wav"
    sf.write(path, wave, musicnn_input.SAMPLE_RATE, subtype="FLOAT")
    taggram, _, features = extractor.extractor(str(path), model="MSD_vgg", extract_features=True)
  ours = run_original_vgg_graph(musicnn_input.patches(musicnn_input.log_mel(wave)))
  diff = np.max(np.abs(taggram[1:] - ours["taggram"][1:]))
  pool5 = features["pool5"].reshape(len(taggram), -1)
  pool_diff = np.max(np.abs(pool5[1:] - ours["pool5"][1:]))
  print(f"MSD_vgg extractor() vs jmer features -> original graph on {clip.name} (quiet): "
        f"max |taggram diff| {diff:.2e}, max |pool5 diff| {pool_diff:.2e}")


def write_vgg_reference():
  """The VGG networks' outputs for the committed musicnn reference patches -> VGG_OUTPUT."""
  stored = np.load(OUTPUT)
  inputs, sources = stored["log_mel"], stored["sources"]
  outputs = {}
  for model, prefix in (("MSD_vgg", "msd"), ("MTT_vgg", "mtt")):
    for name, value in run_original_vgg_graph(inputs, model).items():
      outputs[f"{prefix}_{name}"] = value.astype(np.float32)
  np.savez_compressed(VGG_OUTPUT, sources=sources, **outputs)
  print(f"wrote {VGG_OUTPUT} ({VGG_OUTPUT.stat().st_size / 1e3:.0f} kB): {len(sources)} patches "
        f"of {OUTPUT.name}")
  for i, source in enumerate(sources):
    msd, mtt = outputs["msd_taggram"][i], outputs["mtt_taggram"][i]
    print(f"  {source}: MSD_vgg {[configuration.MSD_LABELS[j] for j in np.argsort(msd)[::-1][:3]]}"
          f" MTT_vgg {[configuration.MTT_LABELS[j] for j in np.argsort(mtt)[::-1][:3]]}")
  check_vgg_extractor_end_to_end(DATA / CLIPS[0][0])


def main():
  parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
  parser.add_argument("networks", nargs="?", choices=("musicnn", "vgg"), default="musicnn")
  if parser.parse_args().networks == "vgg":
    write_vgg_reference()
    return 0
  inputs, sources = [], []
  for relative, first, count in CLIPS:
    log_mel = musicnn_input.load_log_mel(DATA / relative)
    inputs.append(musicnn_input.patches(log_mel)[first:first + count])
    sources += [f"{relative}#patch{first + i}" for i in range(count)]
  inputs = np.concatenate(inputs).astype(np.float32)
  outputs = run_original_graph(inputs)
  outputs["mtt_taggram"] = run_original_graph(inputs, "MTT_musicnn")["taggram"]
  OUTPUT.parent.mkdir(parents=True, exist_ok=True)
  np.savez_compressed(OUTPUT, log_mel=inputs, sources=np.array(sources),
                      **{name: value.astype(np.float32) for name, value in outputs.items()})
  print(f"wrote {OUTPUT} ({OUTPUT.stat().st_size / 1e3:.0f} kB): {len(sources)} patches")
  for source, msd, mtt in zip(sources, outputs["taggram"], outputs["mtt_taggram"]):
    print(f"  {source}: MSD {[configuration.MSD_LABELS[i] for i in np.argsort(msd)[::-1][:3]]}"
          f" MTT {[configuration.MTT_LABELS[i] for i in np.argsort(mtt)[::-1][:3]]}")
  check_extractor_end_to_end(DATA / CLIPS[0][0])
  show_float16_overflow()
  return 0


if __name__ == "__main__":
  sys.exit(main())
