"""Where and in what precision training runs: config.distribution and config.train.precision.

Scaling out goes through JAX and `keras.distribution`, not a launcher of our own:
- `distribution.data_parallel=True` (the default) puts a `keras.distribution.DataParallel` over
  every local device when there are several (GPUs, TPU cores, or CPU devices made with
  XLA_FLAGS=--xla_force_host_platform_device_count=N). The global batch, train.batch_size, is
  split evenly across them; Keras shards each batch of the tf.data stream onto the devices.
- Several hosts: with `distribution.multi_host=True`, or when the standard variables
  (KERAS_DISTRIBUTION_JOB_ADDRESSES, KERAS_DISTRIBUTION_NUM_PROCESSES,
  KERAS_DISTRIBUTION_PROCESS_ID) are set, `keras.distribution.initialize()` starts JAX's
  multi-process runtime first (on TPU pods it needs no variables at all).
- `train.precision='mixed_bfloat16'` computes in bfloat16 with float32 weights (Keras' mixed
  policy); the heads' outputs and losses stay float32.
"""

import os

import keras

MULTI_HOST_VARIABLES = ("KERAS_DISTRIBUTION_JOB_ADDRESSES", "KERAS_DISTRIBUTION_NUM_PROCESSES")


def multi_host_requested(config) -> bool:
  """Whether this process is one of several hosts of a run.

  Args:
    config: the run's config (reads distribution.multi_host).
  Returns:
    True if config.distribution.multi_host is set or both Keras distribution environment
    variables (MULTI_HOST_VARIABLES) are.
  """
  return bool(config.distribution.multi_host) or all(os.environ.get(v)
                                                     for v in MULTI_HOST_VARIABLES)


def configure(config) -> dict:
  """Sets the dtype policy and the Keras distribution for this process.

  Must run before the model is built: layers take their dtype policy and their variable layout
  when they are created.

  Args:
    config: the run's config (reads train.precision, train.batch_size and distribution).
  Returns:
    {'devices': devices visible, 'data_parallel': whether a DataParallel distribution is set,
    'precision': the dtype policy's name}.
  Raises:
    ValueError if a data-parallel batch does not divide evenly over the devices.
  """
  keras.mixed_precision.set_dtype_policy(config.train.precision)
  if multi_host_requested(config):
    keras.distribution.initialize()
  devices = keras.distribution.list_devices()
  if config.distribution.data_parallel and len(devices) > 1:
    batch = config.train.batch_size
    if batch % len(devices):
      raise ValueError(
          f"config.train.batch_size = {batch}: the global batch must divide evenly over the "
          f"{len(devices)} devices of the data-parallel run; use a multiple of {len(devices)} "
          "or set --config.distribution.data_parallel=False.")
    keras.distribution.set_distribution(keras.distribution.DataParallel(devices=devices))
  else:
    keras.distribution.set_distribution(None)
  return dict(devices=len(devices), data_parallel=keras.distribution.distribution() is not None,
              precision=config.train.precision)
