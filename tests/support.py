"""Shared by the test suites: the fixture book, and the real server started in a subprocess."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, Mapping

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURE_CONTENT = Path(__file__).parent / "fixtures" / "content"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def live_server(env: Mapping[str, str] | None = None, startup_seconds: float = 20) -> Iterator[str]:
    """Yield the base URL of a running ``mpbook serve``; stop it afterwards."""
    port = free_port()
    full_env = {**os.environ, "MPBOOK_HOST": "127.0.0.1", "MPBOOK_PORT": str(port), **(env or {})}
    process = subprocess.Popen(
        [sys.executable, "-m", "server.cli", "serve"], cwd=ROOT, env=full_env,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + startup_seconds
        while True:
            if process.poll() is not None:
                output = process.stdout.read().decode(errors="replace") if process.stdout else ""
                raise RuntimeError(f"the server exited with {process.returncode}:\n{output}")
            try:
                with urllib.request.urlopen(url + "/api/examples", timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"the server did not answer within {startup_seconds} s") from None
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)
