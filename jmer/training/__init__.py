"""Training: the train loop (`train.train_and_evaluate`), checkpoints and resume, masked losses,
transfer from another run, k-fold cross-validation, and the work dir's files."""
