"""A Check: run a reader's program for an exercise as its plan says, then grade the runs.

Each run is an ordinary sandboxed run (the reader sees its frames as for Run), with
seeded delays at synchronisation points when the exercise asks for ``jitter``. The
runs go one after another and stop at the first run in which a check fails: every
check must hold in every run, so one failing run decides.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from mpbook.book.exercises import Exercise, Result, grade
from mpbook.engine.runs import Callbacks, Limits, QuietCallbacks, RunRequest, RunResult

SEED_RANGE = 2**31  # seeds fit in a JSON number and read easily


class CheckRun(Protocol):
    """What a Check needs of a started run (``engine.runner.Run`` is one)."""

    def stop(self) -> None: ...

    def wait(self, timeout: float | None = None) -> bool: ...

    @property
    def result(self) -> RunResult: ...


class CheckEngine(Protocol):
    def start(self, request: RunRequest, callbacks: Callbacks) -> CheckRun: ...


@dataclass(frozen=True)
class CheckReport:
    exercise: str
    passed: bool
    results: list[Result]
    seed: int
    records: list[tuple[str, RunResult]]  # (start method, record) of each run that took place


def new_seed() -> int:
    return random.SystemRandom().randrange(SEED_RANGE)


def request_for(exercise: Exercise, source: str, method: str | None, limits: Limits, jitter: int | None) -> RunRequest:
    """One run of ``source`` for ``exercise``: its data files, its time limit, the delays' seed."""
    return RunRequest(files=exercise.files_with(source), start_method=method, limits=limits.within(exercise.timeout),
                      jitter=jitter)


def run_check(engine: CheckEngine, exercise: Exercise, source: str, limits: Limits, seed: int,
              callbacks: Callable[[int, str], Callbacks] = lambda i, m: QuietCallbacks(),
              started: Callable[[CheckRun], None] = lambda run: None,
              cancelled: Callable[[], bool] = lambda: False) -> CheckReport:
    """Run ``source`` as ``exercise.plan()`` says and grade it. ``callbacks(i, method)`` hears
    run ``i``; run ``i`` draws its delays from ``seed + i``, so a seed replays a whole Check.
    ``started(run)`` hears each run once it has started (so that the caller can stop it);
    once ``cancelled()`` is true, no further run starts."""
    runs: list[tuple[str, RunResult]] = []
    for index, method in enumerate(exercise.plan()):
        jitter = seed + index if exercise.jitter else None
        run = engine.start(request_for(exercise, source, method, limits, jitter), callbacks(index, method))
        started(run)
        run.wait()
        runs.append((method, run.result))
        if cancelled() or not all(r.passed for r in grade(exercise, source, runs)):
            break
    results = grade(exercise, source, runs)
    complete = len(runs) == len(exercise.plan())
    return CheckReport(exercise.id, complete and all(r.passed for r in results), results, seed, runs)
