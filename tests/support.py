"""Shared by the test suites: the fixture book, and the real server started in a subprocess."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, Mapping

ROOT = Path(__file__).resolve().parent.parent
FIXTURE_CONTENT = Path(__file__).parent / "fixtures" / "content"
STARTUP_SECONDS = 40


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def live_server(env: Mapping[str, str] | None = None) -> Iterator[str]:
    """Yield the base URL of ``mpbook serve`` on a free loopback port; stop it afterwards.

    The server's output goes to a file, not a pipe nobody reads, so a chatty
    server can never block on it; the file is shown when the server fails to start.
    """
    port = free_port()
    full_env = {**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}
    log = tempfile.NamedTemporaryFile(prefix="mpbook-test-server-", suffix=".log", delete=False)
    process = subprocess.Popen(
        [sys.executable, "-m", "server.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
        cwd=ROOT, env=full_env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"the server exited with {process.returncode}:\n{Path(log.name).read_text()}")
            try:
                with urllib.request.urlopen(url + "/api/examples", timeout=2):
                    break
            except urllib.error.HTTPError:
                break  # it answers, if only with 403 to a client without the access token
            except (OSError, urllib.error.URLError):
                if time.monotonic() > deadline:
                    raise RuntimeError(f"the server did not answer within {STARTUP_SECONDS} s:\n"
                                       f"{Path(log.name).read_text()}") from None
                time.sleep(0.2)
        yield url
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(5)
        log.close()
        os.unlink(log.name)
