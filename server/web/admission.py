"""Who gets in: the rate, connection and capacity limits, and the one count of refusals.

A connection is refused when its client address holds ``connections_per_client``
connections, or the server holds as many as its threads allow while keeping some
for pages. A run is refused when its client started ``runs_per_minute`` runs in
the last minute, or every run slot is busy and the queue is full. Each refusal
is counted here by cause, for the status page.
"""

from __future__ import annotations

import threading
import time
from collections import Counter, defaultdict, deque
from dataclasses import dataclass, field

from mpbook.engine.scheduler import GrantCallback, PositionCallback, QueueFull, Scheduler, Ticket

# The causes of refusals, as the status page counts them.
CAUSES = ("rate_limited", "queue_full", "connections")

# Sent instead of "hello" when a connection is refused, before closing it with 1013 (try again later).
REFUSED_CONNECTION = {
    "server": "The server has as many open pages as it can take; this page reconnects by itself in a moment.",
    "client": "Too many pages of this book are open from your address; close some and this one reconnects.",
}


class Refused(Exception):
    """A run was not admitted: ``code`` is the protocol's error code, the message says why in plain words."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass
class RateLimiter:
    """At most ``per_minute`` run starts for each client address in any minute (0: no limit)."""

    per_minute: int
    _starts: dict[str, deque[float]] = field(default_factory=lambda: defaultdict(deque))
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def allow(self, client: str) -> bool:
        """Count a start of ``client`` and say whether it is within the limit."""
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
    """Counts by name since the server started."""

    _counts: Counter[str] = field(default_factory=Counter)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, name: str) -> None:
        with self._lock:
            self._counts[name] += 1

    def snapshot(self) -> dict[str, int]:
        with self._lock:
            return dict(self._counts)


class Admission:
    """The limits on connections and run starts of one server process, and their refusals."""

    def __init__(self, scheduler: Scheduler, runs_per_minute: int, connections_per_client: int,
                 threads: int) -> None:
        self.scheduler = scheduler
        self.rate = RateLimiter(per_minute=runs_per_minute)
        self.connections = ConnectionLimiter(per_client=connections_per_client, total=socket_capacity(threads))
        self.refusals = Tally()  # by cause, one of CAUSES

    def connect(self, client: str) -> str | None:
        """Admit a connection of ``client``: None, or the plain words of why it is refused."""
        cap = self.connections.open(client)
        if cap is None:
            return None
        self.refusals.add("connections")
        return REFUSED_CONNECTION[cap]

    def disconnect(self, client: str) -> None:
        """An admitted connection of ``client`` closed."""
        self.connections.close(client)

    def enter(self, client: str, on_position: PositionCallback, on_grant: GrantCallback) -> Ticket:
        """A place in the run queue for ``client`` (see Scheduler.enter), or Refused (rate limit, full queue)."""
        if not self.rate.allow(client):
            self.refusals.add("rate_limited")
            raise Refused("rate_limited", "You are starting runs very quickly; wait a moment and try again.")
        try:
            return self.scheduler.enter(on_position, on_grant)
        except QueueFull:
            self.refusals.add("queue_full")
            raise Refused("busy", "The server is busy; try again in a moment.") from None
