"""Task heads. Output names are the keys of the model's output dict and of the targets.

What each head looks like (units, activation) comes from its task spec (jmer.tasks). A head is
split into a "fusable" prediction (class logits, or AV already in [-1, 1]) and the output
activation, so late fusion can merge per-branch predictions before the activation.
"""

from keras import layers

from jmer import tasks as tasks_lib


def task_heads(x, task_names, genre_names) -> dict:
  """The heads of every task on one (fused) embedding."""
  out = {}
  for name in task_names:
    task = tasks_lib.TASKS[name]
    out[name] = layers.Dense(task.units(genre_names), activation=task.head_activation,
                             name=name)(x)
  return out


def branch_predictions(x, branch: str, task_names, genre_names) -> dict:
  """One branch's fusable predictions {task: logits | AV}, from its embedding alone."""
  out = {}
  for name in task_names:
    task = tasks_lib.TASKS[name]
    out[name] = layers.Dense(task.units(genre_names), activation=task.branch_activation,
                             name=f"{branch}_{name}_{task.branch_suffix}")(x)
  return out


def output_activation(x, task_name: str, name: str):
  """The task's activation after fusion: softmax over fused class logits; AV passes through."""
  return layers.Activation(tasks_lib.TASKS[task_name].fused_activation, name=name)(x)
