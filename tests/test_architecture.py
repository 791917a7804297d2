"""The layout keeps its promises: the engine and the book import no Flask, and every module
can be read in one sitting."""

from __future__ import annotations

import re
import subprocess
import sys

from helpers import ROOT

PACKAGE = ROOT / "server"
MOST_LINES = 400  # of text, blank lines aside


def modules(folder: str) -> list[str]:
    """The import names of every module under server/<folder>."""
    found = []
    for path in sorted((PACKAGE / folder).rglob("*.py")):
        parts = path.relative_to(PACKAGE).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        if "runtime" not in parts:  # runs inside the sandbox, by itself
            found.append(".".join(("mpbook", *parts)))
    return found


def loaded_after(names: list[str]) -> set[str]:
    """Every module a fresh interpreter holds after importing ``names``."""
    program = f"import importlib, sys\nfor name in {names!r}:\n    importlib.import_module(name)\n" \
              "print(' '.join(sorted(sys.modules)))\n"
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, check=True, cwd=ROOT)
    return set(done.stdout.split())


def imported_alone(names: list[str]) -> set[str]:
    """The top-level packages a fresh interpreter holds after importing ``names``."""
    return {name.split(".")[0] for name in loaded_after(names)}


def test_the_engine_imports_no_web_framework() -> None:
    names = modules("engine")
    assert "mpbook.engine.runner" in names and "mpbook.engine.sandbox.bwrap" in names
    loaded = imported_alone(names)
    assert not loaded & {"flask", "werkzeug", "flask_sock", "simple_websocket", "gunicorn", "jinja2"}
    assert "mpbook" in loaded


def test_the_book_imports_no_web_framework() -> None:
    loaded = imported_alone(modules("book"))
    assert not loaded & {"flask", "werkzeug", "flask_sock", "gunicorn"}


def test_no_module_is_too_long_to_read_in_one_sitting() -> None:
    long = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        lines = sum(1 for line in path.read_text("utf-8").splitlines() if line.strip())
        if lines > MOST_LINES:
            long[str(path.relative_to(ROOT))] = lines
    assert not long, f"modules over {MOST_LINES} lines of text: {long}"


def test_the_book_takes_only_the_engines_vocabulary() -> None:
    loaded = {name for name in loaded_after(modules("book")) if name.startswith("mpbook.engine.")}
    assert "mpbook.engine.runs" in loaded
    assert not loaded & {"mpbook.engine.runner", "mpbook.engine.run", "mpbook.engine.sandbox", "mpbook.engine.cgroups"}


def test_docs_architecture_names_every_module_and_only_real_ones() -> None:
    doc = (ROOT / "docs" / "architecture.md").read_text("utf-8")
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name != "__init__.py":
            assert f"`{path.name}`" in doc or f"{path.parent.name}/{path.name}" in doc, path
    for wing, name in re.findall(r"\b(web|book|engine|sandbox|runtime)/(\w+\.py)\b", doc):
        found = [p for p in PACKAGE.rglob(name) if p.parent.name == wing]
        assert found, f"docs/architecture.md names {wing}/{name}, which does not exist"
