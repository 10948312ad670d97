"""Keras functional models: feature branches → trunk(s) → late fusion → task heads."""
