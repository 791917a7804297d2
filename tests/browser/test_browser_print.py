"""A lesson printed from the browser: the text, the code and the book's output, without controls, nothing cut off."""

from __future__ import annotations

from typing import Any

import pytest

from browserkit import run_and_wait, wait_connected

pytestmark = pytest.mark.browser

CONTROLS = ".sidebar, .pager, .theme-toggle, .example-toolbar, button, select, .run-view, .timeline"


def test_print_shows_no_controls_and_cuts_off_no_code(page: Any) -> None:
    page.goto("/lessons/pipes")
    wait_connected(page)
    run_and_wait(page, "pipe-duplex")  # a finished run's view must not print either
    page.emulate_media(media="print")
    visible = page.locator(CONTROLS).evaluate_all(
        "els => els.filter(e => e.getClientRects().length > 0).map(e => e.className || e.tagName)")
    assert visible == []
    assert page.locator("figure.example .example-code pre").first.is_visible()
    assert page.locator("figure.example .example-expected pre").first.is_visible()
    cut = page.locator(".example-code .highlight, .example-expected pre").evaluate_all(
        "els => els.filter(e => e.scrollWidth > e.clientWidth + 1).length")
    assert cut == 0
    # The same page on screen keeps its controls.
    page.emulate_media(media="screen")
    assert page.locator("figure.example button.run").first.is_visible()


def test_printed_pdf_has_pages(page: Any) -> None:
    page.goto("/lessons/cheat-sheet")
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF") and pdf.count(b"/Type /Page") >= 1
