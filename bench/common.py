"""Shared by the benchmarks: statistics, result rows, the server and clients they measure.

Everything runs on loopback. The server is the real ``mpbook serve`` in a
subprocess, as a reader would reach it; the clients are a raw WebSocket
(websockets) and Debian's Chromium driven by Playwright.
"""

from __future__ import annotations

import json
import math
import os
import platform
import subprocess
import sys
import time
import urllib.error
import urllib.request
import venv
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.helpers import CHROMIUM, CHROMIUM_ARGS, server_process

# The binary the server runs on, not a `python3` on PATH (a pyenv shim adds ~15 ms to every start).
INTERPRETER = os.path.realpath(sys.executable)


class BenchError(RuntimeError):
    """A measurement could not be taken at all (as opposed to a slow one)."""


# ---- statistics and rows ---------------------------------------------------------

def percentile(samples: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0-100), interpolated between the closest ranks."""
    if not samples:
        raise ValueError("no samples")
    ordered = sorted(samples)
    rank = (len(ordered) - 1) * q / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


@dataclass(frozen=True)
class Stats:
    """Samples of one quantity, with the two numbers the table shows."""

    samples: tuple[float, ...]

    @classmethod
    def of(cls, samples: Sequence[float]) -> Stats:
        if not samples:
            raise BenchError("no samples were taken")
        return cls(tuple(samples))

    @property
    def median(self) -> float:
        return percentile(self.samples, 50)

    @property
    def p95(self) -> float:
        return percentile(self.samples, 95)


@dataclass
class Row:
    """One line of the table. ``verdict`` is "ok", "missed", or "—" where no target applies."""

    measurement: str
    stats: Stats
    unit: str  # "ms" or "KB"
    reference: str = ""  # the reference measured in the same run, as text
    comparison: str = ""  # ratio or overhead against the reference
    target: str = ""
    verdict: str = "—"
    note: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "measurement": self.measurement, "unit": self.unit,
            "median": self.stats.median, "p95": self.stats.p95, "samples": list(self.stats.samples),
            "reference": self.reference,
            "comparison": self.comparison, "target": self.target, "verdict": self.verdict, "note": self.note,
        }


@dataclass
class Report:
    """What one benchmark module hands back: its rows and notes (skips, findings)."""

    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def ms(value: float) -> str:
    return f"{value:.1f} ms"


def verdict(passed: bool) -> str:
    return "ok" if passed else "missed"


def stats_text(stats: Stats, unit: str) -> str:
    """"median / p95 unit", for a reference column."""
    return f"{stats.median:.1f} / {stats.p95:.1f} {unit}"


def format_table(rows: Sequence[Row]) -> str:
    """A Markdown table (readable in a terminal too)."""
    header = ("measurement", "median", "p95", "reference (median / p95)", "ratio / overhead", "target", "verdict")
    lines = [header]
    for row in rows:
        if row.unit == "KB":  # sizes do not vary between loads: one number
            median, p95 = f"{row.stats.median:.1f} KB", ""
        else:
            median, p95 = f"{row.stats.median:.1f} {row.unit}", f"{row.stats.p95:.1f} {row.unit}"
        lines.append((row.measurement, median, p95, row.reference, row.comparison, row.target, row.verdict))
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    out = []
    for number, line in enumerate(lines):
        out.append("| " + " | ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)) + " |")
        if number == 0:
            out.append("| " + " | ".join("-" * width for width in widths) + " |")
    return "\n".join(out)


# ---- the machine -------------------------------------------------------------------

def machine() -> dict[str, str]:
    """What the numbers depend on: cores, CPU, memory, kernel, Python, Chromium, bubblewrap."""
    def first_line(argv: Sequence[str]) -> str:
        try:
            done = subprocess.run(argv, capture_output=True, text=True, timeout=20, check=False)
        except (OSError, subprocess.TimeoutExpired):
            return "not found"
        return done.stdout.strip().splitlines()[0] if done.stdout.strip() else "not found"

    def proc_field(path: str, key: str) -> str:
        try:
            lines = Path(path).read_text().splitlines()
        except OSError:
            return "unknown"
        return next((line.split(":", 1)[1].strip() for line in lines if line.startswith(key)), "unknown")

    memory = proc_field("/proc/meminfo", "MemTotal")
    return {
        "cores": str(os.cpu_count()),
        "cpu": proc_field("/proc/cpuinfo", "model name"),
        "memory": f"{int(memory.split()[0]) / 2**20:.1f} GiB" if memory.split()[0].isdigit() else memory,
        "kernel": platform.release(),
        "python": f"{platform.python_version()} ({INTERPRETER})",
        "chromium": first_line([CHROMIUM if os.path.exists(CHROMIUM) else "chromium", "--version"]),
        "bubblewrap": first_line(["bwrap", "--version"]),
    }


# ---- the reference: a bare interpreter start ------------------------------------

def time_command(argv: Sequence[str], cwd: str | Path | None = None, timeout: float = 60) -> tuple[float, int]:
    """Wall milliseconds from spawning ``argv`` until it has exited, and its exit code."""
    start = time.perf_counter()
    done = subprocess.run(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                          stdin=subprocess.DEVNULL, timeout=timeout, check=False)
    return (time.perf_counter() - start) * 1000, done.returncode


def bare_start_ms() -> float:
    """One start of the bare interpreter (``-I -S -c pass``), in ms: what a run's start is set beside."""
    return time_command([INTERPRETER, "-I", "-S", "-c", "pass"])[0]


def clean_interpreter(into: Path) -> str:
    """The server's interpreter in a fresh venv made in ``into``: what a program run directly meets.

    The sandbox's interpreter sees no site-packages but its own; the base
    installation's may hold .pth files that import modules at every start
    (here one costs ~20 ms), which would flatter the sandbox by comparison."""
    venv.create(into, with_pip=False, symlinks=True)
    return str(into / "bin" / "python")


# ---- the server ------------------------------------------------------------------
# One server starter for tests and benchmarks: tests/helpers.py owns it.

# Settings that would make a benchmark measure something else: no rate limit,
# a loopback host, the real book unless the caller says otherwise.
SERVER_ENV = {"MPBOOK_HOST": "127.0.0.1", "MPBOOK_RUNS_PER_MINUTE": "0", "MPBOOK_EDITING": "true"}


@contextmanager
def serve(env: Mapping[str, str] | None = None) -> Iterator[str]:
    """The server as benchmarks want it (SERVER_ENV plus ``env``); yield its base URL."""
    with server_process({**SERVER_ENV, **(env or {})}) as served:
        yield served.url


def get_json(url: str, timeout: float = 10) -> Any:
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return json.loads(response.read().decode("utf-8"))


def plain_example(base: str) -> str:
    """The id of the first example with no files besides main.py: edited code runs alone in it."""
    for summary in get_json(base + "/api/examples"):
        if not get_json(f"{base}/api/examples/{summary['id']}")["files"]:
            return str(summary["id"])
    raise BenchError("the book has no example without extra files")


# ---- the raw WebSocket client ----------------------------------------------------

HELLO = 'print("hi")\n'  # the program whose first output the start benchmarks time

class Socket:
    """One WebSocket to /ws that reads frames with deadlines and stamps their arrival."""

    def __init__(self, base: str) -> None:
        from websockets.sync.client import connect

        self._connection = connect(base.replace("http://", "ws://") + "/ws", proxy=None, max_size=None,
                                   open_timeout=10, compression=None)
        self.hello = self.next(10)[0]
        if self.hello.get("type") != "hello":
            raise BenchError(f"the server's first frame was not hello: {self.hello}")

    def send(self, frame: Mapping[str, Any]) -> float:
        """Send ``frame``; the perf_counter time just before it left."""
        data = json.dumps(frame)
        start = time.perf_counter()
        self._connection.send(data)
        return start

    def next(self, timeout: float) -> tuple[dict[str, Any], float]:
        """The next frame and the perf_counter time it arrived."""
        try:
            raw = self._connection.recv(timeout=timeout)
        except TimeoutError:
            raise BenchError(f"no frame from the server within {timeout:g} s") from None
        return json.loads(raw), time.perf_counter()

    def run(self, frame: Mapping[str, Any], timeout: float = 60,
            on_frame: Callable[[dict[str, Any], float], None] | None = None) -> tuple[float, dict[str, Any]]:
        """Send a run and read until its exit frame; the send time and the exit frame."""
        sent = self.send({"op": "run", **frame})
        deadline = sent + timeout
        while True:
            left = deadline - time.perf_counter()
            if left <= 0:
                raise BenchError(f"the run of {frame.get('example')} did not end within {timeout:g} s")
            reply, at = self.next(left)
            if on_frame is not None:
                on_frame(reply, at)
            if reply["type"] == "error":
                raise BenchError(f"the server refused the run: {reply}")
            if reply["type"] == "exit":
                return sent, reply

    def first_output_ms(self, example: str, timeout: float = 30) -> float:
        """Run ``print("hi")`` as ``example``'s code: ms from the send to its first output frame."""
        first: list[float] = []

        def note(frame: dict[str, Any], at: float) -> None:
            if frame["type"] == "output" and not first:
                first.append(at)

        sent, end = self.run({"example": example, "code": HELLO}, timeout=timeout, on_frame=note)
        if not first or end["reason"] != "ok":
            raise BenchError(f"print(\"hi\") did not print and end well: {end}")
        return (first[0] - sent) * 1000

    def close(self) -> None:
        self._connection.close()


@contextmanager
def socket_to(base: str) -> Iterator[Socket]:
    client = Socket(base)
    try:
        yield client
    finally:
        client.close()


# ---- the browser -----------------------------------------------------------------

@contextmanager
def chromium(extra_args: Sequence[str] = ()) -> Iterator[Any]:
    """A headless Chromium: Debian's when installed (Playwright cannot download its own here)."""
    from playwright.sync_api import sync_playwright

    options: dict[str, Any] = {"args": [*CHROMIUM_ARGS, *extra_args], "timeout": 30_000}
    if os.path.exists(CHROMIUM):
        options["executable_path"] = CHROMIUM
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(**options)
        try:
            yield browser
        finally:
            browser.close()
