"""What the test suites share: the fixture book, the real server in a subprocess, one
WebSocket client, a sandbox backend or a skip (``backend_or_skip``), and ``wait_until`` for
every wait on something that happens elsewhere.

The benchmarks start their server with the same ``server_process`` (bench/common.py
imports it from here); the tests import nothing from bench.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from mpbook.engine.sandbox import Backend, SandboxError, choose_backend

ROOT = Path(__file__).resolve().parent.parent
FIXTURE_CONTENT = Path(__file__).parent / "fixtures" / "content"
STARTUP_SECONDS = 40  # for `mpbook serve` to answer, on a loaded machine
# Debian's Chromium (Playwright cannot download its own here), as the browser tests and benchmarks drive it.
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
)

T = TypeVar("T")


class ServerError(RuntimeError):
    """The server did not start (its output is in the message)."""


def wait_until(condition: Callable[[], T], timeout: float = 10, interval: float = 0.02,
               what: str = "the condition") -> T:
    """Call ``condition`` until it returns something true, and return that; fail after ``timeout`` s.

    The one way a test waits for something another thread or process does: the
    bound is generous because machines are busy, and a fast machine waits no longer
    than it must."""
    deadline = time.monotonic() + timeout
    while True:
        found = condition()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not hold within {timeout:g} s")
        time.sleep(interval)


# ---- the sandbox -------------------------------------------------------------------

def backend_or_skip(name: str, python: str | None = None) -> Backend:
    """The sandbox backend ``name`` (under ``python``, else the server's interpreter); the test
    is skipped where that backend cannot be used on this machine."""
    import pytest  # here, not at the top: the benchmarks import this module without pytest's help

    try:
        return choose_backend(name, python=python)
    except SandboxError as error:
        pytest.skip(f"the {name} sandbox cannot be used here: {error}")


# ---- the server --------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def answers(url: str) -> bool:
    """Whether a server answers HTTP at all: a 403 of a token-guarded server counts."""
    try:
        urllib.request.urlopen(url + "/", timeout=2).close()
    except urllib.error.HTTPError:
        return True
    except OSError:
        return False
    return True


@dataclass(frozen=True)
class Served:
    """A running ``mpbook serve``: its base URL, its (gunicorn master) process, its output file."""

    url: str
    process: subprocess.Popen[bytes]
    log: Path


@contextmanager
def server_process(env: Mapping[str, str] | None = None, keep_settings: bool = True,
                   args: Sequence[str] = ()) -> Iterator[Served]:
    """``mpbook serve`` (plus ``args``) on a free loopback port for the block.

    ``keep_settings=False`` drops the caller's MPBOOK_* variables, so the server runs
    with its defaults plus ``env``. The server's output goes to a file, never to a
    pipe nobody reads, and is shown if the server fails to start.
    """
    port = free_port()
    base = os.environ if keep_settings else {k: v for k, v in os.environ.items() if not k.startswith("MPBOOK_")}
    full_env = {**base, "PYTHONUNBUFFERED": "1", **(env or {})}
    log = tempfile.NamedTemporaryFile(prefix="mpbook-server-", suffix=".log", delete=False)  # noqa: SIM115 - closed in finally, after the server
    process = subprocess.Popen(
        [sys.executable, "-m", "mpbook.cli", "serve", *args, "--host", "127.0.0.1", "--port", str(port)],
        cwd=ROOT, env=full_env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while not answers(url):
            if process.poll() is not None:
                raise ServerError(f"the server exited with {process.returncode}:\n{Path(log.name).read_text()}")
            if time.monotonic() > deadline:
                raise ServerError(f"the server did not answer within {STARTUP_SECONDS} s:\n"
                                  f"{Path(log.name).read_text()}")
            time.sleep(0.1)
        yield Served(url, process, Path(log.name))
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(5)
        log.close()
        os.unlink(log.name)


@contextmanager
def live_server(env: Mapping[str, str] | None = None) -> Iterator[str]:
    """Yield the base URL of ``mpbook serve`` on a free loopback port; stop it afterwards."""
    with server_process(env) as served:
        yield served.url


# ---- the WebSocket client ----------------------------------------------------------

class Client:
    """One connection to /ws that reads frames with deadlines; ``frames`` keeps what ``until`` read.

    Not a context manager on purpose: a test may hold several open at once; ``close`` ends it."""

    def __init__(self, base: str, origin: str | None = None, headers: Mapping[str, str] | None = None,
                 hello: bool = True) -> None:
        from websockets.sync.client import connect

        # Entered by hand, not in a with block, so that a test can hold several open at once.
        self.ws = connect(base.replace("http://", "ws://") + "/ws", origin=origin,  # type: ignore[arg-type]
                          additional_headers=dict(headers) if headers else None, proxy=None, max_size=None,
                          open_timeout=10).__enter__()
        self.frames: list[dict[str, Any]] = []
        self.hello = self.next() if hello else None

    def send(self, frame: Mapping[str, Any] | str | None = None, **fields: Any) -> None:
        """Send ``frame`` (text as it is), or the frame of ``fields``: ``send(op="stop")``."""
        if isinstance(frame, str):
            self.ws.send(frame)
        else:
            self.ws.send(json.dumps({**(frame or {}), **fields}))

    def next(self, timeout: float = 15) -> dict[str, Any]:
        """The next frame; fails the test when none comes within ``timeout`` s."""
        try:
            raw = self.ws.recv(timeout=timeout)
        except TimeoutError:
            raise AssertionError(f"no frame within {timeout:g} s") from None
        frame: dict[str, Any] = json.loads(raw)
        return frame

    @property
    def output(self) -> str:
        """Everything printed, stdout and stderr, in the frames ``until`` read (a line may come in pieces)."""
        return "".join(f["data"] for f in self.frames if f["type"] == "output")

    def until(self, test: Callable[[dict[str, Any]], bool], timeout: float = 30) -> dict[str, Any]:
        """Read frames (kept in ``frames``) until one passes ``test``; that one."""
        deadline = time.monotonic() + timeout
        start = len(self.frames)
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"no such frame within {timeout:g} s: {self.frames[start:]}")
            self.frames.append(self.next(left))
            if test(self.frames[-1]):
                return self.frames[-1]

    def until_exit(self, timeout: float = 30) -> list[dict[str, Any]]:
        """Every frame up to and with the next exit frame."""
        start = len(self.frames)
        self.until(lambda frame: frame["type"] == "exit", timeout)
        return self.frames[start:]

    def said(self, printed: str, timeout: float = 30) -> None:
        """Read frames until the output so far ends with ``printed``."""
        if not self.output.endswith(printed):
            self.until(lambda f: f["type"] == "output" and self.output.endswith(printed), timeout)

    def run(self, timeout: float = 30, **fields: Any) -> list[dict[str, Any]]:
        """Run ``{"op": "run", **fields}``; every frame up to its exit."""
        self.send({"op": "run", **fields})
        return self.until_exit(timeout)

    def close(self) -> None:
        self.ws.close()


def text(frames: list[dict[str, Any]], stream: str = "stdout") -> str:
    """What ``frames`` printed on ``stream``."""
    return "".join(f["data"] for f in frames if f["type"] == "output" and f["stream"] == stream)


# A child puts 1 MB on a queue and the parent joins it before it gets: the deadlock of the
# deadlocks lesson, whose stacks the engine and the page tests read.
JOIN_BEFORE_GET = """\
import multiprocessing as mp

def work(q):
    q.put(b"x" * 2**20)

if __name__ == "__main__":
    q = mp.Queue()
    p = mp.Process(target=work, args=(q,))
    p.start()
    print("joining", flush=True)
    p.join()
    print(len(q.get()))
"""
