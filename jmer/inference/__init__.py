"""Inference on your own audio: the prediction CLI and its output formats, model export, and the
web demo. Everything here starts from a self-describing model file (jmer.models.model_file)."""
