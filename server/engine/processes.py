"""The processes of one run, as their START and EXIT records tell: events, and who is still alive."""

from __future__ import annotations

from collections.abc import Callable

from mpbook.engine import wire
from mpbook.engine.runs import ProcessEvent


class Processes:
    """Turns START and EXIT records into ProcessEvents, and closes the books when the run ends.

    ``now`` gives milliseconds since the run started; ``report`` is called with each
    event; ``exiting(pid)`` just before a process's exit is reported (to flush its output)."""

    def __init__(self, now: Callable[[], float], report: Callable[[ProcessEvent], None],
                 exiting: Callable[[int], None]) -> None:
        self.events: list[ProcessEvent] = []
        self.alive: dict[int, tuple[int | None, str]] = {}  # pid -> (ppid, name), until it exits
        self._now = now
        self._report = report
        self._exiting = exiting

    def record(self, kind: int, pid: int, name: str, data: bytes) -> None:
        """A START record (data "<ppid> <start method>") or an EXIT record (data the exit code)."""
        first, _, method = data.decode("ascii", "replace").partition(" ")
        number = int(first) if first.strip().lstrip("-").isdigit() else None
        if kind == wire.START:
            self.alive[pid] = (number, name)
            self._event("start", pid, number, name, None, method or None)
        elif pid in self.alive:
            self._exiting(pid)
            ppid, _ = self.alive.pop(pid)
            self._event("exit", pid, ppid, name, number)

    def close(self, code: int | None) -> None:
        """The run is over: every process still alive has ended; the main one (no ppid) with ``code``."""
        for pid, (ppid, name) in list(self.alive.items()):
            self._event("exit", pid, ppid, name, code if ppid is None else None)
        self.alive.clear()

    def _event(self, event: str, pid: int, ppid: int | None, name: str, exitcode: int | None,
               method: str | None = None) -> None:
        item = ProcessEvent(event, pid, ppid, name, self._now(), exitcode, method)
        self.events.append(item)
        self._report(item)
