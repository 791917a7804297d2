"""The WebSocket endpoint: the run protocol of docs/protocol.md over flask-sock.

A connection runs one program at a time. Frames from the runner arrive on the
runner's thread; frames from the reader on the connection's thread; a lock keeps
their sends whole.
"""

from __future__ import annotations

import json
import logging
import threading
from typing import Any, Callable

from flask import Flask, current_app, request
from flask_sock import Sock
from simple_websocket import ConnectionClosed

from mpbook.book.lessons import START_METHODS, Example
from mpbook.engine.runner import Limits, Run, RunRequest, SourceTooLarge, StartedInfo
from mpbook.engine.scheduler import QueueFull, Ticket
from mpbook.web.services import Services

log = logging.getLogger("mpbook.sockets")
sock = Sock()


def init_app(app: Flask) -> None:
    """Attach the endpoint, with the ping interval and message cap from settings."""
    values = app.config["MPBOOK"]
    app.config["SOCK_SERVER_OPTIONS"] = {
        "ping_interval": values["ws_ping_seconds"] or None,
        "max_message_size": values["ws_max_message_kb"] * 1024,
    }
    sock.init_app(app)
    app.extensions["mpbook.sockets"] = LiveConnections()


def shutdown(app: Flask) -> None:
    """The server is stopping: end every run (its reader gets the exit frame), then close
    every connection with 1012 (service restart); pages reconnect, behind a proxy elsewhere."""
    connections = app.extensions["mpbook.sockets"].stop()
    app.extensions["mpbook.services"].close()
    for connection in connections:
        connection.hang_up()


# Sent instead of "hello" when a connection is refused, before closing it with 1013 (try again later).
REFUSED = {
    "server": "The server has as many open pages as it can take; this page reconnects by itself in a moment.",
    "client": "Too many pages of this book are open from your address; close some and this one reconnects.",
}


@sock.route("/ws")
def run_socket(ws: Any) -> None:
    services: Services = current_app.extensions["mpbook.services"]
    client = request.remote_addr or "unknown"
    refused = services.connections.open(client)
    if refused is not None:
        services.refusals.add("connections")
        try:
            ws.send(json.dumps({"type": "error", "code": "busy", "message": REFUSED[refused]}))
            ws.close(reason=1013, message="Try again later")
        except ConnectionClosed:
            pass
        return
    connection = Connection(ws, services, client)
    live: LiveConnections = current_app.extensions["mpbook.sockets"]
    if not live.add(connection):  # the server is stopping
        services.connections.close(client)
        return
    try:
        connection.serve()
    except ConnectionClosed:
        pass
    finally:
        connection.close()
        live.discard(connection)
        services.connections.close(client)


class LiveConnections:
    """The open connections of one app, so that a stopping server can close them all."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._open: set[Connection] = set()
        self._stopping = False

    def add(self, connection: Connection) -> bool:
        """Track ``connection``; False once the server is stopping."""
        with self._lock:
            if not self._stopping:
                self._open.add(connection)
            return not self._stopping

    def discard(self, connection: Connection) -> None:
        with self._lock:
            self._open.discard(connection)

    def stop(self) -> list[Connection]:
        """Take no more connections; the open ones."""
        with self._lock:
            self._stopping = True
            return list(self._open)


class Connection:
    """One reader's socket: parses frames, queues and runs programs, sends frames."""

    def __init__(self, ws: Any, services: Services, client: str) -> None:
        self.ws = ws
        self.client = client
        self.services = services
        self._send_lock = threading.Lock()
        self._state_lock = threading.Lock()
        self._ticket: Ticket | None = None
        self._run: Run | None = None
        self._busy = False
        self._closed = False

    def serve(self) -> None:
        """Answer frames until the reader goes away."""
        self.send(self.services.hello())
        while True:
            raw = self.ws.receive()
            if raw is None:
                continue
            self.handle(raw)

    def handle(self, raw: str | bytes) -> None:
        try:
            frame = json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            return self.error("bad_request", "That message is not JSON.")
        if not isinstance(frame, dict):
            return self.error("bad_request", "A message must be a JSON object with an \"op\".")
        op = frame.get("op")
        if op == "run":
            return self.start_run(frame)
        if op == "stop":
            return self.stop()
        if op == "ping":
            return self.send({"type": "pong"})
        self.error("bad_request", f"Unknown op {op!r}; use \"run\", \"stop\" or \"ping\".")

    def start_run(self, frame: dict[str, Any]) -> None:
        example = self.services.book.examples.get(frame.get("example")) if isinstance(frame.get("example"), str) else None
        if example is None:
            return self.error("unknown_example", f"There is no example called {frame.get('example')!r}.")
        code = frame.get("code")
        if code is not None and not isinstance(code, str):
            return self.error("bad_request", "\"code\" must be the program's text.")
        if code is not None and not self.services.editing:
            return self.error("forbidden", "Editing is turned off on this server; run the published examples.")
        method = frame.get("start_method")
        if method is not None and method not in START_METHODS:
            return self.error("bad_request", f"start_method must be one of {', '.join(START_METHODS)}.")
        try:
            request = self.services.request_for(example, code, method)
        except SourceTooLarge as error:
            return self.error("too_large", str(error))
        with self._state_lock:
            if self._busy:
                return self.error("busy", "A program is already running here; stop it first.")
            if not self.services.allow_start(self.client):
                self.services.refusals.add("rate_limited")
                return self.error("rate_limited", "You are starting runs very quickly; wait a moment and try again.")
            self._busy = True
        try:
            ticket = self.services.scheduler.enter(self._on_position)
        except QueueFull:
            self.services.refusals.add("queue_full")
            with self._state_lock:
                self._busy = False
            return self.error("busy", "The server is busy; try again in a moment.")
        with self._state_lock:
            self._ticket = ticket
        threading.Thread(target=self._run_when_granted, args=(ticket, example, request), daemon=True,
                         name=f"mpbook-run-{example.id}").start()

    def _on_position(self, position: int) -> None:
        self.send({"type": "queued", "position": position})

    def _run_when_granted(self, ticket: Ticket, example: Example, request: RunRequest) -> None:
        if not ticket.wait():
            self._finish(ticket)
            self.send({"type": "exit", "code": None, "reason": "stopped", "t": 0,
                       "message": "You left the queue before the run started."})
            return
        # The slot is freed before the exit frame goes out, so a reader who
        # runs again the moment they see it is never told the server is busy.
        callbacks = _FrameCallbacks(self, example.id, request, lambda: self._finish(ticket))
        if self._closed or ticket.cancelled:
            self._finish(ticket)
            return
        try:
            run = self.services.runner.start(request, callbacks)
        except Exception:
            log.exception("a run could not start")
            self._finish(ticket)
            self.error("internal", "The sandbox could not start this run; try again, or tell the instructor.")
            return
        with self._state_lock:
            if not callbacks.finished:
                self._run = run
        if self._closed or ticket.cancelled:
            run.stop()

    def _finish(self, ticket: Ticket) -> None:
        ticket.release()
        with self._state_lock:
            self._ticket = None
            self._run = None
            self._busy = False
        self.services.run_ended()

    def stop(self) -> None:
        with self._state_lock:
            run, ticket = self._run, self._ticket
        if run is not None:
            run.stop()
        elif ticket is not None:
            ticket.cancel()

    def close(self) -> None:
        """The reader left: stop whatever they had queued or running."""
        with self._state_lock:
            self._closed = True
        self.stop()

    def hang_up(self) -> None:
        """Close the socket from the server's side: the server is stopping."""
        with self._send_lock:
            self._closed = True
            try:
                self.ws.close(reason=1012, message="The server is restarting")
            except ConnectionClosed:
                pass
        # close() does not wake a receive() that waits for the reader's next frame.
        self.ws.event.set()

    def error(self, code: str, message: str) -> None:
        self.send({"type": "error", "code": code, "message": message})

    def send(self, frame: dict[str, Any]) -> None:
        data = json.dumps(frame, ensure_ascii=False)
        with self._send_lock:
            if self._closed:
                return
            try:
                self.ws.send(data)
            except (ConnectionClosed, OSError):
                self._closed = True


class _FrameCallbacks:
    """Turns the runner's callbacks into protocol frames."""

    def __init__(self, connection: Connection, example_id: str, request: RunRequest,
                 finish: Callable[[], None]) -> None:
        self.connection = connection
        self.example_id = example_id
        self.request = request
        self._finish = finish
        self.finished = False

    def on_started(self, info: StartedInfo) -> None:
        self.connection.send({
            "type": "started", "run": info.run_id, "example": self.example_id, "sandbox": info.backend,
            "limits": info.limits, "start_method": self.request.start_method or info.start_method,
        })

    def on_output(self, stream: str, data: str, pid: int | None, process: str | None, t: float) -> None:
        self.connection.send({"type": "output", "stream": stream, "data": data, "t": round(t, 1),
                              "pid": pid, "process": process})

    def on_process(self, event: str, pid: int, ppid: int | None, name: str, t: float, exitcode: int | None) -> None:
        self.connection.send({"type": "process", "event": event, "pid": pid, "ppid": ppid, "name": name,
                              "t": round(t, 1), "exitcode": exitcode})

    def on_exit(self, code: int | None, reason: str, t: float) -> None:
        self.connection.services.exits.add(reason)
        self.finished = True
        self._finish()
        self.connection.send({"type": "exit", "code": code, "reason": reason, "t": round(t, 1),
                              "message": exit_message(reason, code, self.request.limits)})


def exit_message(reason: str, code: int | None, limits: Limits) -> str:
    """How a run ended, in plain words for the status line."""
    messages = {
        "ok": "Finished.",
        "error": f"Exited with code {code}.",
        "timeout": f"Stopped after {limits.wall_seconds:g} s wall time.",
        "memory": f"Stopped: the run used more than its {limits.memory_bytes // 2**20} MiB of memory.",
        "processes": f"Stopped: the run started more than {limits.processes} processes and threads.",
        "output": f"Output cut after {limits.output_bytes // 1024} KiB.",
        "stopped": "Stopped by you.",
    }
    return messages.get(reason, f"Ended ({reason}).")
