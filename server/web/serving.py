"""Run the application under gunicorn: one worker process, one thread per connection."""

from __future__ import annotations

import fcntl
import logging
import os
import re
import secrets
import socket
import struct
from types import FrameType
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication
from gunicorn.workers.gthread import ThreadWorker

from mpbook.engine.sandbox import reap_leftovers
from mpbook.web import create_app, sockets
from mpbook.web.status import containment_lines
from mpbook.web.wiring import wiring_of

log = logging.getLogger("mpbook")

SIOCGIFADDR = 0x8915  # Linux: an interface's IPv4 address
TOKEN_IN_URL = re.compile(r"([?&]token=)[^&\s]+")


class _Gunicorn(BaseApplication):
    def __init__(self, values: dict[str, Any]) -> None:
        self.values = values
        super().__init__()

    def load_config(self) -> None:
        host = self.values["host"]
        bind = f"[{host}]:{self.values['port']}" if ":" in host else f"{host}:{self.values['port']}"
        # One worker: the run scheduler and the warm sandboxes live in it. Every
        # WebSocket holds a thread for its whole life, hence the many threads.
        self.cfg.set("bind", bind)
        self.cfg.set("workers", 1)
        self.cfg.set("worker_class", _Worker)
        self.cfg.set("threads", self.values["threads"])
        self.cfg.set("graceful_timeout", 5)
        self.cfg.set("accesslog", None)
        self.cfg.set("errorlog", "-")
        self.cfg.set("on_exit", _master_exiting)
        if "control_socket_disable" in self.cfg.settings:
            # gunicorn 25.1+ opens a management socket at one path per user, which every
            # instance on the machine would share; mpbook needs none.
            self.cfg.set("control_socket_disable", True)

    def load(self) -> Any:
        app = create_app(self.values)
        for line in containment_lines(wiring_of(app).backend):  # in the worker, which chose the backend
            print(line, flush=True)
        return app


class _Worker(ThreadWorker):
    """gthread, which ends the runs and closes the WebSockets as soon as it is told to stop.

    Open WebSockets would otherwise hold the worker until gunicorn kills it, after
    graceful_timeout and before it removes its runs' cgroups and its runtime dir."""

    # Both shut down in the signal handler, on the main thread: the worker must not
    # exit before its runs are over and their cgroups removed.
    def handle_exit(self, sig: int, frame: FrameType | None) -> None:  # SIGTERM
        super().handle_exit(sig, frame)
        app = self._app()
        if app is not None:
            sockets.shutdown(app)

    def handle_quit(self, sig: int, frame: FrameType | None) -> None:  # SIGINT, SIGQUIT
        app = self._app()
        if app is not None:
            sockets.shutdown(app)
        super().handle_quit(sig, frame)

    def _app(self) -> Flask | None:
        """The application, once loaded (a signal may come before)."""
        app = getattr(self, "wsgi", None)
        return app if isinstance(app, Flask) else None


def _master_exiting(arbiter: Any) -> None:
    """In gunicorn's master, last: a worker killed after its graceful timeout ran no
    cleanup of its own, so wait for it to be gone and remove what it left behind
    (its runtime dir, its sandboxes' cgroups). A worker that died while serving is
    replaced, and the new one does the same when it starts."""
    while True:
        try:
            os.waitpid(-1, 0)
        except ChildProcessError:
            break
    reap_leftovers()


class _RedactTokens(logging.Filter):
    """Keeps tokens out of the log: gunicorn logs a request's URI when the app fails."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "token=" in message:
            record.msg, record.args = TOKEN_IN_URL.sub(r"\1[hidden]", message), ()
        return True


def serve(values: dict[str, Any]) -> int:
    """Serve until interrupted; returns the process exit status."""
    if values["workshop"]:
        values = {**values, "token": values["token"] or secrets.token_urlsafe(16),
                  "status_token": values["status_token"] or secrets.token_urlsafe(16)}
    addresses = lan_addresses() if values["host"] in ("0.0.0.0", "::") else []
    for line in banner(values, addresses):
        print(line, flush=True)
    logging.getLogger("gunicorn.error").addFilter(_RedactTokens())
    _Gunicorn(values).run()
    return 0


def banner(values: dict[str, Any], addresses: list[str]) -> list[str]:
    """What ``serve`` prints: where the book is, with the join and status links when tokens are set.

    This is the only place a token is printed."""
    port = values["port"]
    hosts = [_display_host(a) for a in addresses] + [_display_host(values["host"])]
    urls = [f"http://{host}:{port}/" for host in dict.fromkeys(hosts)]
    if not values["token"]:
        lines = [f"mpbook: serving the book at {urls[0]}"] + [f"        also at {url}" for url in urls[1:]]
    else:
        lines = ["mpbook: serving the book" + (" for a workshop" if values["workshop"] else "")]
        labels = ["  readers join at     "] + ["                      "] * (len(urls) - 1)
        lines += [f"{label} {url}?token={values['token']}" for label, url in zip(labels, urls, strict=True)]
    if values["status_token"]:
        lines.append(f"  instructor status at {urls[0]}status?token={values['status_token']}"
                     "  (keep this one to yourself)")
    if values["host"] in ("0.0.0.0", "::") and not addresses:
        lines.append("  (no network address found; readers use this machine's address or name)")
    return lines


def lan_addresses() -> list[str]:
    """This machine's IPv4 addresses on its network interfaces, loopback left out.

    Read from the interfaces themselves (Linux's SIOCGIFADDR), so nothing is sent
    anywhere; elsewhere the list is empty and the banner says so."""
    found = []
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        for _, name in socket.if_nameindex():
            try:
                request = struct.pack("256s", name.encode()[:15])
                address = socket.inet_ntoa(fcntl.ioctl(probe.fileno(), SIOCGIFADDR, request)[20:24])
            except OSError:
                continue  # an interface without an IPv4 address, or not Linux
            if not address.startswith("127."):
                found.append(address)
    return list(dict.fromkeys(found))


def _display_host(host: str) -> str:
    if host in ("0.0.0.0", "::"):
        return "127.0.0.1"
    return f"[{host}]" if ":" in host else host
