"""What a page asks the browser to fetch before it works: one script, its kind's bundle,
built from the sources as they are; its styles inline; no stylesheet to wait for."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from mpbook.web.styles import SHEETS, page_styles

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = re.compile(r"<script\b[^>]*\bsrc=\"([^\"]+)\"")


@pytest.mark.parametrize(("path", "kind"), [("/lessons/first", "lesson"), ("/", "home"), ("/no-such-page", "plain")])
def test_a_page_loads_one_script_and_links_no_stylesheet(client: FlaskClient, path: str, kind: str) -> None:
    html = client.get(path).get_data(as_text=True)
    assert SCRIPT.findall(html) == [f"/static/pages/{kind}.js"]
    assert f'<script type="module" blocking="render" src="/static/pages/{kind}.js">' in html
    assert 'rel="stylesheet"' not in html and 'rel="modulepreload"' not in html
    assert html.count("<style>") == 1
    assert client.get(f"/static/pages/{kind}.js").status_code == 200


def test_every_kind_of_page_has_a_bundle() -> None:
    entries = {path.stem for path in (ROOT / "site" / "js-src" / "pages").glob("*.js")}
    assert entries == set(SHEETS)


def test_the_bundles_are_built_from_the_sources_as_they_are() -> None:
    """`npm run build -- --check` rebuilds every bundle in memory and compares."""
    node = shutil.which("node")
    if node is None or not (ROOT / "node_modules" / "esbuild").is_dir():
        pytest.skip("needs Node and `npm ci` (make test installs both)")
    done = subprocess.run([node, "site/js-src/build.mjs", "--check"], cwd=ROOT, capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr + done.stdout


def test_a_lesson_page_is_styled_with_its_sheets_and_the_print_rules(app: Flask) -> None:
    css = ROOT / "site" / "css"
    styles = str(page_styles(css, "lesson"))
    assert (css / "book.css").read_text() in styles and (css / "run.css").read_text() in styles
    assert ".highlight" in styles  # the code colours
    assert styles.endswith("@media print {\n" + (css / "print.css").read_text() + "}\n")
    assert (css / "run.css").read_text() not in str(page_styles(css, "home"))


def test_styles_that_would_close_their_element_are_refused(tmp_path: Path) -> None:
    for name in ("book.css", "print.css"):
        (tmp_path / name).write_text("p { color: red; }\n")
    (tmp_path / "book.css").write_text("/* </style><script>alert(1)</script> */\n")
    with pytest.raises(ValueError, match="end their <style> element early"):
        page_styles(tmp_path, "plain")
