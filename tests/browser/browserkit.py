"""Helpers for the browser tests: bounded waits on the page's state (window.MPBook)."""

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
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

ROOT = Path(__file__).resolve().parents[2]
STARTUP_SECONDS = 40


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serve(extra_env: dict[str, str] | None = None) -> Iterator[str]:
    """Run ``python -m server.cli serve`` on a free loopback port until the block ends."""
    port = _free_port()
    env = {**os.environ, "MPBOOK_WARM_SANDBOXES": "1", "PYTHONUNBUFFERED": "1", **(extra_env or {})}
    log = tempfile.NamedTemporaryFile(prefix="mpbook-browser-server-", suffix=".log", delete=False)
    process = subprocess.Popen(
        [sys.executable, "-m", "server.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
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


def get_json(url: str, timeout: float = 5) -> Any:
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return json.loads(response.read().decode("utf-8"))


def wait_connected(page: Any, timeout: int = 15_000) -> None:
    """Until the page's socket has said hello and the Run buttons are live."""
    page.wait_for_function("() => window.MPBook && MPBook.connection.hello() !== null", timeout=timeout)


def run_and_wait(page: Any, eid: str, timeout_ms: int = 40_000, times: int = 1) -> list[dict[str, Any]]:
    """Click Run (or Run ×3) on example ``eid``; return each run's text, state and status line."""
    figure = page.locator(f'figure.example[data-example="{eid}"]')
    figure.scroll_into_view_if_needed()
    figure.locator("button.run3" if times == 3 else "button.run").click()
    page.wait_for_function(
        """([id, times]) => { const ex = MPBook.run.example(id);
             return ex && ex.views.length === times && ex.views.every(v => v.done) && !ex.isRunning; }""",
        arg=[eid, times], timeout=timeout_ms,
    )
    return page.evaluate(
        """id => MPBook.run.example(id).views.map(v => ({
             stdout: v.text.stdout, stderr: v.text.stderr, state: v.root.dataset.state,
             status: v.state.textContent, result: v.result,
             lines: Array.from(v.out.querySelectorAll('.line')).map(l => ({
               text: l.querySelector('.text') ? l.querySelector('.text').textContent : l.textContent,
               stream: l.dataset.stream || null, badge: l.querySelector('.proc-badge') ? l.querySelector('.proc-badge').textContent : null })),
             lanes: Array.from(v.root.querySelectorAll('.tl-lane')).map(l => ({
               pid: l.dataset.pid, name: l.querySelector('.tl-name').textContent,
               exit: l.querySelector('.tl-exit').textContent, ticks: l.querySelectorAll('.tl-tick').length })),
           }))""",
        eid,
    )
