r"""Predict genre and emotion for any audio file with a trained (exported) jmer model.

  python -m jmer.predict song.mp3                 # the shipped real-music model
  python -m jmer.predict --workdir=runs/mtl song.mp3 other.wav folder/ [--timeline]
  python -m jmer.predict --model=model.keras song.flac --format=json --top-k=5

Long files are streamed: audio is decoded in blocks, resampled block by block (soxr's streaming
resampler gives the same samples as resampling the whole file), turned into features a few
segments at a time with enough context on both sides that every frame equals the whole-file
computation, tiled into segments exactly like evaluation tiles a track (segments.eval_starts;
both steps: jmer.inference.streamed_features), and predicted batch by batch while a background thread prepares the next batch. Only running
sums are kept, so memory does not grow with the file's length.

A model file holding temperatures (its metadata's `calibration`) gets each class head's
probabilities calibrated, softmax(log p / T), wherever they are shown (file and segments, every
format); the result then says `calibrated: true` and the temperatures.

Bad files fail one by one with `path: reason` on stderr; the others are still predicted, and
the exit code is 1 if any failed (decoding and its checks: jmer.inference.decode).
"""

import queue
import sys
import threading
import warnings

import numpy as np

from jmer.data import musicnn_features
from jmer.evaluation import calibration
from jmer.inference import av_regressor
from jmer.inference import musicnn_engine
from jmer.inference import task_fields
from jmer.inference.decode import decoded_blocks  # noqa: F401  (part of this module's API)
from jmer.inference import streamed_features
from jmer.inference.streamed_features import feature_blocks
from jmer.inference.streamed_features import segments_and_windows
from jmer.inference.streamed_features import timeline_frames
from jmer.inference.streamed_features import tiled_segments
from jmer.models import model_file

BATCH_SIZE = 16  # segments per model call; fixed so the jitted function compiles once
# A clip shorter than min_judged_seconds is answered with a warning (too_short), not silently.
# Under half a segment, more than half of what the model sees is padding (silence for log-mels,
# zero embeddings for musicnn) of a kind it never met in training: the shipped model (30 s
# segments, trained on 30 s previews) wants 15 s. Never under 3 s, musicnn's patch: below it not
# one patch holds only real audio, and a model with short segments (configs/test.py: 3 s) still
# needs a musical phrase, not a note, to say what a song is.
MIN_JUDGED_SECONDS = 3.0


def _batches(items, batch_size: int):
  """Groups (kind, start, frames, x) items into ([(kind, start, frames)], stacked x) batches."""
  keys, xs = [], []
  for kind, start, frames, x in items:
    keys.append((kind, start, frames))
    xs.append(x)
    if len(xs) == batch_size:
      yield keys, {n: np.stack([x[n] for x in xs]) for n in xs[0]}
      keys, xs = [], []
  if xs:
    yield keys, {n: np.stack([x[n] for x in xs]) for n in xs[0]}


def _prefetched(iterable, size: int = 2):
  """Runs `iterable` in a thread, `size` items ahead: decoding overlaps the model's work."""
  items, end = queue.Queue(maxsize=size), object()

  def produce():
    try:
      for item in iterable:
        items.put((item, None))
      items.put((end, None))
    except BaseException as error:  # re-raised in the consumer, with the file's name
      items.put((end, error))

  threading.Thread(target=produce, daemon=True).start()
  while True:
    item, error = items.get()
    if error is not None:
      raise error
    if item is end:
      return
    yield item


def predict_batch(bundle, x: dict, batch_size: int = BATCH_SIZE) -> dict:
  """The model's outputs for a batch, padded to `batch_size` so every call has one shape.

  Args:
    bundle: the loaded model (jmer.models.model_file.load_model_bundle).
    x: {feature name: (n, ...) array} of n <= batch_size segments.
    batch_size: the batch the model is called with.
  Returns:
    {head: (n, dim) array}, the padding rows dropped.
  """
  n = len(next(iter(x.values())))
  padded = {k: np.concatenate([v, np.zeros((batch_size - n,) + v.shape[1:], v.dtype)])
            if n < batch_size else v for k, v in x.items()}
  out = _heads(bundle)(padded)
  return {k: np.asarray(v)[:n] for k, v in out.items()}


def _heads(bundle):
  """The model's batch function: for the fast path an exported program (no Keras in a process
  that has predicted with this model before: jmer.inference.exported), else Keras'."""
  if engine_of(bundle) is None:
    return bundle.model.predict_on_batch
  if "heads" not in bundle.derived:
    from jmer.inference import exported
    bundle.derived["heads"] = exported.head_function(bundle)
  return bundle.derived["heads"]


def engine_of(bundle):
  """The model's fast path (jmer.inference.musicnn_engine.Engine) when all its inputs are
  frozen musicnn embeddings on one patch grid, else None; made once per bundle."""
  if "engine" not in bundle.derived:
    engine = None
    if musicnn_engine.applies(bundle.params):
      extra = {}
      if av_feature := av_regressor.feature_of(bundle):
        extra[av_feature] = (av_regressor.PRERELU,)
      if tag_network(bundle):
        extra["musicnn"] = extra.get("musicnn", ()) + (musicnn_engine.TAGS,)
      engine = musicnn_engine.Engine(bundle.params, extra)
    bundle.derived["engine"] = engine
  return bundle.derived["engine"]


def _summary(bundle, mean: dict) -> dict:
  """What each head says about a file or segment (jmer.tasks: genres, arousal, quadrant, ...),
  a class head's probabilities calibrated with the model's temperature for it, if it has one."""
  out, temperatures = {}, bundle.temperatures
  for name in bundle.output_names:
    values = mean[name]
    if name in temperatures:
      values = calibration.apply_temperature(values, temperatures[name])
    out.update(task_fields.of_head(name).fields(
        values, bundle.class_names(name), bundle.meta, bundle.output_names))
  return out


def tag_network(bundle):
  """The musicnn network whose tags the model's cached embeddings give ('msd'), or None."""
  params = bundle.params.get("musicnn")  # the MSD musicnn feature: its tags are MSD's
  if params and musicnn_features.is_embedding(params):
    return params["network"]
  return None


def predict_file(bundle, path, timeline: bool = False, batch_size: int = BATCH_SIZE,
                 top_k: int = 3) -> dict:
  """Track-level predictions for one audio file (segment outputs averaged over the track).

  Args:
    bundle: a loaded model (jmer.models.model_file.load_model_bundle).
    path: an audio file.
    timeline: add the timeline: one entry per window of ~10 s every ~3 s
      (streamed_features.timeline_frames)
      with its start/end seconds and what the model says of that window alone.
    batch_size: segments per model call.
    top_k: how many genres (and musicnn tags) the ranked lists keep.
  Returns:
    {'file', 'duration_seconds', 'segments', 'too_short' and 'warning' (length_warning),
    'source_sample_rate', 'source_channels', 'genres' (top_k, best first), 'genre_probabilities',
    'quadrant', 'quadrant_probabilities', 'arousal', 'valence', 'av_source', ...} for the heads
    the model has (arousal/valence from a regressor for a quadrant-head model reading frozen
    MSD-musicnn: jmer.inference.av_regressor); 'calibrated' (true) and 'temperatures'
    ({head: T}) for a model with temperatures, whose probabilities are then calibrated; 'tags'
    (top_k musicnn tags) for models with a frozen musicnn branch; 'timeline' when asked.
  Raises:
    AudioError naming the file.
  """
  source = {}
  result = predict_waves(bundle, decoded_blocks(path, bundle.meta["sample_rate"], source=source),
                         timeline=timeline, batch_size=batch_size, top_k=top_k, path=path)
  return dict(file=str(path), **result, source_sample_rate=source["sample_rate"],
              source_channels=source["channels"])


def predict_waves(bundle, waves, *, timeline: bool = False, batch_size: int = BATCH_SIZE,
                  top_k: int = 3, path="input") -> dict:
  """Predicts on audio given as blocks of samples.

  Args:
    bundle: the loaded model and its metadata (jmer.models.model_file.load_model_bundle).
    waves: iterable of mono float32 sample blocks at the model's sample rate (Hz, in
      bundle.meta["sample_rate"]).
    timeline: add the timeline (predict_file).
    batch_size: segments per model call.
    top_k: genres listed per prediction.
    path: what to call the audio in errors.

  Returns:
    predict_file's result without the file fields.
  """
  engine = engine_of(bundle)
  if engine is not None:
    prepared = engine.prepare(waves, path)
    return predict_prepared(bundle, prepared, engine.embed(prepared.patches), timeline=timeline,
                            batch_size=batch_size, top_k=top_k)
  tally = streamed_features.InputTally(tag_network(bundle), av_regressor.feature_of(bundle))
  length = bundle.meta["segment_frames"]
  feats = tally.tagged(feature_blocks(tally.counted(waves), bundle.params,
                                      block_frames=max(length, bundle.hop_frames) * 3, path=path,
                                      patch_outputs=tally.patch_outputs))
  return _predict_features(bundle, feats, tally, timeline, batch_size, top_k)


def predict_prepared(bundle, prepared, embedded: dict, *, timeline: bool = False,
                     batch_size: int = BATCH_SIZE, top_k: int = 3) -> dict:
  """predict_waves' result for a file on the fast path, from its prepared input and its
  patches' network outputs (musicnn_engine.Engine.prepare and .embed).

  Returns:
    predict_file's result without the file fields.
  """
  engine = engine_of(bundle)
  tally = streamed_features.InputTally(tag_network(bundle), av_regressor.feature_of(bundle))
  tally.samples = prepared.samples
  if tally.tag_network:
    tally.tag_sum = engine.tag_sum(prepared, embedded["musicnn"][musicnn_engine.TAGS])
    tally.tag_frames = prepared.n_frames
  if tally.av_feature:
    tally.patch_outputs[tally.av_feature].update(
        {av_regressor.PRERELU: embedded[tally.av_feature][av_regressor.PRERELU],
         "patch_starts": prepared.starts})
  feats = iter([engine.frame_features(prepared, embedded)])
  return _predict_features(bundle, feats, tally, timeline, batch_size, top_k)


def _predict_features(bundle, feats, tally, timeline: bool, batch_size: int, top_k: int):
  """predict_waves' result from the stream of feature blocks `feats` and what `tally` holds."""
  meta = bundle.meta
  sr, hop_length = meta["sample_rate"], meta["hop_length"]
  items = _model_inputs(bundle, feats, timeline)
  sums, count, rows = _predict_segments(bundle, items, batch_size)
  duration = tally.samples / sr
  result = dict(duration_seconds=round(duration, 3), segments=count,
                **length_warning(duration, meta))
  mean = {k: v / count for k, v in sums.items()}
  patch_av = tally.patch_av()
  result.update(_ranked(_summary(bundle, mean), top_k))
  if patch_av:  # the regressor's point replaces the quadrant head's AV estimate
    result.update(av_regressor.fields(patch_av[1].mean(axis=0)))
  if bundle.temperatures:
    result.update(calibrated=True, temperatures=bundle.temperatures)
  if tally.tag_frames:
    result["tags"] = _top_tags(tally, top_k)
  if timeline:
    seconds = hop_length / sr
    result["timeline"] = [
        dict(start=round(s * seconds, 3), end=round(min((s + n) * seconds, duration), 3),
             **_segment_fields(bundle, p, top_k, patch_av, s, n)) for s, n, p in rows]
  return result


def _segment_fields(bundle, outputs: dict, top_k: int, patch_av, start: int, length: int):
  """A timeline row's predictions: the heads' outputs for the window, and the AV regressor's
  point over its patches when there is one (patch_av: _InputTally.patch_av)."""
  fields = _ranked(_summary(bundle, outputs), top_k)
  if patch_av:
    fields.update(av_regressor.fields(av_regressor.segment_av(*patch_av, start, length)))
  return fields


def min_judged_seconds(meta: dict) -> float:
  """The shortest clip a model judges without a warning (see MIN_JUDGED_SECONDS).

  Args:
    meta: the model file's metadata (segment_frames, hop_length, sample_rate).

  Returns:
    Half the model's segment, in seconds, and at least MIN_JUDGED_SECONDS.
  """
  segment = meta["segment_frames"] * meta["hop_length"] / meta["sample_rate"]
  return max(MIN_JUDGED_SECONDS, segment / 2)


def length_warning(duration: float, meta: dict) -> dict:
  """{'too_short': bool, 'warning': text or None} for a clip of `duration` seconds.

  Args:
    duration: the clip's length in seconds.
    meta: the model file's metadata.

  Returns:
    The two result fields; the warning says how long the clip is and the minimum.
  """
  minimum = min_judged_seconds(meta)
  if duration >= minimum:
    return dict(too_short=False, warning=None)
  segment = meta["segment_frames"] * meta["hop_length"] / meta["sample_rate"]
  return dict(too_short=True, warning=(
      f"too short to judge: {duration:.1f} s of audio, under this model's {minimum:g} s minimum "
      f"(it sees {segment:g} s at a time; the rest is padding), so the answer is a guess"))


def _model_inputs(bundle, feats, timeline: bool):
  """The model's inputs for the feature blocks `feats`, lazily: cut and strided as in training.

  Returns:
    An iterator of (kind, start frame, frames, {feature: (segment_frames // stride, ...)}):
    kind "segment" for the segments the file's verdict averages (as evaluation tiles a
    track), and with `timeline` also "window" for the timeline's windows
    (streamed_features.timeline_frames).
  """
  length = bundle.meta["segment_frames"]
  strides = {n: model_file.input_stride(bundle.meta, n) for n in bundle.params}
  if timeline:
    items = segments_and_windows(feats, length, bundle.hop_frames,
                                 *timeline_frames(bundle.meta))
  else:
    items = (("segment", s, length, x) for s, x in tiled_segments(feats, length,
                                                                  bundle.hop_frames))
  return ((kind, start, frames, {n: v[::strides[n]] for n, v in x.items()})  # as trained
          for kind, start, frames, x in items)


def _predict_segments(bundle, items, batch_size: int) -> tuple:
  """Runs the model over all segments and timeline windows, batch by batch.

  Returns:
    (sums, count, rows): per head the float64 sum of its outputs over the segments, the number
    of segments, and one (start frame, frames, {head: output}) row per timeline window.
  """
  sums, count, rows = {}, 0, []
  with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # librosa/mpg123 chatter; real problems raise
    for keys, x in _prefetched(_batches(items, batch_size)):
      preds = predict_batch(bundle, x, batch_size)
      segment = np.array([kind == "segment" for kind, _, _ in keys])
      for k, v in preds.items():
        sums[k] = sums.get(k, 0.0) + v[segment].astype(np.float64).sum(axis=0)
      count += int(segment.sum())
      rows += [(s, n, {k: v[i] for k, v in preds.items()})
               for i, (kind, s, n) in enumerate(keys) if kind == "window"]
  return sums, count, rows


def _top_tags(tally, top_k: int) -> list:
  """The `top_k` musicnn tags by mean probability over the frames read, best first."""
  from jmer.pretrained import networks
  names = networks.TAG_NAMES[tally.tag_network]  # 'msd' is both the network key and its tag set
  probabilities = tally.tag_sum / tally.tag_frames
  return [dict(tag=names[i], probability=round(float(probabilities[i]), 4))
          for i in np.argsort(-probabilities)[:top_k]]


def _ranked(summary: dict, top_k: int) -> dict:
  """The summary with its ranked genre list cut to the best `top_k`."""
  if "genres" in summary:
    summary["genres"] = summary["genres"][:top_k]
  return summary


def expand_inputs(inputs) -> tuple:
  """The audio files named by the command line (jmer.inference.many_files.expand_inputs)."""
  from jmer.inference import many_files
  return many_files.expand_inputs(inputs)


def main(argv=None, prog: str = "python -m jmer.predict") -> int:
  """Runs `jmer predict` (jmer.inference.many_files.main). Returns the exit status: 0; 1 if an
  input failed; 2 for a bad model."""
  from jmer.inference import many_files
  return many_files.main(argv, prog)


if __name__ == "__main__":
  sys.exit(main())
