"""Evaluation: segment → track aggregation, metrics, the linear MFCC baseline, figures and
metrics.json. Reads models and data; never trains."""
