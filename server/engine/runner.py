"""The process manager: starts readers' programs in sandboxes, keeping a few sandboxes warm.

Knows nothing of the web. ``Runner.start`` takes a pre-started sandbox from a
small warm pool (or lets the run start one) and hands it to a ``Run`` (run.py),
which sends it the program and reads what it does until every process is gone,
reporting through ``Callbacks`` (runs.py) on its own thread.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from mpbook.engine import pool
from mpbook.engine.output import as_shown
from mpbook.engine.run import DRAIN_SECONDS, Run
from mpbook.engine.runs import (
    REASONS,
    START_METHODS,
    Callbacks,
    InputRefused,
    Limits,
    OutputChunk,
    ProcessEvent,
    QuietCallbacks,
    RunnerError,
    RunRequest,
    RunResult,
    SourceTooLarge,
    StartedInfo,
)
from mpbook.engine.sandbox import Backend, Sandbox

__all__ = [  # the runs.py names too: callers import the engine's vocabulary from here as well
    "REASONS", "START_METHODS", "Callbacks", "InputRefused", "Limits", "OutputChunk", "ProcessEvent",
    "QuietCallbacks", "Run", "Runner", "RunnerError", "RunRequest", "RunResult", "SourceTooLarge", "StartedInfo",
    "as_shown", "run_to_completion",
]

log = logging.getLogger(__name__)

REFILL_BACKOFF_FIRST = 1.0  # seconds before the refill tries again after a failed start, doubling
REFILL_BACKOFF_MAX = 60.0
SETTLE_SECONDS = 0.05  # longest a refill waits for starting runs (see Runner._refill)
QUEUE_POLL_SECONDS = 0.005  # how often a held-back refill looks again at the runs waiting for a slot


class Runner:
    """Starts runs; keeps ``warm`` sandboxes started ahead, with tmpfs of ``tmp_bytes``, and up to
    ``most`` after a burst of runs (pool.py; ``warm=0``: none). ``queued`` says how many runs
    wait for a slot (the scheduler's queue), which a refill lets start first. Thread-safe.

    A run whose ``Limits.tmp_bytes`` differs from the pool's shape starts its own
    sandbox, and the pool re-warms in the new shape."""

    def __init__(self, backend: Backend, warm: int = 1, tmp_bytes: int = Limits.tmp_bytes,
                 most: int | None = None, queued: Callable[[], int] = lambda: 0) -> None:
        self.backend = backend
        self._queued = queued
        self.warm = max(0, warm)
        self._demand = pool.Demand(self.warm, self.warm if most is None else most)
        self._pool: list[Sandbox] = []
        self._shape = tmp_bytes  # tmpfs size is fixed when a sandbox starts
        self._changed = threading.Condition()
        self._closed = False
        self._runs: set[Run] = set()
        # bwrap's --die-with-parent follows the thread that started it, so warm
        # sandboxes are started by one thread that lives as long as the pool.
        self._refiller = threading.Thread(target=self._refill, name="mpbook-warm", daemon=True)
        if self.warm:
            self._refiller.start()

    def start(self, request: RunRequest, callbacks: Callbacks) -> Run:
        """Start ``request`` and return at once; its output flows on the run's thread."""
        with self._changed:
            if self._closed:
                raise RunnerError("The runner is closed.")
            sandbox, stale = self._take(request.limits.tmp_bytes)
            self._demand.started(time.monotonic())
            run = Run(self, request, callbacks, sandbox)
            self._runs.add(run)
            self._changed.notify_all()
        for old in stale:
            _discard(old)
        run._thread.start()
        return run

    def close(self) -> None:
        """Stop every run, kill the warm sandboxes, release the cgroup parent."""
        with self._changed:
            self._closed = True
            waiting, self._pool = self._pool, []
            runs = list(self._runs)
            self._changed.notify_all()
        for sandbox in waiting:
            _discard(sandbox)
        for run in runs:
            run._end("stopped")
        for run in runs:
            run.wait(DRAIN_SECONDS + 10)
        if self._refiller.is_alive():
            self._refiller.join()
        if self.backend.cgroups is not None:
            self.backend.cgroups.release()

    def _take(self, tmp_bytes: int) -> tuple[Sandbox | None, list[Sandbox]]:
        """A live warm sandbox of the right shape, and the sandboxes to discard (lock held)."""
        if tmp_bytes != self._shape:
            # Requests changed shape: re-warm for the new one.
            self._shape, stale, self._pool = tmp_bytes, self._pool, []
            return None, stale
        stale = []
        while self._pool:
            sandbox = self._pool.pop(0)
            if sandbox.popen.poll() is None:
                return sandbox, stale
            stale.append(sandbox)
        return None, stale

    def _refill(self) -> None:
        failures, backoff = 0, REFILL_BACKOFF_FIRST
        while True:
            with self._changed:
                while not self._closed and len(self._pool) >= (target := self._demand.target(time.monotonic())):
                    if len(self._pool) > target:  # the burst is long past: let the extra sandboxes go
                        stale, self._pool = self._pool[target:], self._pool[:target]
                        self._changed.release()
                        try:
                            for sandbox in stale:
                                _discard(sandbox)
                        finally:
                            self._changed.acquire()
                    self._changed.wait(pool.MEMORY_SECONDS / 4)
                # Starting a sandbox keeps a core busy for tens of milliseconds. Runs
                # that just started need the cores for their first output, which is
                # what the reader waits for: let them print (or end) first, and the
                # runs of a burst that wait for a slot start, while the pool holds a
                # sandbox for each; for at most SETTLE_SECONDS, so that a stream of
                # runs cannot starve the pool.
                deadline = time.monotonic() + SETTLE_SECONDS
                while not self._closed and (pause := min(self._held_back(), deadline - time.monotonic())) > 0:
                    self._changed.wait(pause)
                if self._closed:
                    return
                shape = self._shape
            try:
                sandbox = self.backend.launch(shape)
            except Exception as error:
                # The traceback once; then one line at each (doubling) wait, up to REFILL_BACKOFF_MAX.
                if failures == 0:
                    log.exception("could not start a warm sandbox; retrying in %g s", backoff)
                else:
                    log.warning("still cannot start a warm sandbox (%d tries): %s; retrying in %g s",
                                failures + 1, error, backoff)
                failures += 1
                with self._changed:
                    self._changed.wait(backoff)
                backoff = min(backoff * 2, REFILL_BACKOFF_MAX)
                continue
            if failures:
                log.warning("warm sandboxes start again after %d failed tries", failures)
            failures, backoff = 0, REFILL_BACKOFF_FIRST
            with self._changed:
                keep = not self._closed and shape == self._shape
                if keep:
                    self._pool.append(sandbox)
            if not keep:
                _discard(sandbox)

    def _held_back(self) -> float:
        """Seconds the refill should wait before it looks again: 0 when nothing holds it back (lock held)."""
        starting = self._starting()
        if starting > 0:
            return starting
        waiting = self._queued()
        return QUEUE_POLL_SECONDS if 0 < waiting <= len(self._pool) else 0.0

    def _starting(self) -> float:
        """Seconds until no run is still starting: every run has printed, ended or had
        SETTLE_SECONDS (lock held)."""
        now = time.perf_counter()
        return max((run._t0 + SETTLE_SECONDS - now for run in self._runs if not run._settled), default=0.0)

    def _printed(self, run: Run) -> None:
        """``run`` has printed: it no longer holds back the refill."""
        with self._changed:
            run._settled = True
            self._changed.notify_all()

    def _finished(self, run: Run) -> None:
        with self._changed:
            self._runs.discard(run)
            self._changed.notify_all()


def _discard(sandbox: Sandbox) -> None:
    """Kill an unused sandbox and release everything it holds."""
    sandbox.kill()
    try:
        sandbox.finish()
    finally:
        sandbox.close()


def run_to_completion(runner: Runner, request: RunRequest) -> RunResult:
    """Run ``request`` and wait for its result (for tests and the command line)."""
    run = runner.start(request, QuietCallbacks())
    run.wait()
    return run.result
