"""Pages in a real browser: they load cleanly, the contents and pager lead through the book, themes, 404, layout."""

from __future__ import annotations

from typing import Any

import pytest

from browserkit import wait_connected

pytestmark = pytest.mark.browser

LIGHT_BG = "rgb(253, 253, 251)"   # --bg of book.css
DARK_BG = "rgb(22, 24, 27)"


def body_background(page: Any) -> str:
    return page.evaluate("() => getComputedStyle(document.body).backgroundColor")


def test_every_lesson_page_loads_without_console_errors(page: Any, console: Any, lesson_paths: list[str]) -> None:
    for path in lesson_paths:
        response = page.goto(path)
        assert response is not None and response.status == 200, path
        wait_connected(page)
        page.wait_for_function(
            "() => Array.from(document.querySelectorAll('figure.example button.run')).every(b => !b.disabled)")
        assert page.locator("figure.example .run-note").evaluate_all(
            "notes => notes.every(n => !/needs JavaScript/.test(n.textContent))")
    page.goto("/")
    assert console.errors == []


def test_run_buttons_stay_disabled_with_the_note_until_hello(browser: Any, live_server: str,
                                                             lesson_paths: list[str]) -> None:
    context = browser.new_context(base_url=live_server, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(lesson_paths[0])
        first = page.locator("figure.example").first
        assert first.locator("button.run").is_disabled()
        assert "needs JavaScript" in first.locator(".run-note").inner_text()
        assert first.locator(".example-code .highlight").is_visible()
    finally:
        context.close()


def test_contents_and_pager_lead_through_the_whole_book(page: Any, lesson_paths: list[str]) -> None:
    page.goto("/")
    page.get_by_role("link", name="Start reading").click()
    page.wait_for_url("**" + lesson_paths[0])
    visited = [lesson_paths[0]]
    for _ in range(len(lesson_paths)):
        sidebar = page.locator(".book-toc > li > a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
        assert sidebar == lesson_paths
        current = page.locator('.book-toc a[aria-current="page"]').get_attribute("href")
        assert current == visited[-1]
        following = page.locator(".pager a.next")
        if following.count() == 0:
            break
        following.click()
        page.wait_for_load_state()
        visited.append("/" + page.url.split("/", 3)[3])
    assert visited == lesson_paths
    for expected in reversed(lesson_paths[:-1]):
        page.locator(".pager a.prev").click()
        page.wait_for_load_state()
        assert page.url.endswith(expected)
    assert page.locator(".pager a.prev").count() == 0


@pytest.mark.parametrize("scheme, colour", [("dark", DARK_BG), ("light", LIGHT_BG)])
def test_theme_follows_the_system_setting(browser: Any, live_server: str, lesson_paths: list[str], scheme: str,
                                          colour: str) -> None:
    context = browser.new_context(base_url=live_server, color_scheme=scheme)
    try:
        page = context.new_page()
        page.goto(lesson_paths[0])
        assert body_background(page) == colour
    finally:
        context.close()


def test_theme_toggle_switches_and_persists(browser: Any, live_server: str, lesson_paths: list[str]) -> None:
    context = browser.new_context(base_url=live_server, color_scheme="dark")
    try:
        page = context.new_page()
        page.goto(lesson_paths[0])
        assert body_background(page) == DARK_BG
        page.locator(".theme-toggle").click()
        assert body_background(page) == LIGHT_BG
        page.reload()
        assert body_background(page) == LIGHT_BG
        page.goto(lesson_paths[-1])
        assert body_background(page) == LIGHT_BG
        page.locator(".theme-toggle").click()
        page.reload()
        assert body_background(page) == DARK_BG
    finally:
        context.close()


def test_unknown_page_is_a_404_with_a_way_back(page: Any) -> None:
    response = page.goto("/lessons/no-such-lesson")
    assert response is not None and response.status == 404
    assert page.locator("h1").inner_text().strip() == "404"
    page.get_by_role("link", name="Go to the table of contents").click()
    page.wait_for_url("**/")
    assert page.locator("ol.toc li").count() > 0


def test_sidebar_starts_folded_on_narrow_screens(browser: Any, live_server: str, lesson_paths: list[str]) -> None:
    for width, is_open in ((390, False), (860, False), (861, True), (1280, True)):
        context = browser.new_context(base_url=live_server, viewport={"width": width, "height": 800})
        try:
            page = context.new_page()
            page.goto(lesson_paths[0])
            assert page.locator(".sidebar-fold").evaluate("d => d.open") is is_open, width
            if not is_open:
                assert not page.locator(".book-toc").first.is_visible()  # one list per part
                page.locator(".sidebar-fold > summary").click()
                assert page.locator(".book-toc").first.is_visible()
                # nothing may stick out sideways on a phone
                assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")
        finally:
            context.close()


def test_sidebar_follows_a_resize(page: Any, lesson_paths: list[str]) -> None:
    page.goto(lesson_paths[0])
    assert page.locator(".sidebar-fold").evaluate("d => d.open")
    page.set_viewport_size({"width": 500, "height": 800})
    page.wait_for_function("() => !document.querySelector('.sidebar-fold').open")
    page.set_viewport_size({"width": 1200, "height": 800})
    page.wait_for_function("() => document.querySelector('.sidebar-fold').open")
