"""Fair sharing of run slots: a global cap on concurrent runs and a bounded FIFO queue.

Knows nothing of the web: waiters are told their position through a callback.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

PositionCallback = Callable[[int], None]
GrantCallback = Callable[["Ticket"], None]


class QueueFull(Exception):
    """Every slot is busy and the queue is at its bound."""


@dataclass(frozen=True)
class Stats:
    slots: int
    running: int
    waiting: int
    queue_size: int
    started_total: int
    refused_total: int


class Ticket:
    """One reader's place: granted at once, or waiting in line for a slot.

    ``on_grant`` (if given) is called with the ticket when its slot is granted, on
    the thread that frees the slot (or that entered, when one was free), outside
    the scheduler's lock; ``wait()`` is the blocking way to learn the same."""

    def __init__(self, scheduler: Scheduler, on_position: PositionCallback,
                 on_grant: GrantCallback | None = None) -> None:
        self._scheduler = scheduler
        self.on_position = on_position
        self.on_grant = on_grant
        self._event = threading.Event()
        self.granted = False
        self.cancelled = False
        self.released = False

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the slot is granted (True) or the ticket is cancelled (False)."""
        self._event.wait(timeout)
        return self.granted and not self.cancelled

    def cancel(self) -> None:
        """Leave the queue, or give the slot back if it was granted."""
        self._scheduler._cancel(self)

    def release(self) -> None:
        """Give the slot back after the run; safe to call more than once."""
        self._scheduler._release(self)


class Scheduler:
    """At most ``slots`` runs at once; up to ``queue_size`` more wait in FIFO order."""

    def __init__(self, slots: int, queue_size: int) -> None:
        if slots < 1:
            raise ValueError("a scheduler needs at least one slot")
        self.slots = slots
        self.queue_size = queue_size
        self._lock = threading.Lock()
        self._running: set[Ticket] = set()
        self._waiting: deque[Ticket] = deque()
        self._started_total = 0
        self._refused_total = 0
        self._recent_starts: deque[float] = deque()

    def enter(self, on_position: PositionCallback, on_grant: GrantCallback | None = None) -> Ticket:
        """A ticket, granted now or queued; raises QueueFull when the line is full."""
        ticket = Ticket(self, on_position, on_grant)
        with self._lock:
            if len(self._running) < self.slots and not self._waiting:
                self._grant(ticket)
                moved: list[tuple[Ticket, int]] = []
            elif len(self._waiting) >= self.queue_size:
                self._refused_total += 1
                raise QueueFull(f"{len(self._waiting)} runs are already waiting")
            else:
                self._waiting.append(ticket)
                moved = [(ticket, len(self._waiting))]
        self._announce(moved, [ticket] if ticket.granted else [])
        return ticket

    def stats(self) -> Stats:
        with self._lock:
            return Stats(self.slots, len(self._running), len(self._waiting), self.queue_size,
                         self._started_total, self._refused_total)

    def waiting(self) -> int:
        """How many runs wait for a slot."""
        with self._lock:
            return len(self._waiting)

    def runs_last_minute(self) -> int:
        with self._lock:
            self._forget_old_starts(time.monotonic())
            return len(self._recent_starts)

    def _grant(self, ticket: Ticket) -> None:
        ticket.granted = True
        self._running.add(ticket)
        self._started_total += 1
        now = time.monotonic()
        self._recent_starts.append(now)
        self._forget_old_starts(now)
        ticket._event.set()

    def _forget_old_starts(self, now: float) -> None:
        while self._recent_starts and now - self._recent_starts[0] > 60:
            self._recent_starts.popleft()

    def _cancel(self, ticket: Ticket) -> None:
        granted: list[Ticket] = []
        with self._lock:
            ticket.cancelled = True
            ticket._event.set()
            if ticket in self._waiting:
                self._waiting.remove(ticket)
                moved = self._positions()
            else:
                moved, granted = self._free(ticket)
        self._announce(moved, granted)

    def _release(self, ticket: Ticket) -> None:
        with self._lock:
            moved, granted = self._free(ticket)
        self._announce(moved, granted)

    def _free(self, ticket: Ticket) -> tuple[list[tuple[Ticket, int]], list[Ticket]]:
        """Give ``ticket``'s slot to the next in line: the new positions, the tickets granted (lock held)."""
        if ticket.released or ticket not in self._running:
            return [], []
        ticket.released = True
        self._running.discard(ticket)
        granted: list[Ticket] = []
        while self._waiting and len(self._running) < self.slots:
            granted.append(self._waiting.popleft())
            self._grant(granted[-1])
        return self._positions(), granted

    def _positions(self) -> list[tuple[Ticket, int]]:
        return [(t, i) for i, t in enumerate(self._waiting, 1)]

    @staticmethod
    def _announce(moved: list[tuple[Ticket, int]], granted: list[Ticket]) -> None:
        # Outside the lock: a callback may block on a slow client's socket, or start a run.
        for ticket in granted:
            if ticket.on_grant is not None:
                ticket.on_grant(ticket)
        for ticket, position in moved:
            ticket.on_position(position)
