"""Faults a run must survive: kill -9 anywhere, a second process in its work dir, a read-only
or unwritable work dir, and truncated or corrupt checkpoints and feature cache entries.

Kills and locks use real processes and signals, not mocks; corruption is done to real files.
"""

import json
import os
import pathlib
import signal
import subprocess
import sys
import time

import keras
import numpy as np
import pytest

from jmer.data import features
from jmer.training import callbacks
from jmer.training import checkpoints
from jmer.training import train
from jmer.training import workdir as workdir_lib
from jmer.training import workdir_lock

REPO = pathlib.Path(__file__).resolve().parents[2]


# --- one run per work dir ------------------------------------------------------------------

def _write_lock(folder: pathlib.Path, pid: int):
  folder.mkdir(parents=True, exist_ok=True)
  (folder / workdir_lock.LOCK_NAME).write_text(json.dumps(dict(
      pid=pid, start=workdir_lock._process_start(pid), host=os.uname().nodename)))


def _wait_until(condition, what: str, seconds: float = 10):
  deadline = time.monotonic() + seconds
  while not condition():
    assert time.monotonic() < deadline, f"{what} within {seconds} s"
    time.sleep(0.01)


def _sleeper() -> subprocess.Popen:
  """A `sleep 60` whose command line /proc already shows.

  Popen returns once the child has begun exec, but the kernel fills the new image's command line
  a moment later: under load a lock check in that gap read "" (seen once in CI).
  """
  other = subprocess.Popen(["sleep", "60"])
  _wait_until(lambda: workdir_lock._command(other.pid) == "sleep 60",
              f"sleep 60 (pid {other.pid}) never showed its command line")
  return other


def test_a_work_dir_in_use_by_a_live_process_is_refused_naming_it(tmp_path):
  other = _sleeper()
  try:
    _write_lock(tmp_path, other.pid)
    with pytest.raises(workdir_lib.WorkdirError, match=rf"in use by process {other.pid} \(sleep 60\)"):
      with workdir_lock.lock_workdir(tmp_path):
        pass
  finally:
    other.kill()
    other.wait()


def test_a_process_without_a_command_line_is_named_by_a_question_mark_not_blank():
  child = subprocess.Popen(["true"])  # exits and, unreaped, stays a zombie: no command line
  _wait_until(lambda: workdir_lock._stat_fields(child.pid)[0] == "Z", "`true` never exited")
  try:
    assert pathlib.Path(f"/proc/{child.pid}/cmdline").read_bytes() == b""
    assert workdir_lock._command(child.pid) == "?"
  finally:
    child.wait()


def test_a_lock_left_by_a_killed_process_is_taken_over_and_released(tmp_path):
  other = subprocess.Popen(["sleep", "60"])
  _write_lock(tmp_path, other.pid)
  other.send_signal(signal.SIGKILL)
  other.wait()
  with workdir_lock.lock_workdir(tmp_path):
    assert json.loads((tmp_path / ".lock").read_text())["pid"] == os.getpid()
    with workdir_lock.lock_workdir(tmp_path):  # the same process may re-enter (crossval folds)
      pass
  assert not (tmp_path / ".lock").exists()


def test_train_refuses_a_work_dir_another_run_holds(tiny_config, tmp_path):
  other = _sleeper()
  try:
    _write_lock(tmp_path / "run", other.pid)
    with pytest.raises(workdir_lib.WorkdirError, match=f"process {other.pid}"):
      train.train_and_evaluate(tiny_config, tmp_path / "run")
    assert not (tmp_path / "run" / "config.json").exists()  # refused before writing anything
  finally:
    other.kill()
    other.wait()


# --- read-only / unwritable folders ----------------------------------------------------------

def _mount_tmpfs(folder: pathlib.Path, options: str):
  """Mounts a tmpfs on `folder`; skips (saying why) where this process may not mount."""
  folder.mkdir(parents=True, exist_ok=True)
  done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)],
                        capture_output=True, text=True)
  if done.returncode != 0:
    pytest.skip(f"cannot mount a tmpfs here ({done.stderr.strip()})")
  return folder


@pytest.fixture
def small_disk(tmp_path):
  """A 256 KiB tmpfs: filling it gives a real 'No space left on device'."""
  folder = _mount_tmpfs(tmp_path / "disk", "size=256k")
  yield folder
  subprocess.run(["umount", str(folder)], check=False)


def _fill(folder: pathlib.Path):
  with open(folder / "filler", "wb", buffering=0) as fh:
    try:
      while True:
        fh.write(b"\0" * 4096)
    except OSError:  # ENOSPC: the disk is full now
      pass


def test_a_full_disk_fails_up_front_naming_the_path(small_disk):
  _fill(small_disk)
  with pytest.raises(workdir_lib.WorkdirError, match=rf"{small_disk}/run is not writable "
                     r"\(No space left on device\); free some disk space"):
    workdir_lib.check_writable(small_disk / "run", "work dir")


def test_a_disk_filling_up_mid_run_leaves_the_last_checkpoint_intact(small_disk):
  model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
  saver = callbacks.CheckpointAndResume(small_disk / "checkpoints", patience=5, epochs=4)
  saver.set_model(model)
  saver.on_epoch_end(0, dict(loss=1.0, val_loss=1.0))
  saved = (small_disk / "checkpoints" / "last.weights.h5").read_bytes()
  _fill(small_disk)
  model.layers[0].kernel.assign(np.ones((3, 2), np.float32))
  with pytest.raises(OSError):
    saver.on_epoch_end(1, dict(loss=0.5, val_loss=0.5))
  (small_disk / "filler").unlink()
  state = checkpoints.load_state(small_disk / "checkpoints")  # verified against its checksums
  assert state["epoch"] == 1
  assert (small_disk / "checkpoints" / "last.weights.h5").read_bytes() == saved


@pytest.fixture
def read_only_dir(tmp_path):
  """A read-only tmpfs mount: tests run as root, for whom chmod 0o555 does not stop writes, so
  only a real read-only mount tests this; where mounting is not permitted the test skips."""
  folder = _mount_tmpfs(tmp_path / "ro", "ro,size=1m")
  yield folder
  subprocess.run(["umount", str(folder)], check=False)


def test_a_read_only_work_dir_fails_before_training_naming_the_path(tiny_config, read_only_dir):
  with pytest.raises(workdir_lib.WorkdirError,
                     match=rf"the work dir {read_only_dir}/run is not writable \(Read-only"):
    train.train_and_evaluate(tiny_config, read_only_dir / "run")


def test_a_read_only_cache_dir_fails_before_training_naming_the_key(tiny_config, read_only_dir,
                                                                    tmp_path):
  tiny_config.data.cache_dir = str(read_only_dir)
  with pytest.raises(workdir_lib.WorkdirError, match=r"cache dir \(config.data.cache_dir\)"):
    train.train_and_evaluate(tiny_config, tmp_path / "run")
  assert not (tmp_path / "run" / "config.json").exists()


# --- feature cache entries -----------------------------------------------------------------

def test_truncated_and_garbled_cache_entries_are_detected_and_rebuilt(tiny_config, tmp_path):
  from jmer.data.datasets import builtin
  tracks = builtin.list_tracks(tiny_config, progress=False).tracks[:3]
  params = features.feature_params(tiny_config)
  cache = tmp_path / "cache"
  features.build_cache(tracks, params, cache, workers=1, progress=False)
  paths = [features.track_cache_path(cache, name, p, t) for t in tracks
           for name, p in params.items()]
  originals = [p.read_bytes() for p in paths]
  paths[0].write_bytes(originals[0][:len(originals[0]) // 2])  # cut short
  paths[1].write_bytes(b"\0" * len(originals[1]))  # garbled header
  assert not features.cache_entry_ok(paths[0]) and not features.cache_entry_ok(paths[1])
  assert all(features.cache_entry_ok(p) for p in paths[2:])
  with pytest.raises(features.CacheError, match=str(paths[0])):
    features.load_track_features(tracks[0], params, cache)
  usable, skipped = features.build_cache(tracks, params, cache, workers=1, progress=False)
  assert len(usable) == 3 and not skipped
  assert [p.read_bytes() for p in paths] == originals


# --- checkpoints -----------------------------------------------------------------------------

@pytest.fixture
def checkpointed(tmp_path):
  """A checkpoint dir after two epochs of a small real model, through CheckpointAndResume."""
  model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
  saver = callbacks.CheckpointAndResume(tmp_path / "checkpoints", patience=5, epochs=4)
  saver.set_model(model)
  saver.on_epoch_end(0, dict(loss=1.0, val_loss=1.0))
  model.layers[0].kernel.assign(np.ones((3, 2), np.float32))
  saver.on_epoch_end(1, dict(loss=0.5, val_loss=0.5))
  return tmp_path / "checkpoints"


@pytest.mark.parametrize("name", ["last.weights.h5", "best.keras"])
def test_a_truncated_checkpoint_is_reported_not_loaded(checkpointed, name):
  data = (checkpointed / name).read_bytes()
  (checkpointed / name).write_bytes(data[:len(data) - 100])
  with pytest.raises(checkpoints.CheckpointError, match=f"{checkpointed / name} is truncated or"):
    checkpoints.load_state(checkpointed)


def test_a_corrupt_state_file_is_reported(checkpointed):
  (checkpointed / "state.json").write_text('{"epoch": 2, "best_va')
  with pytest.raises(checkpoints.CheckpointError, match="state.json is not valid JSON"):
    checkpoints.load_state(checkpointed)


def test_a_kill_between_commit_and_rename_is_rolled_forward(checkpointed):
  """state.json (the commit point) is written before the staged files are renamed; a kill in
  between leaves the new file under its staged name, which the next load moves into place."""
  good = (checkpointed / "last.weights.h5").read_bytes()
  (checkpointed / "tmp-last.weights.h5").write_bytes(good)
  (checkpointed / "last.weights.h5").write_bytes(b"the previous epoch's weights")
  state = checkpoints.load_state(checkpointed)
  assert state["epoch"] == 2 and (checkpointed / "last.weights.h5").read_bytes() == good
  assert not (checkpointed / "tmp-last.weights.h5").exists()


def test_history_keeps_each_epoch_once_after_a_resume(tmp_path):
  history = tmp_path / "history.csv"
  history.write_text("epoch,loss,val_loss\n0,1.0,1.1\n1,0.9,1.0\n2,0.8,0.9\n3,0.")  # epoch 2 redone, 3 half-written
  logger = callbacks.HistoryLogger(history, initial_epoch=2)
  logger.set_model(keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)]))
  logger.on_train_begin()
  logger.on_epoch_end(2, dict(loss=0.7, val_loss=0.6))
  logger.on_train_end()
  assert history.read_text().splitlines() == ["epoch,loss,val_loss", "0,1.0,1.1", "1,0.9,1.0",
                                              "2,0.7,0.6"]


# --- kill -9 at several points, then rerun ----------------------------------------------------

def _start(workdir, cache):
  """Starts configs/test.py in a subprocess (its own process group); returns (proc, log, offset)."""
  log = workdir.parent / f"{workdir.name}.log"
  with open(log, "a") as out:
    offset = out.tell()
    proc = subprocess.Popen(
        [sys.executable, "-m", "jmer.main", "--config=configs/test.py", f"--workdir={workdir}",
         "--config.train.verbose=2"], cwd=REPO, stdout=out, stderr=subprocess.STDOUT,
        env=dict(os.environ, PYTHONPATH=str(REPO), JMER_CACHE=str(cache)),
        start_new_session=True)
  return proc, log, offset


def _watch(started, kill_when=None) -> str:
  """SIGKILLs the run's process group once `kill_when(its log)` holds; 'killed' or 'finished'."""
  proc, log, offset = started
  while proc.poll() is None:
    if kill_when is not None and kill_when(log.read_text()[offset:]):
      os.killpg(proc.pid, signal.SIGKILL)
      proc.wait()
      return "killed"
    time.sleep(0.02)
  assert proc.returncode == 0, log.read_text()[-3000:]
  return "finished"


def _run(workdir, cache, kill_when=None) -> str:
  return _watch(_start(workdir, cache), kill_when)


@pytest.mark.slow
def test_kill_9_at_four_points_then_rerun_gives_the_uninterrupted_metrics(tmp_path):
  reference, run = tmp_path / "reference", tmp_path / "run"
  uninterrupted = _start(reference, tmp_path / "cache_ref")  # alongside the killed runs
  cache = tmp_path / "cache"
  kill_points = {
      "feature cache build": lambda log: any((cache / "features").rglob("*.npy")),
      "end of epoch 1 (checkpoint write)": lambda log: (
          (run / "history.csv").exists() and len((run / "history.csv").read_text().split()) > 1),
      "mid epoch 2": lambda log: "Epoch 2/2" in log,
      "evaluation (after export)": lambda log: (run / "model.keras").exists(),
  }
  outcomes = {}
  try:
    for point, condition in kill_points.items():
      outcomes[point] = _run(run, cache, condition)
      assert not (run / ".lock").exists() or outcomes[point] == "killed"
    if outcomes["evaluation (after export)"] == "killed":
      assert _run(run, cache) == "finished"
    assert _watch(uninterrupted) == "finished"
  finally:
    if uninterrupted[0].poll() is None:
      os.killpg(uninterrupted[0].pid, signal.SIGKILL)
      uninterrupted[0].wait()
  print("kill points:", outcomes)
  assert list(outcomes.values()).count("killed") >= 3, outcomes
  expected = json.loads((reference / "metrics.json").read_text())
  got = json.loads((run / "metrics.json").read_text())
  assert got["metrics"] == expected["metrics"]  # bitwise: every float equal
  assert got["training"] == expected["training"]
  history = (run / "history.csv").read_text().splitlines()
  assert [row.split(",")[0] for row in history[1:]] == ["0", "1"]


@pytest.mark.slow
def test_a_resumed_run_draws_the_same_dropout_masks_as_an_uninterrupted_one(tmp_path):
  """Dropout's seed state is not in the weights file; the checkpoint keeps it in state.json."""
  x = np.random.default_rng(0).normal(size=(64, 8)).astype(np.float32)

  def fit(checkpoint_dir, epochs, initial_epoch=0, weights=None):
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((8,)), keras.layers.Dense(16),
                              keras.layers.Dropout(0.5), keras.layers.Dense(2)])
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse")
    if weights:
      model.optimizer.build(model.trainable_variables)
      model.load_weights(weights)
    saver = callbacks.CheckpointAndResume(checkpoint_dir, patience=9, epochs=3)
    model.fit(x, x[:, :2], batch_size=16, epochs=epochs, initial_epoch=initial_epoch,
              shuffle=False, verbose=0, callbacks=[saver])
    return model.get_weights()

  uninterrupted = fit(tmp_path / "a", 3)
  fit(tmp_path / "b", 1)  # then the process dies
  resumed = fit(tmp_path / "b", 3, initial_epoch=1, weights=tmp_path / "b" / "last.weights.h5")
  assert all(np.array_equal(u, r) for u, r in zip(uninterrupted, resumed))
