"""Runs the web demo (`python -m jmer.demo`) in a child process on a free local port.

For whatever drives the demo from outside, headless: its browser test and the recording script
(experiments/record_demo.py). The demo itself is jmer/inference/demo.py.
"""

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request


def free_port() -> int:
  """Returns a TCP port number on 127.0.0.1 that nothing listens on right now."""
  with socket.socket() as sock:
    sock.bind(("127.0.0.1", 0))
    return sock.getsockname()[1]


def wait_for_http(url: str, process, timeout: float = 180.0) -> None:
  """Returns once `url` answers; raises with the demo's output if `process` exits first.

  Args:
    url: the address polled, every 0.5 seconds.
    process: the demo's subprocess.Popen, its output piped as text.
    timeout: how long to wait, in seconds.

  Raises:
    RuntimeError with the demo's output when it exits; TimeoutError after `timeout`.
  """
  deadline = time.monotonic() + timeout
  while time.monotonic() < deadline:
    if process.poll() is not None:
      raise RuntimeError(f"the demo exited early:\n{process.stdout.read()}")
    try:
      urllib.request.urlopen(url, timeout=2)
      return
    except OSError:
      time.sleep(0.5)
  raise TimeoutError(f"the demo did not answer on {url} within {timeout} s")


@contextlib.contextmanager
def running_demo(model_path=None, timeout: float = 180.0):
  """Starts the demo on `model_path` (None: the shipped model, as a user's `python -m
  jmer.demo` does) and yields its URL once it answers; stops it on exit.

  Args:
    model_path: a model file or shipped model's name, or None.
    timeout: how long to wait for the demo to answer, in seconds.

  Yields:
    The demo's URL, http://127.0.0.1:<port>/.
  """
  port = free_port()
  # No analytics call home (the machine may be offline); Agg, as the child has no display.
  env = dict(os.environ, GRADIO_ANALYTICS_ENABLED="False", MPLBACKEND="Agg")
  process = subprocess.Popen(
      [sys.executable, "-m", "jmer.demo", f"--port={port}",
       *([f"--model={model_path}"] if model_path else [])],
      stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
  try:
    url = f"http://127.0.0.1:{port}/"
    wait_for_http(url, process, timeout)
    yield url
  finally:
    process.terminate()
    process.wait(timeout=30)
