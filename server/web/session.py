"""One reader's run session, without the socket: frames in through ``handle``, out through ``send``.

The session holds the run state machine of docs/protocol.md. A connection runs
at most one program at a time::

    idle --run--> queued --slot granted--> starting --engine started--> running
                    |                          |                          |
                  stop: exit "stopped"       stop: stopping             stop: stopping
                    v                          v                          v
                  idle        <--------- the run's exit frame ----------- +

``close`` (the reader left) stops whatever is queued or running and sends nothing
more. Frames come from three kinds of thread: the connection's (replies), the
scheduler's grant (on whichever thread freed the slot) and the run's own; the
transport's ``send`` must be safe to call from any of them.

Ops are dispatched through ``RunSession.OPS``: a new op is one method and one row.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Any, ClassVar, Protocol

from mpbook.book.exercises import Exercise
from mpbook.book.lessons import Example
from mpbook.engine.runs import (
    START_METHODS,
    Callbacks,
    InputRefused,
    Limits,
    RunRequest,
    SourceTooLarge,
    StartedInfo,
)
from mpbook.engine.scheduler import Ticket
from mpbook.web import checking, protocol
from mpbook.web.admission import Refused
from mpbook.web.wiring import Wiring

log = logging.getLogger("mpbook.session")

Send = Callable[[protocol.Frame], None]


class RunHandle(Protocol):
    """What the session needs of a started run."""

    def stop(self) -> None: ...

    def request_stacks(self) -> bool: ...

    def write_input(self, data: bytes) -> None: ...

    def close_input(self) -> None: ...


class Engine(Protocol):
    """What the session needs of the engine: ``Runner``, or a fake one in tests."""

    def start(self, request: RunRequest, callbacks: Callbacks) -> RunHandle: ...


class State(Enum):
    QUEUED = "queued"  # waiting for a run slot
    STARTING = "starting"  # granted a slot, the engine is starting it
    RUNNING = "running"
    STOPPING = "stopping"  # asked to stop; its exit frame is still to come


@dataclass
class Attempt:
    """One run of the session, from the run frame to its exit frame; or one Check, from the
    check frame to the check frame that ends it (``check`` holds its exercise, code and seed)."""

    example: Example | Exercise
    request: RunRequest
    state: State = State.QUEUED
    ticket: Ticket | None = None
    run: RunHandle | None = None
    check: tuple[Exercise, str, int] | None = None


class RunSession:
    """The run protocol of one connection. ``engine`` defaults to the wiring's runner."""

    def __init__(self, wiring: Wiring, client: str, send: Send, engine: Engine | None = None) -> None:
        self.wiring = wiring
        self.client = client
        self.engine: Engine = engine if engine is not None else wiring.runner
        self._send = send
        self._lock = threading.Lock()
        self._attempt: Attempt | None = None
        self._closed = False

    @property
    def state(self) -> State | None:
        """The current run's state; None when idle."""
        attempt = self._attempt
        return attempt.state if attempt is not None else None

    def open(self) -> None:
        """The connection is open: greet it."""
        self.send(self.wiring.hello())

    def send(self, frame: protocol.Frame) -> None:
        """Send ``frame``, unless the reader has left."""
        if not self._closed:
            self._send(frame)

    def error(self, code: str, message: str) -> None:
        self.send(protocol.error(code, message))

    def handle(self, raw: str | bytes) -> None:
        """One frame from the client: parse it and dispatch on its ``op``."""
        try:
            frame = json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            return self.error("bad_request", "That message is not JSON.")
        if not isinstance(frame, dict):
            return self.error("bad_request", "A message must be a JSON object with an \"op\".")
        name = frame.get("op")
        op = self.OPS.get(name) if isinstance(name, str) else None
        if op is None:
            known = [f'"{known}"' for known in self.OPS]
            return self.error("bad_request", f"Unknown op {name!r}; use {', '.join(known[:-1])} or {known[-1]}.")
        try:
            op(self, frame)
        except Exception:  # a bug of ours: say so on the socket, which stays open (flask-sock would
            # otherwise write an HTTP error response onto the open WebSocket and garble it)
            log.exception("the %r op failed", name)
            self.error("internal", "The server failed to do that; try again, or tell the instructor.")

    def close(self) -> None:
        """The reader left: stop whatever they had queued or running; send nothing more."""
        self._closed = True
        self.stop()

    # --- ops -------------------------------------------------------------------------------------

    def run(self, frame: dict[str, Any]) -> None:
        """``{"op":"run"}``: queue the example (or the reader's code) for a run slot."""
        if "exercise" in frame:  # the reader's code with an exercise's files (web/checking.py)
            found = checking.run_request(self, frame)
            if found is not None:
                self._queue(Attempt(*found))
            return
        eid = frame.get("example")
        example = self.wiring.book.examples.get(eid) if isinstance(eid, str) else None
        if example is None:
            return self.error("unknown_example", f"There is no example called {eid!r}.")
        options = self.run_options(frame)
        if options is None:
            return None
        code, method = options
        try:
            request = self.wiring.request_for(example, code, method, interactive=True)
        except SourceTooLarge as error:
            return self.error("too_large", str(error))
        self._queue(Attempt(example, request))

    def run_options(self, frame: dict[str, Any]) -> tuple[str | None, str | None] | None:
        """A run frame's reader's ``code`` and ``start_method`` (each None when absent), for an
        example or an exercise; None after sending the error."""
        code, method = frame.get("code"), frame.get("start_method")
        if code is not None and not isinstance(code, str):
            self.error("bad_request", "\"code\" must be the program's text.")
        elif code is not None and not self.wiring.editing:
            self.error("forbidden", "Editing is turned off on this server; run the published examples.")
        elif method is not None and method not in START_METHODS:
            self.error("bad_request", f"start_method must be one of {', '.join(START_METHODS)}.")
        else:
            return code, method
        return None

    def check(self, frame: dict[str, Any]) -> None:
        """``{"op":"check"}``: queue a Check of the reader's code for an exercise (web/checking.py)."""
        parsed = checking.parse(self, frame)
        if parsed is not None:
            exercise, code, _ = parsed
            self._queue(Attempt(exercise, checking.first_request(exercise, code, self), check=parsed))

    def _queue(self, attempt: Attempt) -> None:
        """Take ``attempt`` as the session's one run (or Check) and queue it for a run slot."""
        with self._lock:
            if self._attempt is not None:
                return self.error("busy", "A program is already running here; stop it first.")
            self._attempt = attempt
        try:
            # May grant at once, and so call _granted before it returns.
            attempt.ticket = self.wiring.admission.enter(self.client, self._queued, self._granted)
        except Refused as refused:
            with self._lock:
                self._attempt = None
            return self.error(refused.code, refused.message)

    def stop(self, frame: dict[str, Any] | None = None) -> None:
        """``{"op":"stop"}``: stop the run, or leave the queue; nothing when idle."""
        with self._lock:
            attempt = self._attempt
            if attempt is None:
                return
            state = attempt.state
            if state is State.QUEUED:
                self._attempt = None
            elif state in (State.STARTING, State.RUNNING):
                attempt.state = State.STOPPING
        if state is State.QUEUED:
            if attempt.ticket is not None:
                attempt.ticket.cancel()
            self.wiring.run_ended(None)
            self.send(protocol.left_queue())
        elif state in (State.RUNNING, State.STOPPING) and attempt.run is not None:
            attempt.run.stop()  # a second Stop ends the run without waiting for its stacks
        # STARTING: _granted stops the run once the engine hands it over.

    def ping(self, frame: dict[str, Any]) -> None:
        """``{"op":"ping"}``: answer at once, for measuring round trips."""
        self.send(protocol.pong())

    def stacks(self, frame: dict[str, Any]) -> None:
        """``{"op":"stacks"}``: ask every process of the run for its stack; "stack" frames follow."""
        run = self._running()
        if run is None or not run.request_stacks():
            self.error("not_running", "No program is running here, so there are no stacks to show.")

    def stdin(self, frame: dict[str, Any]) -> None:
        """``{"op":"stdin","data":"..."}`` or ``{"op":"stdin","eof":true}``: the main process's input."""
        data, eof = frame.get("data"), frame.get("eof")
        malformed = (data is None) == (eof is None) or (data is not None and not isinstance(data, str))
        if malformed or eof not in (None, True):
            return self.error("bad_request", "stdin takes \"data\" (text) or \"eof\": true.")
        run = self._running()
        if run is None:
            return self.error("not_running", "No program is running here to read that input.")
        try:
            if data is not None:
                run.write_input(data.encode("utf-8"))
            else:
                run.close_input()
        except InputRefused as refused:
            self.error("input_closed" if refused.closed else "too_large", str(refused))

    def _running(self) -> RunHandle | None:
        with self._lock:
            attempt = self._attempt
            return attempt.run if attempt is not None and attempt.state is State.RUNNING else None

    OPS: ClassVar[dict[str, Callable[[RunSession, dict[str, Any]], None]]] = {
        "run": run, "stop": stop, "ping": ping, "check": check, "stacks": stacks, "stdin": stdin,
    }

    # --- the run's life --------------------------------------------------------------------------

    def _queued(self, position: int) -> None:
        self.send(protocol.queued(position))

    def _granted(self, ticket: Ticket) -> None:
        """The scheduler gave this session a slot: start the run, unless it was stopped meanwhile."""
        with self._lock:
            attempt = self._attempt
            if attempt is None or attempt.state is not State.QUEUED or self._closed:
                attempt = None
            else:
                attempt.ticket, attempt.state = ticket, State.STARTING
        if attempt is None:
            ticket.release()
            return
        if attempt.check is not None:
            with self._lock:
                if attempt.state is State.STARTING:
                    attempt.state = State.RUNNING
            checking.start_thread(self, attempt, *attempt.check)
            return
        try:
            frames = RunFrames(self.send, attempt.example.id, attempt.request.start_method, attempt.request.limits,
                               lambda reason: self._finish(attempt, reason))
            run = self.engine.start(attempt.request, frames)
        except Exception:
            log.exception("a run could not start")
            self._finish(attempt, None)
            self.error("internal", "The sandbox could not start this run; try again, or tell the instructor.")
            return
        with self._lock:
            current = self._attempt is attempt
            if current:
                attempt.run = run
                if attempt.state is State.STARTING:
                    attempt.state = State.RUNNING
            stop = current and (attempt.state is State.STOPPING or self._closed)
        if stop:
            run.stop()

    def _finish(self, attempt: Attempt, reason: str | None) -> None:
        """``attempt`` is over: free its slot (before its exit frame goes out, so that a reader
        who runs again the moment they see it is never told the server is busy)."""
        if attempt.ticket is not None:
            attempt.ticket.release()
        with self._lock:
            if self._attempt is attempt:
                self._attempt = None
        self.wiring.run_ended(reason)


class RunFrames:
    """The engine's callbacks for one run, sent as protocol frames (a run's, and each run of a
    Check's). ``ended(reason)`` is called just before the exit frame goes out."""

    def __init__(self, send: Send, name: str, start_method: str | None, limits: Limits,
                 ended: Callable[[str], None]) -> None:
        self.send = send
        self.name = name  # the example's or the exercise's id
        self.start_method = start_method
        self.limits = limits
        self.ended = ended

    def on_started(self, info: StartedInfo) -> None:
        self.send(protocol.started(info, self.name, self.start_method))

    def on_output(self, stream: str, data: str, pid: int | None, process: str | None, t: float) -> None:
        self.send(protocol.output(stream, data, t, pid, process))

    def on_process(self, event: str, pid: int, ppid: int | None, name: str, t: float, exitcode: int | None) -> None:
        self.send(protocol.process(event, pid, ppid, name, t, exitcode))

    def on_stack(self, pid: int, process: str, text: str | None, t: float) -> None:
        self.send(protocol.stack(pid, process, text, t))

    def on_usage(self, t: float, cpu: float, memory: int) -> None:
        self.send(protocol.usage(t, cpu, memory))

    def on_input(self, pid: int, waiting: bool, t: float) -> None:
        self.send(protocol.waiting_for_input(pid, waiting, t))

    def on_exit(self, code: int | None, reason: str, t: float) -> None:
        self.ended(reason)
        self.send(protocol.exit_frame(code, reason, t, self.limits))
