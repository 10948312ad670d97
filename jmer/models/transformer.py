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


def encoder_block(x, t, name: str):
  """Pre-norm block: x + MHSA(LN(x)), then x + FFN(LN(x)), dropout on each residual branch."""
  h = layers.LayerNormalization(epsilon=1e-6, name=f"{name}_attn_norm")(x)
  h = layers.MultiHeadAttention(t.num_heads, t.d_model // t.num_heads, dropout=t.dropout,
                                name=f"{name}_attention")(h, h)
  h = layers.Dropout(t.dropout, name=f"{name}_attn_dropout")(h)
  x = layers.Add(name=f"{name}_attn_residual")([x, h])
  h = layers.LayerNormalization(epsilon=1e-6, name=f"{name}_ffn_norm")(x)
  h = layers.Dense(t.ff_dim, activation="gelu", name=f"{name}_ffn_in")(h)
  h = layers.Dense(t.d_model, name=f"{name}_ffn_out")(h)
  h = layers.Dropout(t.dropout, name=f"{name}_ffn_dropout")(h)
  return layers.Add(name=f"{name}_ffn_residual")([x, h])


def transformer_trunk(input_shape, config, name: str) -> keras.Model:
  """Patches of `patch_frames` frames × all bins → d_model tokens (+ class token) + learned
  positions → N pre-norm encoder blocks → mean over tokens (or the class token) → embedding.

  Patching over time only keeps every token a full spectrum slice, and divides the attention
  cost by patch_frames² — what lets a 10 s segment train at a CRNN-like speed on CPU.
  """
  t = config.model.transformer
  inputs = keras.Input(shape=tuple(input_shape), name=f"{name}_input")
  x = layers.Conv1D(t.d_model, t.patch_frames, strides=t.patch_frames, padding="same",
                    name=f"{name}_patch_embedding")(inputs)
  if t.pooling == "cls":
    x = ClassToken(name=f"{name}_class_token")(x)
  x = PositionalEmbedding(name=f"{name}_positions")(x)
  x = layers.Dropout(t.dropout, name=f"{name}_embedding_dropout")(x)
  for i in range(t.num_layers):
    x = encoder_block(x, t, name=f"{name}_block{i}")
  x = layers.LayerNormalization(epsilon=1e-6, name=f"{name}_final_norm")(x)
  if t.pooling == "cls":
    x = FirstToken(name=f"{name}_class_output")(x)
  else:
    x = layers.GlobalAveragePooling1D(name=f"{name}_token_pool")(x)
  x = layers.Dense(config.model.embedding_dim, activation="relu", name=f"{name}_embedding")(x)
  x = layers.Dropout(config.model.dropout, name=f"{name}_dropout_out")(x)
  return keras.Model(inputs, x, name=name)
