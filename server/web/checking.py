"""The ``check`` op: run an exercise's Check on the reader's code, inside one run session.

A Check holds one run slot from its first run to its last. Each run streams its
frames as a run does (started, output, process, exit); the last frame is the
``check`` frame with one result per check and the seed of the injected delays.
Stopping a Check stops its current run and starts no other; its check frame
still comes, judged on the runs that took place.
"""

from __future__ import annotations

import logging
import threading
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

from mpbook.book.exercises import Exercise
from mpbook.book.grading import SEED_RANGE, CheckRun, new_seed, request_for, run_check
from mpbook.engine.runs import RunRequest
from mpbook.web import protocol

if TYPE_CHECKING:
    from mpbook.web.session import Attempt, RunFrames, RunHandle, RunSession

log = logging.getLogger("mpbook.checking")


def parse(session: RunSession, frame: dict[str, Any]) -> tuple[Exercise, str, int] | None:
    """The exercise, code and seed a check frame asks for; None after sending the error."""
    exercise = _exercise(session, frame)
    if exercise is None:
        return None
    code = frame.get("code")
    if not isinstance(code, str):
        session.error("bad_request", "A check needs \"code\": the program's text.")
        return None
    if not session.wiring.editing:
        session.error("forbidden", "Editing is turned off on this server, so there is nothing to check.")
        return None
    seed = frame.get("seed")
    if seed is None:
        seed = new_seed()
    elif not isinstance(seed, int) or isinstance(seed, bool) or not 0 <= seed < SEED_RANGE:
        session.error("bad_request", f"\"seed\" must be a whole number from 0 to {SEED_RANGE - 1}.")
        return None
    if not _fits(session, exercise, code):
        return None
    return exercise, code, seed


def run_request(session: RunSession, frame: dict[str, Any]) -> tuple[Exercise, RunRequest] | None:
    """A plain run of the reader's code (or the starter) with an exercise's files; None after
    sending the error."""
    exercise = _exercise(session, frame)
    options = session.run_options(frame) if exercise is not None else None
    if exercise is None or options is None:
        return None
    code, method = options
    source = exercise.starter if code is None else code
    if not _fits(session, exercise, source):
        return None
    return exercise, request_for(exercise, source, method, session.wiring.limits, None)


def _exercise(session: RunSession, frame: dict[str, Any]) -> Exercise | None:
    """The exercise a frame names; None after sending the error."""
    xid = frame.get("exercise")
    exercise = session.wiring.book.exercises.get(xid) if isinstance(xid, str) else None
    if exercise is None:
        session.error("unknown_exercise", f"There is no exercise called {xid!r}.")
    return exercise


def _fits(session: RunSession, exercise: Exercise, code: str) -> bool:
    size = sum(len(data) for data in exercise.files_with(code).values())
    limit = session.wiring.limits.source_bytes
    if size > limit:
        session.error("too_large", f"The program is {size // 1024} KiB; this server takes up to {limit // 1024} KiB.")
    return size <= limit


def first_request(exercise: Exercise, code: str, session: RunSession) -> RunRequest:
    """The request of the Check's first run, which the session's attempt holds."""
    return request_for(exercise, code, exercise.plan()[0], session.wiring.limits, None)


def run(session: RunSession, attempt: Attempt, exercise: Exercise, code: str, seed: int) -> None:
    """The Check's runs, on a thread of its own, then its check frame."""
    from mpbook.web.session import State

    def started(handle: CheckRun) -> None:
        with session._lock:
            attempt.run = cast("RunHandle", handle)  # an engine Run: both a CheckRun and a RunHandle
            stop = attempt.state is State.STOPPING or session._closed
        if stop:
            handle.stop()

    def cancelled() -> bool:
        return attempt.state is State.STOPPING or session._closed

    try:
        report = run_check(session.engine, exercise, code, session.wiring.limits, seed,  # type: ignore[arg-type]
                           callbacks=lambda i, method: _frames(session, exercise, code, method),
                           started=started, cancelled=cancelled)
    except Exception:
        log.exception("a check could not run")
        session._finish(attempt, None)
        session.error("internal", "The sandbox could not run this check; try again, or tell the instructor.")
        return
    session.wiring.checks.add(exercise.id, session.client, report.passed)
    session._finish(attempt, None)  # each run's exit was counted as it ended
    session.send(protocol.check(exercise.id, report.passed, [r.as_dict() for r in report.results], report.seed))


def _frames(session: RunSession, exercise: Exercise, code: str, method: str) -> RunFrames:
    """The frames of one run of a Check: as a run's, but its exit only counted, since the
    session's attempt (the whole Check) goes on."""
    from mpbook.web.session import RunFrames

    limits = request_for(exercise, code, method, session.wiring.limits, None).limits
    return RunFrames(session.send, exercise.id, method, limits, session.wiring.exits.add)


def start_thread(session: RunSession, attempt: Attempt, exercise: Exercise, code: str, seed: int) -> None:
    threading.Thread(target=run, args=(session, attempt, exercise, code, seed), daemon=True,
                     name=f"mpbook-check-{exercise.id}").start()


@dataclass
class CheckTally:
    """For the instructor's status page: per exercise, how many readers (client addresses) have
    checked it and how many have passed it. Counts only leave this object, never who."""

    _checked: defaultdict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    _passed: defaultdict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, exercise: str, reader: str, passed: bool) -> None:
        with self._lock:
            self._checked[exercise].add(reader)
            if passed:
                self._passed[exercise].add(reader)

    def counts(self, exercise: str) -> tuple[int, int]:
        """Readers who checked ``exercise``, and readers who passed it."""
        with self._lock:
            return len(self._checked.get(exercise, ())), len(self._passed.get(exercise, ()))
