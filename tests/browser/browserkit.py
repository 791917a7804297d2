"""Helpers for the browser tests: bounded waits on the page's state (window.MPBook)."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from helpers import live_server


@contextmanager
def serve(extra_env: dict[str, str] | None = None) -> Iterator[str]:
    """The real server with one warm sandbox, as a reader gets it from ``make run``."""
    with live_server({"MPBOOK_WARM_SANDBOXES": "1", **(extra_env or {})}) as url:
        yield url


def get_json(url: str, timeout: float = 5) -> Any:
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return json.loads(response.read().decode("utf-8"))


def wait_connected(page: Any, timeout: int = 15_000) -> None:
    """Until the page's socket has said hello and the Run buttons are live. A page
    without examples (the cheat sheet) opens no socket: nothing to wait for."""
    if page.locator("figure.example").count() == 0:
        return
    page.wait_for_function("() => window.MPBook && MPBook.connection.hello() !== null", timeout=timeout)


def run_and_wait(page: Any, eid: str, timeout_ms: int = 40_000, times: int = 1) -> list[dict[str, Any]]:
    """Click Run (or Run ×3) on example ``eid``; return each run's text, state and status line."""
    figure = page.locator(f'figure.example[data-example="{eid}"]')
    figure.scroll_into_view_if_needed()
    figure.locator("button.run3" if times == 3 else "button.run").click()
    page.wait_for_function(
        """([id, times]) => { const ex = MPBook.run.example(id);
             return ex && ex.views.length === times && ex.views.every(v => v.done) && !ex.isRunning; }""",
        arg=[eid, times], timeout=timeout_ms,
    )
    return page.evaluate(
        """id => MPBook.run.example(id).views.map(v => ({
             stdout: v.text.stdout, stderr: v.text.stderr, state: v.root.dataset.state,
             status: v.state.textContent, result: v.result, start_method: v.startMethod,
             lines: Array.from(v.out.querySelectorAll('.line')).map(l => ({
               text: l.querySelector('.text') ? l.querySelector('.text').textContent : l.textContent,
               stream: l.dataset.stream || null,
               badge: l.querySelector('.proc-badge') ? l.querySelector('.proc-badge').textContent : null })),
             lanes: Array.from(v.root.querySelectorAll('.tl-lane')).map(l => ({
               pid: l.dataset.pid, name: l.querySelector('.tl-name').textContent,
               exit: l.querySelector('.tl-exit').textContent, ticks: l.querySelectorAll('.tl-tick').length })),
           }))""",
        eid,
    )


def figure(page: Any, eid: str) -> Any:
    return page.locator(f'figure.example[data-example="{eid}"]')


def open_example(page: Any, example: dict[str, Any]) -> Any:
    page.goto(f"/lessons/{example['lesson']}")
    wait_connected(page)
    return figure(page, example["id"])


def set_code(page: Any, eid: str, code: str) -> None:
    """Replace the example's code the way a reader does: click into it, select all, type (paste)."""
    fig = figure(page, eid)
    fig.scroll_into_view_if_needed()
    if fig.locator(".cm-content").count() == 0:
        fig.locator(".example-code pre").click()
    fig.locator(".cm-content").wait_for()
    fig.locator(".cm-content").click()
    page.keyboard.press("Control+a")
    page.keyboard.insert_text(code)
    page.wait_for_function("([id, code]) => MPBook.run.example(id).editor.code() === code", arg=[eid, code])
