"""End to end on the built-in corpus: learning above chance, resume, refusal to clobber a run,
and unreadable files skipped and counted."""

import json
import shutil

import numpy as np
import pytest

from jmer import config as config_lib
from jmer.training import train
from jmer.data import loading
from jmer.data.datasets import builtin as synthetic_dataset


@pytest.fixture
def learnable_config(tiny_config):
  """Still tiny, but with enough clips and steps that learning can show."""
  c = tiny_config
  c.data.synthetic.clips_per_genre = 8
  c.data.synthetic.clip_seconds = 6.0
  c.data.val_fraction = 0.125
  c.data.test_fraction = 0.25
  c.train.epochs = 16
  c.train.crops_per_track = 4
  c.train.learning_rate = 3e-3
  c.train.patience = 10
  return c


@pytest.mark.slow
def test_tiny_run_learns_above_chance(learnable_config, tmp_path, capsys):
  report = train.train_and_evaluate(learnable_config, tmp_path / "run")
  out = capsys.readouterr().out
  assert "synthetic corpus" in out.splitlines()[0]  # the first line says which data is used
  m = report["metrics"]
  assert m["genre"]["n"] == 20
  assert m["genre"]["accuracy"] >= 0.3, m["genre"]  # chance is 0.1
  assert m["emotion_av"]["arousal"]["ccc"] > 0.2, m["emotion_av"]
  saved = json.loads((tmp_path / "run" / "metrics.json").read_text())
  assert saved["data"]["tracks"] == {"train": 50, "val": 10, "test": 20}
  assert saved["versions"]["keras"].startswith("3.")
  assert saved["config"]["train"]["lambda_emotion"] == 1.0
  for name in ("confusion_genre.png", "av_scatter.png", "learning_curves.png"):
    assert (tmp_path / "run" / "figures" / name).stat().st_size > 1000
  assert list((tmp_path / "run" / "tensorboard").rglob("events.out.tfevents*"))


@pytest.mark.slow
def test_resume_continues_from_the_next_epoch(tiny_config, tmp_path, capsys):
  workdir = tmp_path / "run"
  tiny_config.train.epochs = 1
  train.train_and_evaluate(tiny_config, workdir)
  first = (workdir / "checkpoints" / "last.weights.h5").read_bytes()
  tiny_config.train.epochs = 2  # the user asks for one more epoch on the same run
  capsys.readouterr()
  train.train_and_evaluate(tiny_config, workdir)
  out = capsys.readouterr().out
  assert "Resuming from" in out and "1 epoch(s) done" in out
  history = (workdir / "history.csv").read_text().splitlines()
  assert [line.split(",")[0] for line in history[1:]] == ["0", "1"]  # epoch 2 appended
  state = json.loads((workdir / "checkpoints" / "state.json").read_text())
  assert state["epoch"] == 2
  assert (workdir / "checkpoints" / "last.weights.h5").read_bytes() != first
  # A finished run is not retrained: rerunning only re-evaluates.
  train.train_and_evaluate(tiny_config, workdir)
  assert "Training already finished" in capsys.readouterr().out
  assert len((workdir / "history.csv").read_text().splitlines()) == 3


def test_a_different_experiment_never_overwrites_a_run(tiny_config, tmp_path):
  workdir = tmp_path / "run"
  workdir.mkdir()
  (workdir / "config.json").write_text(tiny_config.to_json())
  tiny_config.train.lambda_emotion = 0.25
  with pytest.raises(config_lib.ConfigError, match="lambda_emotion"):
    train.train_and_evaluate(tiny_config, workdir)
  assert json.loads((workdir / "config.json").read_text())["train"]["lambda_emotion"] == 1.0


@pytest.mark.slow
def test_unreadable_audio_is_reported_skipped_and_counted(tiny_config, caplog):
  corpus = synthetic_dataset.list_tracks(tiny_config, progress=False).tracks
  victim = corpus[3].path
  shutil.copy(victim, victim + ".bak")
  with open(victim, "r+b") as fh:  # a corrupt header: no longer a RIFF/WAVE file
    fh.write(b"\x00" * 64)
  data = loading.load_run_data(tiny_config, progress=False)
  skipped = data.description["skipped"]
  assert [s["path"] for s in skipped] == [victim]
  assert sum(data.description["tracks"].values()) == len(corpus) - 1
  assert victim in caplog.text and "Skipped 1 file" in caplog.text
  assert np.isfinite(data.splits["train"].features["mel"][0]).all()


@pytest.mark.slow
def test_the_same_seed_trains_the_same_model_and_another_seed_does_not(tiny_config, tmp_path):
  """The seed fixes split, init, crops, augmentation and dropout: two runs agree bit for bit."""
  tiny_config.augment.gain.enabled = True  # so augmentation's draws are covered too
  tiny_config.augment.specaugment.enabled = True

  def run(name, seed):
    tiny_config.seed = seed
    train.train_and_evaluate(tiny_config, tmp_path / name)
    return ((tmp_path / name / "test_predictions.csv").read_text(),
            (tmp_path / name / "history.csv").read_text())

  first, again, other = run("a", 0), run("b", 0), run("c", 1)
  assert first == again
  assert first[1] != other[1]  # a different seed trains differently (its losses differ)


@pytest.mark.slow
def test_final_fit_trains_on_every_track_and_writes_a_model(tiny_config, tmp_path, capsys):
  # select_on='last' chooses nothing on validation, so no track is held out for it; with
  # test_fraction = 0 every track trains and there is nothing to score, only a model to use.
  tiny_config.train.select_on = "last"
  tiny_config.data.test_fraction = 0.0
  tiny_config.train.epochs = 1
  report = train.train_and_evaluate(tiny_config, tmp_path / "run")
  n = 10 * tiny_config.data.synthetic.clips_per_genre
  assert report["data"]["tracks"] == {"train": n, "val": 0, "test": 0}
  assert report["metrics"] == {} and report["test_tracks"] == 0
  assert (tmp_path / "run" / "model.keras").is_file()
  assert "trained on every track" in capsys.readouterr().out


def test_a_monitoring_split_is_kept_only_when_asked(tiny_config):
  tiny_config.train.select_on = "last"
  assert loading.effective_val_fraction(tiny_config) == 0.0
  tiny_config.train.monitor_split = True
  assert loading.effective_val_fraction(tiny_config) == tiny_config.data.val_fraction
  tiny_config.train.select_on, tiny_config.train.monitor_split = "val_loss", False
  assert loading.effective_val_fraction(tiny_config) == tiny_config.data.val_fraction
