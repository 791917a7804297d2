"""Accessibility: axe-core finds no serious or critical violation on any page, live parts included."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from browserkit import run_and_wait, wait_connected

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"


def axe_problems(page: Any) -> list[str]:
    if not AXE.is_file():
        if os.environ.get("CI"):
            pytest.fail(f"{AXE} is missing: `make node-deps` installs it")
        pytest.skip(f"{AXE} is missing: run `make node-deps` (npm ci) for the accessibility test")
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("""async () => {
        const r = await axe.run(document, { resultTypes: ['violations'] });
        return r.violations.map(v => ({ id: v.id, impact: v.impact, help: v.help,
                                        nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ')) }));
    }""")
    return [f"{v['id']} ({v['impact']}): {v['help']} at {v['nodes']}"
            for v in result if v["impact"] in ("serious", "critical")]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_serious_violations_on_any_page(browser: Any, live_server: str, lesson_paths: list[str],
                                           scheme: str) -> None:
    context = browser.new_context(base_url=live_server, color_scheme=scheme)
    problems: dict[str, list[str]] = {}
    try:
        page = context.new_page()
        page.set_default_timeout(15_000)
        for path in ["/", *lesson_paths, "/lessons/no-such-page"]:
            page.goto(path)
            if path.startswith("/lessons/") and path in lesson_paths:
                wait_connected(page)
            found = axe_problems(page)
            if found:
                problems[path] = found
    finally:
        context.close()
    assert problems == {}


def test_no_serious_violations_with_editor_output_and_timeline(page: Any, examples: list[dict[str, Any]]) -> None:
    first = examples[0]
    page.goto(f"/lessons/{first['lesson']}")
    wait_connected(page)
    figure = page.locator(f'figure.example[data-example="{first["id"]}"]')
    figure.locator(".example-code pre").click()
    figure.locator(".cm-content").wait_for()
    page.keyboard.press("End")
    page.keyboard.type("  # edited")
    run_and_wait(page, first["id"])
    assert figure.locator(".run-view").count() == 1
    assert axe_problems(page) == []
