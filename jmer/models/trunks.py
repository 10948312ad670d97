"""Sequence trunks: a (frames, bins) feature map → a fixed-size embedding.

Each trunk is built as its own named sub-model (`<feature>_crnn`, `shared_transformer`, ...),
so it can serve one branch or be shared by several, and so the model summary shows one row
per branch trunk.
"""

import keras
from keras import layers

from jmer import names
from jmer.models import pooling
from jmer.models import transformer


def crnn_trunk(input_shape, config, name: str) -> keras.Model:
  """Conv2D blocks (batch norm, pooling) over time × frequency, a BiLSTM/BiGRU over time,
  then average pooling over time. Returns an embedding of size config.model.embedding_dim."""
  c = config.model.crnn
  inputs = keras.Input(shape=tuple(input_shape), name=f"{name}_input")
  x = layers.Reshape((input_shape[0], input_shape[1], 1), name=f"{name}_add_channel")(inputs)
  for i, (filters, pt, pf) in enumerate(zip(c.conv_filters, c.pool_time, c.pool_freq)):
    # By default the first block downsamples with a strided conv instead of conv + max-pool:
    # XLA's CPU convolution is slowest on the full-resolution one-channel input.
    strided = i == 0 and c.strided_first_conv
    x = layers.Conv2D(filters, 3, strides=(pt, pf) if strided else (1, 1), padding="same",
                      use_bias=False, name=f"{name}_conv{i}")(x)
    x = layers.BatchNormalization(momentum=c.batchnorm_momentum, name=f"{name}_bn{i}")(x)
    x = layers.Activation("relu", name=f"{name}_relu{i}")(x)
    if not strided:
      x = pooling.BlockMaxPooling2D((pt, pf), name=f"{name}_pool{i}")(x)
  # Fold frequency × channels into one vector per time step for the recurrent layer.
  x = layers.Reshape((x.shape[1], x.shape[2] * x.shape[3]), name=f"{name}_to_sequence")(x)
  x = layers.Dropout(config.model.dropout, name=f"{name}_dropout_in")(x)
  cell = {"lstm": layers.LSTM, "gru": layers.GRU}[c.rnn]
  x = layers.Bidirectional(cell(c.rnn_units, return_sequences=True),
                           name=f"{name}_bi{c.rnn}")(x)
  x = layers.GlobalAveragePooling1D(name=f"{name}_time_pool")(x)
  x = layers.Dense(config.model.embedding_dim, activation="relu", name=f"{name}_embedding")(x)
  x = layers.Dropout(config.model.dropout, name=f"{name}_dropout_out")(x)
  return keras.Model(inputs, x, name=name)


def pretrained_pooled_trunk(input_shape, config, name: str) -> keras.Model:
  """The trunk of a pretrained-embedding feature (musicnn): the embeddings already describe the
  music, so the mean and max over time (frames or patches) and one ReLU layer of
  config.model.embedding_dim units suffice; a CRNN over them would only overfit."""
  inputs = keras.Input(shape=tuple(input_shape), name=f"{name}_input")
  pooled = layers.Concatenate(name=f"{name}_mean_max")([
      layers.GlobalAveragePooling1D(name=f"{name}_mean")(inputs),
      layers.GlobalMaxPooling1D(name=f"{name}_max")(inputs)])
  x = layers.Dropout(config.model.dropout, name=f"{name}_dropout_in")(pooled)
  x = layers.Dense(config.model.embedding_dim, activation="relu", name=f"{name}_embedding")(x)
  x = layers.Dropout(config.model.dropout, name=f"{name}_dropout_out")(x)
  return keras.Model(inputs, x, name=name)


TRUNKS = names.builders(names.TRUNKS, "trunk", crnn=crnn_trunk,
                        transformer=transformer.transformer_trunk)
