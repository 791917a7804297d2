"""Host and Origin checks: against DNS rebinding and cross-site WebSocket hijacking.

Browsers apply neither the same-origin policy nor CORS to WebSockets, so any page
a reader opens could otherwise drive this server's /ws and run code on their
machine. flask-sock completes the handshake before the route runs, so the check
happens in ``before_request``.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, abort, request

LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})


def allowed_hosts(bound_host: str, extra: str) -> frozenset[str]:
    """Host names this server answers to: loopback names, the bound address, and ``extra``."""
    names = set(LOOPBACK_NAMES)
    if bound_host not in ("0.0.0.0", "::", ""):
        names.add(bound_host.strip("[]").lower())
    names.update(name.strip().lower() for name in extra.split(",") if name.strip())
    return frozenset(names)


def host_name(host_header: str) -> str:
    """The name part of a Host header: no port, no IPv6 brackets, lower case."""
    value = host_header.strip().lower()
    if value.startswith("["):
        return value[1:].split("]", 1)[0]
    return value.rsplit(":", 1)[0] if value.count(":") == 1 else value


def same_origin(origin: str, host_header: str, scheme: str) -> bool:
    """Whether ``origin`` names the host and port this request was sent to."""
    parts = urlsplit(origin)
    ports = {"http": 80, "https": 443, "ws": 80, "wss": 443}
    try:
        origin_port = parts.port or ports.get(parts.scheme)
        target = urlsplit(f"//{host_header}")
        target_port = target.port or ports.get(scheme)
    except ValueError:
        return False
    return (parts.hostname or "") == (target.hostname or "") and origin_port == target_port


def register(app: Flask) -> None:
    """Refuse requests for foreign Hosts, and WebSocket handshakes from foreign Origins."""
    values = app.config["MPBOOK"]
    hosts = allowed_hosts(values["host"], values["allowed_hosts"])
    any_host = values["host"] in ("0.0.0.0", "::") and not values["allowed_hosts"]

    @app.before_request
    def check_host_and_origin() -> None:
        if not any_host and host_name(request.host) not in hosts:
            abort(403, description="This server does not answer to that host name.")
        if request.path == "/ws":
            origin = request.headers.get("Origin")
            # Non-browser clients send no Origin and cannot be used for hijacking.
            if origin is not None and not same_origin(origin, request.host, request.scheme):
                abort(403, description="WebSocket connections are only accepted from this server's own pages.")
