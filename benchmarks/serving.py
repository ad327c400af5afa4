"""gunicorn on a loopback port, shared by the benchmarks that load the app over HTTP."""
from collections.abc import Callable
import os
from pathlib import Path
import signal
import socket
import subprocess
import sys
import time

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_gunicorn(options: list[str], env: dict, ready: Callable[[int], bool]) -> tuple[subprocess.Popen, int]:
    """gunicorn serving ``wsgi:app`` with ``options`` on a free loopback port, returned once
    ``ready(port)`` says it answers; exits the benchmark if it has not after a minute."""
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", *options, "-b", f"127.0.0.1:{port}",
                               "--log-level", "warning", "wsgi:app"], cwd=ROOT, env=env, start_new_session=True)
    deadline = time.monotonic() + 60
    while True:
        try:
            if ready(port):
                return server, port
        except OSError:
            pass
        if time.monotonic() > deadline or server.poll() is not None:
            stop([server])
            sys.exit("gunicorn did not start")
        time.sleep(0.2)


def stop(processes: list[subprocess.Popen], grace: float = 30) -> None:
    """Stop each process with its group (gunicorn's workers, a build's renderers, a queue worker
    finishing its PDF): SIGTERM, then SIGKILL for whatever has not stopped after ``grace`` seconds."""
    for process in processes:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
    for process in processes:
        try:
            process.wait(grace)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
