"""Shared by the test suites: the fixture book, and the real server started in a subprocess."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from bench.common import ROOT, free_port, server_process

FIXTURE_CONTENT = Path(__file__).parent / "fixtures" / "content"
__all__ = ["FIXTURE_CONTENT", "ROOT", "free_port", "live_server"]


@contextmanager
def live_server(env: Mapping[str, str] | None = None) -> Iterator[str]:
    """Yield the base URL of ``mpbook serve`` on a free loopback port; stop it afterwards."""
    with server_process(env) as served:
        yield served.url
