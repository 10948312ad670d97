"""Transformer encoder trunk: patch embedding, learned positions, pre-norm encoder blocks."""

import keras
from keras import layers
from keras import ops


@keras.saving.register_keras_serializable(package="jmer")
class PositionalEmbedding(layers.Layer):
  """Adds a learned vector per token position (the sequence length is fixed by the segment)."""

  def build(self, input_shape):
    self.positions = self.add_weight(
        name="positions", shape=tuple(input_shape[1:]),
        initializer=keras.initializers.TruncatedNormal(stddev=0.02))

  def call(self, x):
    return x + ops.cast(self.positions, x.dtype)


@keras.saving.register_keras_serializable(package="jmer")
class ClassToken(layers.Layer):
  """Prepends a learned class token; the trunk's embedding is read from it after the blocks."""

  def build(self, input_shape):
    self.token = self.add_weight(name="token", shape=(1, 1, input_shape[-1]),
                                 initializer=keras.initializers.TruncatedNormal(stddev=0.02))

  def call(self, x):
    token = ops.broadcast_to(ops.cast(self.token, x.dtype), (ops.shape(x)[0], 1, x.shape[-1]))
    return ops.concatenate([token, x], axis=1)

  def compute_output_shape(self, input_shape):
    length = None if input_shape[1] is None else input_shape[1] + 1
    return (input_shape[0], length, input_shape[2])


@keras.saving.register_keras_serializable(package="jmer")
class FirstToken(layers.Layer):
  """The class token's output: token 0 of the sequence."""

  def call(self, x):
    return x[:, 0]

  def compute_output_shape(self, input_shape):
    return (input_shape[0], input_shape[2])


def encoder_block(x, name: str, *, d_model: int, num_heads: int, ff_dim: int, dropout: float):
  """Pre-norm block: x + MHSA(LN(x)), then x + FFN(LN(x)), dropout on each residual branch.

  Args:
    x: (tokens, d_model) input.
    name: prefix of the block's layers.
    d_model: token width; each of the `num_heads` heads attends in d_model // num_heads.
    ff_dim: hidden units of the feed-forward layer.
    dropout: rate on the attention weights and on both residual branches.
  Returns:
    The block's (tokens, d_model) output.
  """
  h = layers.LayerNormalization(epsilon=1e-6, name=f"{name}_attn_norm")(x)
  h = layers.MultiHeadAttention(num_heads, d_model // num_heads, dropout=dropout,
                                name=f"{name}_attention")(h, h)
  h = layers.Dropout(dropout, name=f"{name}_attn_dropout")(h)
  x = layers.Add(name=f"{name}_attn_residual")([x, h])
  h = layers.LayerNormalization(epsilon=1e-6, name=f"{name}_ffn_norm")(x)
  h = layers.Dense(ff_dim, activation="gelu", name=f"{name}_ffn_in")(h)
  h = layers.Dense(d_model, name=f"{name}_ffn_out")(h)
  h = layers.Dropout(dropout, name=f"{name}_ffn_dropout")(h)
  return layers.Add(name=f"{name}_ffn_residual")([x, h])


def transformer_trunk(input_shape, name: str, *, embedding_dim: int, embedding_dropout: float,
                      patch_frames: int, d_model: int, num_heads: int, num_layers: int,
                      ff_dim: int, dropout: float, pooling: str) -> keras.Model:
  """Patches of `patch_frames` frames × all bins → d_model tokens (+ class token) + learned
  positions → N pre-norm encoder blocks → mean over tokens (or the class token) → embedding.

  Patching over time only keeps every token a full spectrum slice, and divides the attention
  cost by patch_frames².

  Args:
    input_shape: (frames, bins) of the feature map.
    name: the sub-model's name, also the prefix of its layers.
    embedding_dim: units of the output ReLU embedding (config.model.embedding_dim).
    embedding_dropout: dropout rate after that embedding (config.model.dropout).
    patch_frames: frames per token; d_model, num_heads, num_layers, ff_dim: the encoder's
      size (config.model.transformer, like the rest).
    dropout: rate inside the encoder (token embedding, attention, residual branches).
    pooling: 'mean' over tokens, or 'cls': a learned class token's output.
  Returns:
    A keras.Model from (frames, bins) to (embedding_dim,).
  """
  inputs = keras.Input(shape=tuple(input_shape), name=f"{name}_input")
  x = layers.Conv1D(d_model, patch_frames, strides=patch_frames, padding="same",
                    name=f"{name}_patch_embedding")(inputs)
  if pooling == "cls":
    x = ClassToken(name=f"{name}_class_token")(x)
  x = PositionalEmbedding(name=f"{name}_positions")(x)
  x = layers.Dropout(dropout, name=f"{name}_embedding_dropout")(x)
  for i in range(num_layers):
    x = encoder_block(x, f"{name}_block{i}", d_model=d_model, num_heads=num_heads,
                      ff_dim=ff_dim, dropout=dropout)
  x = layers.LayerNormalization(epsilon=1e-6, name=f"{name}_final_norm")(x)
  if pooling == "cls":
    x = FirstToken(name=f"{name}_class_output")(x)
  else:
    x = layers.GlobalAveragePooling1D(name=f"{name}_token_pool")(x)
  x = layers.Dense(embedding_dim, activation="relu", name=f"{name}_embedding")(x)
  x = layers.Dropout(embedding_dropout, name=f"{name}_dropout_out")(x)
  return keras.Model(inputs, x, name=name)
