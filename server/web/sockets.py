"""The WebSocket endpoint: the run protocol of docs/protocol.md over flask-sock.

The protocol itself is session.py's; this module admits a connection, carries
its frames as JSON text both ways, and closes it. Frames of one connection are
sent from several threads (see session.py); a lock keeps each send whole.
"""

from __future__ import annotations

import json
import threading
from typing import Any

from flask import Flask, current_app, request
from flask_sock import Sock
from simple_websocket import ConnectionClosed

from mpbook.web import protocol
from mpbook.web.session import RunSession
from mpbook.web.wiring import Wiring, wiring_of

sock = Sock()
# How often a connection's thread wakes from waiting for the reader's next frame, to
# notice that the server closed the socket (close() does not wake a waiting receive()).
RECEIVE_POLL_SECONDS = 0.5


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
    wiring_of(app).close()
    for connection in connections:
        connection.hang_up()


@sock.route("/ws")
def run_socket(ws: Any) -> None:
    wiring = wiring_of(current_app)
    client = request.remote_addr or "unknown"
    refused = wiring.admission.connect(client)
    if refused is not None:
        try:
            ws.send(json.dumps(protocol.error("busy", refused)))
            ws.close(reason=1013, message="Try again later")
        except ConnectionClosed:
            pass
        return
    connection = Connection(ws, wiring, client)
    live: LiveConnections = current_app.extensions["mpbook.sockets"]
    if not live.add(connection):  # the server is stopping
        wiring.admission.disconnect(client)
        return
    try:
        connection.serve()
    except ConnectionClosed:
        pass
    finally:
        connection.session.close()
        live.discard(connection)
        wiring.admission.disconnect(client)


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
    """One reader's socket: a RunSession whose frames travel as JSON text."""

    def __init__(self, ws: Any, wiring: Wiring, client: str) -> None:
        self.ws = ws
        self.session = RunSession(wiring, client, self.send)
        self._send_lock = threading.Lock()
        self._closed = False

    def serve(self) -> None:
        """Answer frames until the reader goes away (ConnectionClosed) or the server hangs up."""
        self.session.open()
        while True:
            raw = self.ws.receive(timeout=RECEIVE_POLL_SECONDS)
            if raw is not None:
                self.session.handle(raw)

    def hang_up(self) -> None:
        """Close the socket from the server's side, with 1012: the server is stopping.
        The connection's thread notices within RECEIVE_POLL_SECONDS."""
        with self._send_lock:
            self._closed = True
            try:
                self.ws.close(reason=1012, message="The server is restarting")
            except ConnectionClosed:
                pass

    def send(self, frame: dict[str, Any]) -> None:
        data = json.dumps(frame, ensure_ascii=False)
        with self._send_lock:
            if self._closed:
                return
            try:
                self.ws.send(data)
            except (ConnectionClosed, OSError):
                self._closed = True
