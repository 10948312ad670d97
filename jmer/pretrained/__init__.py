"""Pretrained networks, at the bottom of the layer stack: they import only Keras, NumPy and the
package's own resources, so both the data layer (frozen embeddings cached like features) and the
model layer (fine-tuned branches) can use them."""
