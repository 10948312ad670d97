"""One run per work dir at a time: a `.lock` file naming the process that uses the dir.

The owner is recorded as (pid, kernel start time, host), read back from /proc, so a lock left
by a dead process (kill -9, power loss) is recognised as stale and taken over, and a reused pid
is not mistaken for the owner.
"""

import contextlib
import json
import os
import pathlib
import socket
import time

LOCK_NAME = ".lock"


class WorkdirError(ValueError):
  """A work dir or cache dir cannot be used: in use by another process, or not writable.

  A ValueError so that entry points report it like a bad config: one line, no traceback."""


def _stat_fields(pid: int) -> list:
  """/proc/<pid>/stat's fields after the command name (state first); the name, in parentheses,
  may itself hold spaces and ")", so the split starts after its last ")"."""
  return pathlib.Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def _process_start(pid: int):
  """The kernel's start time of `pid` (/proc), so a reused pid is not mistaken for the owner."""
  try:
    return _stat_fields(pid)[19]
  except (OSError, IndexError):
    return None


def _alive(pid: int, start) -> bool:
  try:
    os.kill(pid, 0)
  except ProcessLookupError:
    return False
  except PermissionError:  # exists, owned by another user
    return True
  return start is None or _process_start(pid) in (None, start)


def _command(pid: int) -> str:
  """`pid`'s command line, or "?" where /proc has none (a zombie, or a process mid-exec)."""
  try:
    command = pathlib.Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
  except OSError:
    return "?"
  return command.strip() or "?"


def _age(path: pathlib.Path) -> float:
  try:
    return time.time() - path.stat().st_mtime
  except OSError:
    return 0.0


def _read_lock(path: pathlib.Path):
  try:
    return json.loads(path.read_text())
  except (OSError, ValueError):  # vanished, or half-written by a process killed mid-write
    return None


@contextlib.contextmanager
def lock_workdir(workdir):
  """Holds `workdir/.lock` (this pid) while a run uses the dir; refuses one that is in use.

  A lock whose process has died (kill -9, power loss) is stale and taken over. The same
  process may lock a dir again (cross-validation's folds run inside its locked dir).

  Args:
    workdir: the run's folder (created if missing).
  Yields:
    The work dir as a pathlib.Path.
  Raises:
    WorkdirError if a live process here, or one on another host, holds the lock.
  """
  workdir = pathlib.Path(workdir)
  workdir.mkdir(parents=True, exist_ok=True)
  path = workdir / LOCK_NAME
  mine = dict(pid=os.getpid(), start=_process_start(os.getpid()), host=socket.gethostname())
  for _ in range(50):
    try:
      fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
    except FileExistsError:
      owner = _read_lock(path)
      if owner is None and _age(path) < 2.0:  # its owner is between creating and writing it
        time.sleep(0.1)
        continue
      if owner and owner.get("pid") == mine["pid"] and owner.get("start") == mine["start"]:
        yield workdir  # re-entrant: this process already holds it
        return
      if owner and owner.get("host") == mine["host"] and _alive(owner["pid"], owner.get("start")):
        raise WorkdirError(
            f"{workdir} is in use by process {owner['pid']} ({_command(owner['pid'])}); wait "
            f"for it to finish, stop it, or pass another --workdir.") from None
      if owner and owner.get("host") != mine["host"]:
        raise WorkdirError(f"{workdir} is locked by process {owner.get('pid')} on host "
                           f"{owner.get('host')}; delete {path} if that run is gone.") from None
      # Stale (its process is gone) or unreadable: take it over.
      with contextlib.suppress(FileNotFoundError):
        path.unlink()
      continue
    with os.fdopen(fd, "w") as fh:
      json.dump(mine, fh)
    break
  else:
    raise WorkdirError(f"could not take the lock {path}: other processes keep replacing it.")
  try:
    yield workdir
  finally:
    if (_read_lock(path) or {}).get("pid") == mine["pid"]:
      with contextlib.suppress(FileNotFoundError):
        path.unlink()
