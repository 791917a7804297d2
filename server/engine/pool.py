"""How many warm sandboxes to keep: the floor the settings ask for, more after a burst.

Runs that start together (a room told "now run it", a reader's Run ×3 on three
pages) each want a warm sandbox at the same moment; one warm sandbox leaves the
others to start cold, at several times a warm start. ``Demand`` remembers the
largest burst of recent starts (runs started within ``BURST_SECONDS`` of the
first) and sizes the pool for it for ``MEMORY_SECONDS``, never beyond ``most``
(twice the run slots: the runs of a burst that hold a slot and as many queued
behind them) nor beyond a small share of the machine's available memory.
"""

from __future__ import annotations

from collections import deque
from pathlib import Path

BURST_SECONDS = 1.0  # starts this close to the first of them count as one burst
MEMORY_SECONDS = 120.0  # a burst keeps the pool large this long
SANDBOX_BYTES = 24 * 2**20  # what a waiting sandbox holds (interpreter, multiprocessing, bwrap), rounded up
MEMORY_SHARE = 0.05  # of the machine's available memory that waiting sandboxes may hold
STARTS_KEPT = 4096  # a bound on the history, whatever the rate of starts


def available_memory(meminfo: str = "/proc/meminfo") -> int | None:
    """MemAvailable in bytes, or None where the kernel does not say."""
    try:
        for line in Path(meminfo).read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


class Demand:
    """Recent run starts, and the pool size they call for. Not thread-safe: the runner's lock guards it."""

    def __init__(self, floor: int, most: int) -> None:
        self.floor = max(0, floor)
        self.most = max(self.floor, most)
        self._starts: deque[float] = deque(maxlen=STARTS_KEPT)
        self._burst = 0  # the largest burst among the kept starts
        self._memory_cap = self._memory_bound()

    def started(self, now: float) -> None:
        """A run started at ``now`` (time.monotonic())."""
        self._forget(now)
        self._starts.append(now)
        self._burst = max(self._burst, _largest_burst(self._starts))
        self._memory_cap = self._memory_bound()

    def target(self, now: float) -> int:
        """How many warm sandboxes to keep now: 0 only when the floor is 0 (no pool at all)."""
        if self.floor == 0:
            return 0
        self._forget(now)
        return max(self.floor, min(self._burst, self.most, self._memory_cap))

    def _forget(self, now: float) -> None:
        if self._starts and now - self._starts[0] > MEMORY_SECONDS:
            while self._starts and now - self._starts[0] > MEMORY_SECONDS:
                self._starts.popleft()
            self._burst = _largest_burst(self._starts)

    def _memory_bound(self) -> int:
        available = available_memory()
        return self.most if available is None else max(1, int(available * MEMORY_SHARE // SANDBOX_BYTES))


def _largest_burst(starts: deque[float]) -> int:
    """The most starts within BURST_SECONDS of each other (``starts`` in time order)."""
    best, first = 0, 0
    for last, t in enumerate(starts):
        while t - starts[first] > BURST_SECONDS:
            first += 1
        best = max(best, last - first + 1)
    return best
