"""tf.data plumbing: batches of segments cut on tf.data's parallel workers, in order.

Evaluation tiles every track deterministically (jmer.data.segments) so each track's segments
can be aggregated back to it; training batches come from jmer.data.train_stream. Labels a track
lacks become a 0 label with sample weight 0 (a NaN label would poison the loss).
"""

import weakref

import numpy as np
import tensorflow as tf

from jmer import tasks as tasks_lib
from jmer.data import segments as segments_lib
from jmer.data import split_arrays


def hide_gpus_from_tensorflow():
  """Keeps TensorFlow off every GPU of this process, so JAX (the model) gets their memory.

  tf.data is only the input pipeline. Training calls this before any TensorFlow op runs
  (prediction never imports TensorFlow); importing this module changes nothing.
  """
  tf.config.set_visible_devices([], "GPU")


def batch_spec(config, split: split_arrays.SplitData, batch):
  """(x, y, w) TensorSpecs of a batch of `batch` segments (None: any size).

  Args:
    config: the run config (tasks, segment length, input strides).
    split: a split of the run, for the features' widths.
    batch: the batch size, or None.

  Returns:
    (x, y, w): {feature: float32 (batch, rows, bins)}, {output: target spec},
    {output: float32 (batch,) weights}.
  """
  names, length = tasks_lib.output_names(config), segments_lib.segment_frames(config)
  strides = segments_lib.input_strides(config)
  return ({n: tf.TensorSpec((batch, segments_lib.input_rows(length, strides.get(n, 1)),
                             a[0].shape[1]), tf.float32)
           for n, a in split.features.items()},
          {k: tf.TensorSpec((batch,) + tuple(tasks_lib.TASKS[k].target_shape),
                            tasks_lib.TASKS[k].target_dtype) for k in names},
          {k: tf.TensorSpec((batch,), tf.float32) for k in names})


def cached_dtype_features(spec, split: split_arrays.SplitData):
  """`spec` with its features in the dtype `split` caches them in (float16): what a batch is
  cut in before tf.data casts it to float32. NumPy's float16 -> float32 conversion is scalar
  and dominated a batch's cost; TensorFlow's cast is vectorised, and exact either way.

  Args:
    spec: (x, y, w) TensorSpecs (batch_spec).
    split: the split whose cached arrays give the dtypes.

  Returns:
    (x, y, w) with x's specs in the cached dtype.
  """
  x, y, w = spec
  dtypes = {n: tf.as_dtype(split.features[n][0].dtype) if split.features.get(n) else s.dtype
            for n, s in x.items()}
  return ({n: tf.TensorSpec(s.shape, dtypes[n]) for n, s in x.items()}, y, w)


def map_batches(numbers: tf.data.Dataset, make_batch, spec, wire_spec=None) -> tf.data.Dataset:
  """Batches `make_batch(*numbers)` (numpy, shaped as `spec`), made on tf.data's parallel
  workers, in order. NumPy releases the GIL in its copies and maths, so they overlap.
  `wire_spec` (default `spec`) gives the dtypes make_batch returns; tf.data casts them to
  `spec`'s.

  Args:
    numbers: a dataset of the arguments of make_batch (e.g. batch indices).
    make_batch: a function of those numbers returning numpy (x, y, w).
    spec: the (x, y, w) TensorSpecs of the batches tf.data yields.
    wire_spec: the specs of what make_batch returns (default: spec).

  Returns:
    A tf.data.Dataset of (x, y, w) batches, in the order of `numbers`.
  """
  flat_spec = tf.nest.flatten(spec)
  flat_wire = tf.nest.flatten(wire_spec or spec)
  source = [make_batch]  # emptied once the returned dataset is garbage (see the end)

  def as_numpy(*args):
    if not source:
      raise RuntimeError("map_batches: batch asked of a dataset that was already released")
    flat = tf.nest.flatten(source[0](*(a.item() for a in args)))
    return [np.asarray(v, s.dtype.as_numpy_dtype) for v, s in zip(flat, flat_wire)]

  @tf.autograph.experimental.do_not_convert  # plain graph ops: nothing for autograph to do
  def cut(*args):
    flat = tf.numpy_function(as_numpy, list(args), [s.dtype for s in flat_wire],
                             stateful=False)
    flat = [tf.cast(t, s.dtype) if t.dtype != s.dtype else t for t, s in zip(flat, flat_spec)]
    for tensor, s in zip(flat, flat_spec):
      tensor.set_shape(s.shape)
    return tf.nest.pack_sequence_as(spec, flat)
  dataset = numbers.map(cut, num_parallel_calls=tf.data.AUTOTUNE,
                        deterministic=True).prefetch(tf.data.AUTOTUNE)
  # TensorFlow's process-wide py_func registry keeps as_numpy, and so whatever make_batch holds
  # (a split's features), after the dataset is gone: one process running many runs (a suite)
  # kept every run's evaluation features. Drop make_batch with the dataset.
  weakref.finalize(dataset, source.clear)
  return dataset


def tiled_dataset(split: split_arrays.SplitData, config, shuffle: bool):
  """(batches of (x, y, w), track index of each segment): every tiled evaluation segment of a
  split, in track order or shuffled once (seeded). Only the segments' (track, start) pairs are
  held; each batch is cut from the cache when needed, so memory does not grow with the split.

  Args:
    split: the split to tile.
    config: the run config (eval.batch_size, segment length, seed).
    shuffle: shuffle the segments once, seeded by config.seed.

  Returns:
    (dataset, owner): the tf.data.Dataset of (x, y, w) batches of eval.batch_size segments, and
    an int array of each segment's track index in the split, in dataset order.
  """
  owner, starts = segments_lib.eval_index(split, config)
  if shuffle:
    order = np.random.default_rng([config.seed, 2]).permutation(len(owner))
    owner, starts = owner[order], starts[order]
  labels, weights = split_arrays.track_targets(split, tasks_lib.output_names(config))
  size, length = config.eval.batch_size, segments_lib.segment_frames(config)
  strides = segments_lib.input_strides(config)

  def make_batch(index):
    tracks, first = owner[index * size:(index + 1) * size], starts[index * size:]
    return (segments_lib.cut_segments(split, tracks, first[:len(tracks)], length, strides),
            {k: v[tracks] for k, v in labels.items()}, {k: v[tracks] for k, v in weights.items()})
  batches = tf.data.Dataset.range(-(-len(owner) // size))
  spec = batch_spec(config, split, None)
  return map_batches(batches, make_batch, spec, cached_dtype_features(spec, split)), owner


def eval_dataset(split: split_arrays.SplitData, config) -> tf.data.Dataset:
  """Validation batches for fit. Segments are shuffled once (seeded) so that every batch mixes
  datasets: per-batch masked means then weigh the tasks by λ, not by which dataset a batch
  happens to hold, and val_loss (early stopping, best.keras) stays comparable.

  Args:
    split: the validation split.
    config: the run config.

  Returns:
    A tf.data.Dataset of (x, y, w) batches.
  """
  return tiled_dataset(split, config, shuffle=True)[0]
