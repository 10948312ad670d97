"""The command line: one lazy table of subcommands (commands.py), the train command (train.py)
and the argparse helpers every other command shares (arguments.py). Light: nothing here
imports Keras, JAX, TensorFlow or librosa before a command's arguments are checked."""
