"""Every registered task keeps the shared task contract (tests/tasks/task_contract.py), and the
readers refuse what they cannot show: an override for no task, outputs of an unknown form."""

import dataclasses

import pytest

from jmer import tasks as tasks_lib
from jmer.data import tracks as tracks_lib
from jmer.evaluation import evaluate
from jmer.evaluation import prediction_columns
from jmer.experiments import task_rows
from jmer.inference import task_fields

from tests.tasks.task_contract import TaskContract


def _track(**labels):
  return tracks_lib.Track("t", "t.wav", "x", **labels)


class TestGenreContract(TaskContract):
  task = tasks_lib.GENRE

  def labelled_track(self):
    return _track(genre=3)


class TestArousalValenceContract(TaskContract):
  task = tasks_lib.AROUSAL_VALENCE

  def labelled_track(self):
    # Loading fills an AV track's quadrant (tracks.with_quadrants): Q2, high and negative.
    return _track(arousal=0.5, valence=-0.25, quadrant=1)


class TestQuadrantContract(TaskContract):
  task = tasks_lib.QUADRANT

  def labelled_track(self):
    return _track(quadrant=1)


class TestGenreTagsContract(TaskContract):
  task = tasks_lib.GENRE_TAGS

  def labelled_track(self):
    return _track(extra=(("GenresStr", "Jazz; Blues"),))


def test_every_registered_task_runs_the_contract():
  covered = {case.task.name for case in TaskContract.__subclasses__()
             if case.__module__ == __name__}
  assert covered == set(tasks_lib.TASKS)


def test_an_override_for_no_task_is_refused():
  with pytest.raises(ValueError, match=r"overrides for unknown task\(s\) \['genres'\]"):
    tasks_lib.overrides("report tables", {"genres": {"genres": "Genres"}})


@dataclasses.dataclass(frozen=True)
class _Histogram:
  """An outputs form no reader knows."""


def test_outputs_of_an_unknown_form_are_refused_by_every_reader():
  odd = dataclasses.replace(tasks_lib.GENRE, name="odd")
  object.__setattr__(odd, "outputs", _Histogram())
  for show in (prediction_columns.columns, task_fields.of, task_rows.rows, evaluate.task_figure):
    with pytest.raises(ValueError, match="task 'odd'.*cannot show outputs of form _Histogram"):
      show(odd)
