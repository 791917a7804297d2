"""The page's styles, put into each page's <head> as one <style> element.

A page that links its stylesheets cannot be drawn, nor run its script, until
each has come back, and the browser asks for them only once it has begun to
read the page: inline, they cost a lesson page about 9 KB compressed and no
waiting (docs/performance.md). The sources are ``site/css/*.css``; the code
colours come from Pygments.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from flask import Flask
from markupsafe import Markup

from mpbook.book.rendering import pygments_css

# What each kind of page (a template's page_kind, base.html) is drawn with; the print rules come last.
SHEETS: dict[str, tuple[str, ...]] = {
    "lesson": ("book.css", "code", "run.css"),
    "home": ("book.css", "code"),
    "status": ("book.css", "code"),
    "plain": ("book.css", "code"),
}


@cache
def page_styles(css_dir: Path, kind: str) -> Markup:
    """The CSS of a ``kind`` of page, ready to stand between <style> and </style>."""
    parts = [pygments_css() if name == "code" else (css_dir / name).read_text(encoding="utf-8")
             for name in SHEETS[kind]]
    parts.append("@media print {\n" + (css_dir / "print.css").read_text(encoding="utf-8") + "}\n")
    text = "\n".join(parts)
    if "</style" in text.lower():
        raise ValueError(f"the styles of a {kind} page would end their <style> element early")
    return Markup(text)  # noqa: S704 - our own CSS, checked just above


def register(app: Flask, site_dir: Path) -> None:
    """Templates call ``page_styles(kind)``."""
    css_dir = site_dir / "css"
    app.jinja_env.globals["page_styles"] = lambda kind: page_styles(css_dir, kind)
