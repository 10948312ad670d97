"""jmer.inference.demo_server: the child-process harness the browser test and recorder share."""

import socket
import subprocess
import sys

import pytest

from jmer.inference import demo_server


def test_free_port_can_be_bound():
  port = demo_server.free_port()
  with socket.socket() as sock:
    sock.bind(("127.0.0.1", port))  # raises if something holds it


def test_wait_for_http_returns_once_the_server_answers(tmp_path):
  port = demo_server.free_port()
  server = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind",
                             "127.0.0.1", "--directory", str(tmp_path)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
  try:
    demo_server.wait_for_http(f"http://127.0.0.1:{port}/", server, timeout=30)
    assert server.poll() is None
  finally:
    server.terminate()
    server.wait(timeout=10)


def test_wait_for_http_reports_a_child_that_died_with_its_output():
  script = "print('model file not found'); raise SystemExit(2)"
  dead = subprocess.Popen([sys.executable, "-c", script],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
  dead.wait(timeout=30)
  with pytest.raises(RuntimeError, match="exited early:\nmodel file not found"):
    demo_server.wait_for_http(f"http://127.0.0.1:{demo_server.free_port()}/", dead, timeout=30)
