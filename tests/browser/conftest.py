"""Browser tests: Playwright drives Chromium against the real server in a subprocess.

Debian's Chromium (/usr/bin/chromium) is used when present, since Playwright
cannot download its own browser here; elsewhere Playwright's own build is used
(``python -m playwright install chromium``). Every wait is bounded.
"""

from __future__ import annotations

import os
import re
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from browserkit import get_json, serve
from helpers import CHROMIUM, CHROMIUM_ARGS

ACTION_MS = 10_000


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    args = dict(browser_type_launch_args)
    if os.path.exists(CHROMIUM):
        args["executable_path"] = CHROMIUM
        args["args"] = list(CHROMIUM_ARGS)
    args.setdefault("timeout", 30_000)
    return args


@pytest.fixture(scope="session")
def live_server() -> Iterator[str]:
    """The real server with a warm sandbox, for the whole session.

    MPBOOK_CONTENT_DIR, when set in the environment, chooses the book it serves;
    MPBOOK_TEST_URL points the tests at a server already running instead.
    """
    if os.environ.get("MPBOOK_TEST_URL"):
        yield os.environ["MPBOOK_TEST_URL"].rstrip("/")
        return
    with serve() as url:
        yield url


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any], live_server: str) -> dict[str, Any]:
    return {**browser_context_args, "base_url": live_server, "viewport": {"width": 1280, "height": 900}}


@pytest.fixture(autouse=True)
def _bounded_waits(request: pytest.FixtureRequest) -> None:
    if "page" in request.fixturenames:
        page = request.getfixturevalue("page")
        page.set_default_timeout(ACTION_MS)
        page.set_default_navigation_timeout(ACTION_MS * 2)


class ConsoleLog:
    """Console errors and uncaught exceptions of one page."""

    def __init__(self, page: Any) -> None:
        self.errors: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda e: self.errors.append(f"uncaught: {e}"))

    def _console(self, message: Any) -> None:
        if message.type == "error":
            self.errors.append(f"console.{message.type}: {message.text} at {message.location.get('url')}")


@pytest.fixture
def console(page: Any) -> ConsoleLog:
    return ConsoleLog(page)


@pytest.fixture(scope="session")
def examples(live_server: str) -> list[dict[str, Any]]:
    """Every example, in reading order, from /api/examples."""
    return get_json(live_server + "/api/examples")


@pytest.fixture(scope="session")
def lesson_paths(live_server: str, examples: list[dict[str, Any]]) -> list[str]:
    """Every lesson page: the home page's table of contents, checked against /api/examples."""
    with urllib.request.urlopen(live_server + "/", timeout=5) as response:
        home = response.read().decode("utf-8")
    parts = re.findall(r'<ol class="toc"[^>]*>(.*?)</ol>', home, re.S)  # one list per part of the book
    assert parts, "the home page has no table of contents"
    paths = re.findall(r'href="(/lessons/[^"]+)"', "".join(parts))
    assert paths, "the table of contents lists no lessons"
    for ex in examples:
        assert f"/lessons/{ex['lesson']}" in paths, \
            f"lesson {ex['lesson']} of example {ex['id']} is not in the contents"
    return paths
