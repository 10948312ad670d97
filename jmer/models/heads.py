"""Task heads. Output names are the keys of the model's output dict and of the targets.

What each head looks like (units, activation) comes from its task spec (jmer.tasks). A head is
split into a "fusable" prediction (class logits, or AV already in [-1, 1]) and the output
activation, so late fusion can merge per-branch predictions before the activation.
"""

from keras import layers

from jmer import tasks as tasks_lib


def task_heads(x, task_names, genre_names) -> dict:
  """The heads of every task on one (fused) embedding.

  Args:
    x: the (embedding,) tensor.
    task_names: the tasks.
    genre_names: the genre vocabulary (the genre head's classes).

  Returns:
    A dict from task name to its Dense output, with the task's head activation.
  """
  out = {}
  for name in task_names:
    task = tasks_lib.TASKS[name]
    out[name] = layers.Dense(task.units(genre_names), activation=task.head_activation,
                             name=name)(x)
  return out


def branch_predictions(x, branch: str, task_names, genre_names) -> dict:
  """One branch's fusable predictions {task: logits | AV}, from its embedding alone.

  Args:
    x: the branch's (embedding,) tensor.
    branch: the branch's name, prefixing the layers'.
    task_names: the tasks.
    genre_names: the genre vocabulary.

  Returns:
    A dict from task name to the branch's prediction tensor (the task's branch activation:
    logits for class tasks).
  """
  out = {}
  for name in task_names:
    task = tasks_lib.TASKS[name]
    out[name] = layers.Dense(task.units(genre_names), activation=task.branch_activation,
                             name=f"{branch}_{name}_{task.branch_suffix}")(x)
  return out


def output_activation(x, task_name: str, name: str):
  """The task's activation after fusion: softmax over fused class logits; AV passes through.

  Args:
    x: the fused prediction tensor.
    task_name: the task.
    name: the output layer's name.

  Returns:
    The output tensor.
  """
  return layers.Activation(tasks_lib.TASKS[task_name].fused_activation, name=name)(x)
