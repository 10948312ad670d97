"""Sequence trunks mapping a (frames, bins) feature map to a fixed-size embedding."""

import keras
from keras import layers


def crnn_trunk(x, config, name: str):
  """Conv2D blocks (batch norm, pooling) over time × frequency, a BiLSTM/BiGRU over time,
  then average pooling over time. Returns an embedding of size config.model.embedding_dim."""
  c = config.model.crnn
  x = layers.Reshape((x.shape[1], x.shape[2], 1), name=f"{name}_add_channel")(x)
  for i, (filters, pt, pf) in enumerate(zip(c.conv_filters, c.pool_time, c.pool_freq)):
    x = layers.Conv2D(filters, 3, padding="same", use_bias=False, name=f"{name}_conv{i}")(x)
    x = layers.BatchNormalization(name=f"{name}_bn{i}")(x)
    x = layers.Activation("relu", name=f"{name}_relu{i}")(x)
    x = layers.MaxPooling2D((pt, pf), padding="same", name=f"{name}_pool{i}")(x)
  # Fold frequency × channels into one vector per time step for the recurrent layer.
  x = layers.Reshape((x.shape[1], x.shape[2] * x.shape[3]), name=f"{name}_to_sequence")(x)
  x = layers.Dropout(config.model.dropout, name=f"{name}_dropout_in")(x)
  cell = {"lstm": layers.LSTM, "gru": layers.GRU}[c.rnn]
  x = layers.Bidirectional(cell(c.rnn_units, return_sequences=True),
                           name=f"{name}_bi{c.rnn}")(x)
  x = layers.GlobalAveragePooling1D(name=f"{name}_time_pool")(x)
  x = layers.Dense(config.model.embedding_dim, activation="relu", name=f"{name}_embedding")(x)
  return layers.Dropout(config.model.dropout, name=f"{name}_dropout_out")(x)


TRUNKS = {"crnn": crnn_trunk}
