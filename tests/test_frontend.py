"""The page's ES modules: a lesson page preloads exactly the modules run.js imports."""

from __future__ import annotations

import re
from pathlib import Path

from flask.testing import FlaskClient

JS = Path(__file__).resolve().parents[1] / "site" / "static" / "js"
IMPORT = re.compile(r'^import (?:[^;"]*? from )?"\./([\w-]+\.js)";', re.M)  # with names, or for effect


def imported_by(entry: str) -> set[str]:
    """Every module ``entry`` imports, directly or through others."""
    found: set[str] = set()
    todo = [entry]
    while todo:
        for name in IMPORT.findall((JS / todo.pop()).read_text()):
            if name not in found:
                found.add(name)
                todo.append(name)
    return found


def test_the_import_pattern_finds_imports() -> None:
    assert IMPORT.findall('import * as a from "./a.js";\nimport { b, c } from "./b.js";\nimport "./c.js";\n') == [
        "a.js", "b.js", "c.js"]
    assert {"connection.js", "dom.js", "output.js", "timeline.js"} <= imported_by("run.js")


def test_a_lesson_page_preloads_every_module_run_js_imports(client: FlaskClient) -> None:
    html = client.get("/lessons/first").get_data(as_text=True)
    preloaded = set(re.findall(r'<link rel="modulepreload" href="/static/js/([\w-]+\.js)">', html))
    assert preloaded == imported_by("run.js")  # else the browser finds the missing ones one round trip later
    assert '<script type="module" src="/static/js/run.js"></script>' in html
