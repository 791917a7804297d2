"""The composition root: the objects one server process shares, built once from the settings.

``build_wiring`` makes the sandbox backend, the runner, the scheduler and the
admission limits; ``Wiring.request_for`` is the one place a run request is
shaped (the example's files, the reader's code, the limits, the wall time), for
the socket, the page's rendering and the example tests alike.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
from dataclasses import dataclass, field
from typing import Any

from flask import Flask

from mpbook.book.lessons import Book, Example
from mpbook.engine.runner import START_METHODS, Limits, Runner, RunRequest
from mpbook.engine.sandbox import Backend, choose_backend
from mpbook.engine.scheduler import Scheduler
from mpbook.web import protocol
from mpbook.web.admission import Admission, Tally
from mpbook.web.checking import CheckTally

LOOPBACK = ("127.0.0.1", "localhost", "::1")
EXTENSION = "mpbook.wiring"  # where create_app keeps the Wiring in app.extensions


def _malloc_trim() -> Any:
    """glibc's malloc_trim, or None where the C library has none."""
    try:
        return ctypes.CDLL(ctypes.util.find_library("c")).malloc_trim
    except (OSError, AttributeError, TypeError):
        return None


MALLOC_TRIM = _malloc_trim()


def wall_seconds(example: Example, limit: float) -> float:
    """The wall time a run of ``example`` gets under a server limit of ``limit`` s (``Limits.within``)."""
    return Limits(wall_seconds=limit).within(example.timeout).wall_seconds


@dataclass
class Wiring:
    """Shared by every connection and page of one server process."""

    book: Book
    backend: Backend
    runner: Runner
    scheduler: Scheduler
    limits: Limits
    admission: Admission
    editing: bool
    exits: Tally = field(default_factory=Tally)  # runs ended, by reason
    checks: CheckTally = field(default_factory=CheckTally)  # readers who checked and passed each exercise

    def hello(self) -> protocol.Frame:
        """The first frame of every connection."""
        rt = self.backend.runtime()
        return protocol.hello(self.backend.name, self.backend.is_contained, self.editing, START_METHODS,
                              rt.default_start_method, rt.version)

    def wall_seconds(self, example: Example) -> float:
        """The wall time a run of ``example`` gets on this server."""
        return self.limits.within(example.timeout).wall_seconds

    def request_for(self, example: Example, code: str | None = None, start_method: str | None = None,
                    interactive: bool = False) -> RunRequest:
        """The run of ``example``, with ``code`` in place of its main.py if given; ``interactive``
        keeps its stdin open for the reader's input (a reader's run), else it reads end of file.

        Raises SourceTooLarge when the files exceed ``source_bytes``, ValueError for
        a start method that is not one of START_METHODS."""
        files = dict(example.files)
        if code is not None:
            files["main.py"] = code.encode("utf-8")
        return RunRequest(files=files, start_method=start_method, limits=self.limits.within(example.timeout),
                          interactive=interactive)

    def run_ended(self, reason: str | None) -> None:
        """A run is over (``reason`` None: it never started). When it was the last, hand
        the heap's free pages back to the machine.

        A busy spell's threads leave freed memory scattered over glibc's heap;
        without a trim the server would stay at the spell's peak size."""
        if reason is not None:
            self.exits.add(reason)
        stats = self.scheduler.stats()
        if MALLOC_TRIM is not None and stats.running == 0 and stats.waiting == 0:
            MALLOC_TRIM(0)

    def close(self) -> None:
        self.runner.close()


def build_wiring(values: dict[str, Any], book: Book) -> Wiring:
    """Everything the pages and the socket share, from the settings."""
    backend = choose_backend(values["sandbox"], python=values["python"] or None)
    if not backend.is_contained and values["host"] not in LOOPBACK and not values["allow_basic_on_network"]:
        raise RuntimeError(
            f"The {backend.name} sandbox does not contain programs, so mpbook will not serve it on "
            f"{values['host']}. Install bubblewrap, or set MPBOOK_ALLOW_BASIC_ON_NETWORK=true "
            "if you trust every reader."
        )
    limits = Limits.from_settings(values)
    slots = values["max_runs"] or (os.cpu_count() or 1)
    scheduler = Scheduler(slots=slots, queue_size=values["queue_size"])
    return Wiring(
        book=book,
        backend=backend,
        # After a burst, warm sandboxes for the runs that hold a slot and as many queued behind them.
        runner=Runner(backend, warm=values["warm_sandboxes"], tmp_bytes=limits.tmp_bytes, most=2 * slots,
                      queued=scheduler.waiting),
        scheduler=scheduler,
        limits=limits,
        admission=Admission(scheduler, runs_per_minute=values["runs_per_minute"],
                            connections_per_client=values["connections_per_client"], threads=values["threads"]),
        editing=values["editing"],
    )


def wiring_of(app: Flask) -> Wiring:
    """The Wiring ``create_app`` built for ``app``."""
    wiring: Wiring = app.extensions[EXTENSION]
    return wiring
