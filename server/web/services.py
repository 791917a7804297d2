"""What the socket needs, built once from settings: the book, the runner, the scheduler."""

from __future__ import annotations

import ctypes
import ctypes.util
import dataclasses
import multiprocessing
import os
import threading
import time
from collections import Counter, defaultdict, deque
from dataclasses import dataclass, field
from typing import Any

from mpbook.book.lessons import Book, Example
from mpbook.engine.runner import Limits, Runner, RunRequest, SourceTooLarge
from mpbook.engine.sandbox import Backend, choose_backend
from mpbook.engine.scheduler import Scheduler


LOOPBACK = ("127.0.0.1", "localhost", "::1")


def _malloc_trim() -> Any:
    """glibc's malloc_trim, or None where the C library has none."""
    try:
        return ctypes.CDLL(ctypes.util.find_library("c")).malloc_trim
    except (OSError, AttributeError, TypeError):
        return None


MALLOC_TRIM = _malloc_trim()


def limits_from_settings(values: dict[str, Any]) -> Limits:
    """The run limits the settings ask for."""
    return Limits(
        wall_seconds=float(values["wall_seconds"]),
        cpu_seconds=int(values["cpu_seconds"]),
        memory_bytes=int(values["memory_mb"]) * 2**20,
        processes=int(values["processes"]),
        output_bytes=int(values["output_kb"]) * 1024,
        file_bytes=int(values["file_mb"]) * 2**20,
        open_files=int(values["open_files"]),
        source_bytes=int(values["source_kb"]) * 1024,
        tmp_bytes=int(values["tmp_mb"]) * 2**20,
    )


@dataclass
class RateLimiter:
    """At most ``per_minute`` run starts for each client address in any minute."""

    per_minute: int
    _starts: dict[str, deque[float]] = field(default_factory=lambda: defaultdict(deque))
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def allow(self, client: str) -> bool:
        if self.per_minute <= 0:
            return True
        now = time.monotonic()
        with self._lock:
            starts = self._starts[client]
            while starts and now - starts[0] > 60:
                starts.popleft()
            if len(starts) >= self.per_minute:
                return False
            starts.append(now)
            return True


def socket_capacity(threads: int) -> int:
    """WebSocket connections the server takes: each holds a thread, and pages need a few."""
    return max(1, threads - max(2, threads // 8))


@dataclass
class ConnectionLimiter:
    """Open WebSocket connections: at most ``per_client`` per client address (0: any), ``total`` in all."""

    per_client: int
    total: int
    _open: Counter[str] = field(default_factory=Counter)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def open(self, client: str) -> str | None:
        """Count a new connection of ``client``: None, or "server" / "client" for the cap that refuses it."""
        with self._lock:
            if self._open.total() >= self.total:
                return "server"
            if self.per_client > 0 and self._open[client] >= self.per_client:
                return "client"
            self._open[client] += 1
            return None

    def close(self, client: str) -> None:
        with self._lock:
            self._open[client] -= 1
            if self._open[client] <= 0:
                del self._open[client]

    def counts(self) -> tuple[int, int]:
        """Open connections, and the client addresses holding them."""
        with self._lock:
            return self._open.total(), len(self._open)


@dataclass
class Tally:
    """Counts by name since the server started (run exits by reason, refusals by cause)."""

    _counts: Counter[str] = field(default_factory=Counter)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, name: str) -> None:
        with self._lock:
            self._counts[name] += 1

    def snapshot(self) -> dict[str, int]:
        with self._lock:
            return dict(self._counts)


@dataclass
class Services:
    """Shared by every connection of one server process."""

    book: Book
    backend: Backend
    runner: Runner
    scheduler: Scheduler
    limits: Limits
    rate: RateLimiter
    editing: bool
    connections: ConnectionLimiter
    exits: Tally = field(default_factory=Tally)  # runs ended, by reason
    refusals: Tally = field(default_factory=Tally)  # "rate_limited", "queue_full", "connections"

    def hello(self) -> dict[str, Any]:
        """The first frame of every connection."""
        return {
            "type": "hello", "sandbox": self.backend.name, "contained": self.backend.is_contained,
            "editing": self.editing, "start_methods": ["fork", "spawn", "forkserver"],
            "default_start_method": multiprocessing.get_all_start_methods()[0],
        }

    def request_for(self, example: Example, code: str | None, start_method: str | None) -> RunRequest:
        """The run of ``example``, with ``code`` in place of its main.py if given."""
        files = dict(example.files)
        if code is not None:
            files["main.py"] = code.encode("utf-8")
        size = sum(len(data) for data in files.values())
        if size > self.limits.source_bytes:
            raise SourceTooLarge(
                f"The program is {size // 1024} KiB; this server takes up to {self.limits.source_bytes // 1024} KiB."
            )
        wall = min(example.timeout, self.limits.wall_seconds) if example.timeout else self.limits.wall_seconds
        limits = dataclasses.replace(self.limits, wall_seconds=wall)
        return RunRequest(files=files, start_method=start_method, limits=limits)

    def allow_start(self, client: str) -> bool:
        return self.rate.allow(client)

    def run_ended(self) -> None:
        """When the last run is over, hand the heap's free pages back to the machine.

        A busy spell's threads leave freed memory scattered over glibc's heap;
        without a trim the server would stay at the spell's peak size."""
        stats = self.scheduler.stats()
        if MALLOC_TRIM is not None and stats.running == 0 and stats.waiting == 0:
            MALLOC_TRIM(0)

    def close(self) -> None:
        self.runner.close()


def build_services(values: dict[str, Any], book: Book) -> Services:
    """Everything the socket needs, from the settings."""
    backend = choose_backend(values["sandbox"])
    if not backend.is_contained and values["host"] not in LOOPBACK and not values["allow_basic_on_network"]:
        raise RuntimeError(
            f"The {backend.name} sandbox does not contain programs, so mpbook will not serve it on "
            f"{values['host']}. Install bubblewrap, or set MPBOOK_ALLOW_BASIC_ON_NETWORK=true if you trust every reader."
        )
    slots = values["max_runs"] or (os.cpu_count() or 1)
    return Services(
        book=book,
        backend=backend,
        runner=Runner(backend, warm=values["warm_sandboxes"]),
        scheduler=Scheduler(slots=slots, queue_size=values["queue_size"]),
        limits=limits_from_settings(values),
        rate=RateLimiter(per_minute=values["runs_per_minute"]),
        editing=values["editing"],
        connections=ConnectionLimiter(per_client=values["connections_per_client"],
                                      total=socket_capacity(values["threads"])),
    )
