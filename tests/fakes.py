"""Test doubles of the engine, for tests of the web wing that run in-process.

``FakeEngine`` stands where the ``Runner`` stands (as the Rust Playground's
TestBackend stands for Docker): it starts no process, and each ``FakeRun`` does
what the test tells it, when the test tells it, on the test's thread. So a test
of the session's queue, stop or leave path needs no server, no sandbox and no sleep.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from helpers import FIXTURE_CONTENT
from mpbook.book.lessons import load_book
from mpbook.engine.runner import Callbacks, Limits, Runner, RunRequest, StartedInfo
from mpbook.engine.sandbox import BasicBackend
from mpbook.engine.scheduler import Scheduler
from mpbook.web.admission import Admission
from mpbook.web.wiring import Wiring


class FakeRun:
    """A run that reports only what the test makes it report."""

    def __init__(self, request: RunRequest, callbacks: Callbacks, stop_ends: bool) -> None:
        self.request = request
        self.callbacks = callbacks
        self.stops = 0
        self.ended = False
        self._stop_ends = stop_ends

    def stop(self) -> None:
        """As the runner does: the run ends with reason "stopped" (unless the engine says it lingers)."""
        self.stops += 1
        if self._stop_ends:
            self.exit(None, "stopped")

    def request_stacks(self) -> bool:
        """As the runner: the stacks come later, through on_stack; False once the run is over."""
        self.stacks_asked = getattr(self, "stacks_asked", 0) + 1
        return not self.ended

    def write_input(self, data: bytes) -> None:
        self.input = getattr(self, "input", b"") + data

    def close_input(self) -> None:
        self.input_closed = True

    def begin(self, run_id: str = "fake-run", note: str = "") -> None:
        limits = self.request.limits
        self.callbacks.on_started(StartedInfo(
            run_id=run_id, backend="fake", contained=False, cgroup=False, warm=False, start_method="fork",
            limits=limits.as_dict(), enforcement={}, python="3.11.7", note=note,
        ))

    def print(self, text: str, stream: str = "stdout", pid: int | None = 2, process: str | None = "MainProcess",
              t: float = 1.0) -> None:
        self.callbacks.on_output(stream, text, pid, process, t)

    def exit(self, code: int | None = 0, reason: str = "ok", t: float = 5.0) -> None:
        if not self.ended:
            self.ended = True
            self.callbacks.on_exit(code, reason, t)


@dataclass
class FakeEngine:
    """Starts FakeRuns. ``fail`` makes the next start raise; ``during_start`` runs inside start()."""

    stop_ends: bool = True
    fail: bool = False
    during_start: Callable[[FakeRun], None] | None = None
    runs: list[FakeRun] = field(default_factory=list)

    def start(self, request: RunRequest, callbacks: Callbacks) -> FakeRun:
        if self.fail:
            self.fail = False
            raise RuntimeError("the fake sandbox would not start")
        run = FakeRun(request, callbacks, self.stop_ends)
        self.runs.append(run)
        if self.during_start is not None:
            self.during_start(run)
        return run


def fake_wiring(slots: int = 1, queue_size: int = 2, runs_per_minute: int = 0, editing: bool = True,
                connections_per_client: int = 0, threads: int = 150, **limits: Any) -> Wiring:
    """A Wiring over the fixture book whose runner is never started: pair it with a FakeEngine."""
    backend = BasicBackend(None, "in-process tests")
    scheduler = Scheduler(slots=slots, queue_size=queue_size)
    return Wiring(
        book=load_book(FIXTURE_CONTENT), backend=backend, runner=Runner(backend, warm=0), scheduler=scheduler,
        limits=Limits(**limits),
        admission=Admission(scheduler, runs_per_minute=runs_per_minute,
                            connections_per_client=connections_per_client, threads=threads),
        editing=editing,
    )
