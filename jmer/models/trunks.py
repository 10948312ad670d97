"""Trunks: a (frames, bins) feature map, or rows of vectors (ROW_TRUNKS), → a fixed-size
embedding.

Each trunk is built as its own named sub-model (`<feature>_crnn`, `shared_transformer`, ...),
so it can serve one branch or be shared by several, and so the model summary shows one row
per branch trunk.
"""

import keras
from keras import layers

from jmer.config import names
from jmer.models import pooling
from jmer.models import transformer


def crnn_trunk(input_shape, name: str, *, embedding_dim: int, embedding_dropout: float,
               conv_filters, pool_time, pool_freq, rnn: str, rnn_units: int,
               strided_first_conv: bool, batchnorm_momentum: float) -> keras.Model:
  """Conv2D blocks (batch norm, pooling) over time × frequency, a BiLSTM/BiGRU over time,
  then average pooling over time and a ReLU embedding layer.

  Args:
    input_shape: (frames, bins) of the feature map.
    name: the sub-model's name, also the prefix of its layers.
    embedding_dim: units of the output embedding (config.model.embedding_dim).
    embedding_dropout: dropout rate before the recurrent layer and after the embedding
      (config.model.dropout).
    conv_filters, pool_time, pool_freq: per block, its filters and its downsampling over time
      and frequency (config.model.crnn, like the rest).
    rnn: 'lstm' or 'gru', bidirectional, of `rnn_units` units each way.
    strided_first_conv: the first block downsamples by a strided conv instead of conv +
      max-pool.
    batchnorm_momentum: momentum of the batch norms' moving statistics.
  Returns:
    A keras.Model from (frames, bins) to (embedding_dim,).
  """
  inputs = keras.Input(shape=tuple(input_shape), name=f"{name}_input")
  x = layers.Reshape((input_shape[0], input_shape[1], 1), name=f"{name}_add_channel")(inputs)
  for i, (filters, pt, pf) in enumerate(zip(conv_filters, pool_time, pool_freq)):
    # By default the first block downsamples with a strided conv instead of conv + max-pool:
    # XLA's CPU convolution is slowest on the full-resolution one-channel input.
    strided = i == 0 and strided_first_conv
    x = layers.Conv2D(filters, 3, strides=(pt, pf) if strided else (1, 1), padding="same",
                      use_bias=False, name=f"{name}_conv{i}")(x)
    x = layers.BatchNormalization(momentum=batchnorm_momentum, name=f"{name}_bn{i}")(x)
    x = layers.Activation("relu", name=f"{name}_relu{i}")(x)
    if not strided:
      x = pooling.BlockMaxPooling2D((pt, pf), name=f"{name}_pool{i}")(x)
  # Fold frequency × channels into one vector per time step for the recurrent layer.
  x = layers.Reshape((x.shape[1], x.shape[2] * x.shape[3]), name=f"{name}_to_sequence")(x)
  x = layers.Dropout(embedding_dropout, name=f"{name}_dropout_in")(x)
  cell = {"lstm": layers.LSTM, "gru": layers.GRU}[rnn]
  x = layers.Bidirectional(cell(rnn_units, return_sequences=True), name=f"{name}_bi{rnn}")(x)
  x = layers.GlobalAveragePooling1D(name=f"{name}_time_pool")(x)
  x = layers.Dense(embedding_dim, activation="relu", name=f"{name}_embedding")(x)
  x = layers.Dropout(embedding_dropout, name=f"{name}_dropout_out")(x)
  return keras.Model(inputs, x, name=name)


def pooled_row_trunk(input_shape, name: str, *, embedding_dim: int,
                     embedding_dropout: float, **unused) -> keras.Model:
  """The recipe's trunk over rows of vectors (pretrained embeddings): the embeddings already
  describe the music, so the mean and max over rows (frames or patches) and one ReLU layer
  suffice. Nothing in it learns the order of the rows.

  Args:
    input_shape: (rows, width) of the row vectors.
    name: the sub-model's name, also the prefix of its layers.
    embedding_dim: units of the output embedding (config.model.embedding_dim).
    embedding_dropout: dropout rate before and after that layer (config.model.dropout).
    **unused: the other row trunks' options (config.model.rows), which this one has none of.
  Returns:
    A keras.Model from input_shape to (embedding_dim,).
  """
  inputs = keras.Input(shape=tuple(input_shape), name=f"{name}_input")
  pooled = layers.Concatenate(name=f"{name}_mean_max")([
      layers.GlobalAveragePooling1D(name=f"{name}_mean")(inputs),
      layers.GlobalMaxPooling1D(name=f"{name}_max")(inputs)])
  x = layers.Dropout(embedding_dropout, name=f"{name}_dropout_in")(pooled)
  x = layers.Dense(embedding_dim, activation="relu", name=f"{name}_embedding")(x)
  x = layers.Dropout(embedding_dropout, name=f"{name}_dropout_out")(x)
  return keras.Model(inputs, x, name=name)


def crnn_row_trunk(input_shape, name: str, *, embedding_dim: int, embedding_dropout: float,
                   width: int, **unused) -> keras.Model:
  """The CRNN over rows of vectors: a Conv1D over each row and its neighbours (the
  convolution; the pretrained network or the window summary did the frequency part), a BiLSTM
  over the rows, then the mean and max over its outputs and a ReLU embedding layer.

  Args:
    input_shape: (rows, width) of the row vectors.
    name: the sub-model's name, also the prefix of its layers.
    embedding_dim: units of the output embedding (config.model.embedding_dim).
    embedding_dropout: dropout rate on the rows and after the embedding (config.model.dropout).
    width: the Conv1D's filters and the LSTM's units each way (config.model.rows.width).
    **unused: the transformer row trunk's options.
  Returns:
    A keras.Model from input_shape to (embedding_dim,).
  """
  inputs = keras.Input(shape=tuple(input_shape), name=f"{name}_input")
  x = layers.Dropout(embedding_dropout, name=f"{name}_dropout_in")(inputs)
  x = layers.Conv1D(width, 3, padding="same", activation="relu", name=f"{name}_conv")(x)
  x = layers.Bidirectional(layers.LSTM(width, return_sequences=True), name=f"{name}_bilstm")(x)
  x = layers.Concatenate(name=f"{name}_mean_max")([
      layers.GlobalAveragePooling1D(name=f"{name}_mean")(x),
      layers.GlobalMaxPooling1D(name=f"{name}_max")(x)])
  x = layers.Dense(embedding_dim, activation="relu", name=f"{name}_embedding")(x)
  x = layers.Dropout(embedding_dropout, name=f"{name}_dropout_out")(x)
  return keras.Model(inputs, x, name=name)


def transformer_row_trunk(input_shape, name: str, *, embedding_dim: int,
                          embedding_dropout: float, width: int, layers_: int, heads: int,
                          **unused) -> keras.Model:
  """The Transformer encoder over rows of vectors: one token per row (a patch's embedding),
  learned positions, `layers_` pre-norm blocks of `width` units, the mean over tokens.

  Args:
    input_shape: (rows, width) of the row vectors.
    name: the sub-model's name, also the prefix of its layers.
    embedding_dim: units of the output embedding (config.model.embedding_dim).
    embedding_dropout: dropout rate after that embedding (config.model.dropout).
    width: d_model (the feed-forward layer has twice as many units).
    layers_: encoder blocks; heads: attention heads (config.model.rows.layers / .heads).
    **unused: the CRNN row trunk's options.
  Returns:
    A keras.Model from input_shape to (embedding_dim,).
  """
  return transformer.transformer_trunk(
      input_shape, name, embedding_dim=embedding_dim, embedding_dropout=embedding_dropout,
      patch_frames=1, d_model=width, num_heads=heads, num_layers=layers_, ff_dim=2 * width,
      dropout=0.1, pooling="mean")


ROW_TRUNKS = names.builders(names.ROW_TRUNKS, "row trunk", pooled=pooled_row_trunk,
                            crnn=crnn_row_trunk, transformer=transformer_row_trunk)


def row_trunk_from_config(model_config, input_shape, name: str) -> keras.Model:
  """The row trunk `model_config.rows.trunk` names, with the shared embedding size and dropout.

  Args:
    model_config: config.model.
    input_shape: the branch tensor's shape, (rows, width).
    name: the trunk's name.

  Returns:
    A keras.Model from `input_shape` to an (embedding_dim,) embedding.
  """
  rows = model_config.rows
  make_trunk = names.lookup(ROW_TRUNKS, "row trunk", rows.trunk)
  return make_trunk(input_shape, name, embedding_dim=model_config.embedding_dim,
                    embedding_dropout=model_config.dropout, width=rows.width,
                    layers_=rows.layers, heads=rows.heads)


# Each builder: fn(input_shape, name, *, embedding_dim, embedding_dropout, **its own options),
# the options being config.model.<trunk name>.
TRUNKS = names.builders(names.TRUNKS, "trunk", crnn=crnn_trunk,
                        transformer=transformer.transformer_trunk)


def trunk_from_config(model_config, input_shape, name: str) -> keras.Model:
  """The trunk `model_config.trunk` names, given its own options (model.<trunk>) and the
  shared embedding size and dropout (model.embedding_dim, model.dropout).

  Args:
    model_config: config.model.
    input_shape: the branch tensor's shape, (rows, width).
    name: the trunk's name.

  Returns:
    A keras.Model from `input_shape` to an (embedding_dim,) embedding.
  """
  make_trunk = names.lookup(TRUNKS, "trunk", model_config.trunk)
  return make_trunk(input_shape, name, embedding_dim=model_config.embedding_dim,
                    embedding_dropout=model_config.dropout,
                    **model_config[model_config.trunk].to_dict())
