"""Run the application under gunicorn: one worker process, one thread per connection."""

from __future__ import annotations

import logging
from typing import Any

from gunicorn.app.base import BaseApplication

from . import create_app

log = logging.getLogger("mpbook")


class _Gunicorn(BaseApplication):  # type: ignore[misc]
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
        self.cfg.set("worker_class", "gthread")
        self.cfg.set("threads", self.values["threads"])
        self.cfg.set("graceful_timeout", 5)
        self.cfg.set("accesslog", None)
        self.cfg.set("errorlog", "-")

    def load(self) -> Any:
        return create_app(self.values)


def serve(values: dict[str, Any]) -> int:
    """Serve until interrupted; returns the process exit status."""
    print(f"mpbook: serving the book at http://{_display_host(values['host'])}:{values['port']}/", flush=True)
    _Gunicorn(values).run()
    return 0


def _display_host(host: str) -> str:
    if host in ("0.0.0.0", "::"):
        return "127.0.0.1"
    return f"[{host}]" if ":" in host else host
