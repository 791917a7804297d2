"""Pages of the book and its small JSON API."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

from flask import Blueprint, Flask, Response, abort, current_app, jsonify, render_template, request

from mpbook.book.lessons import Book
from mpbook.book.rendering import render_lesson
from mpbook.web.wiring import wiring_of

bp = Blueprint("pages", __name__)


def book() -> Book:
    found: Book = current_app.extensions["mpbook.book"]
    return found


@bp.get("/")
def index() -> str:
    return render_template("index.html", book=book())


@bp.get("/lessons/<slug>")
def lesson(slug: str) -> str:
    if book().lesson(slug) is None:
        abort(404)
    return lesson_pages(current_app)(slug, request.script_root)


def lesson_pages(app: Flask) -> Callable[[str, str], str]:
    """The app's lesson pages, each made once: a page depends on nothing of the request
    but the root its links start from, and making one takes longer than sending it."""
    made: Callable[[str, str], str] | None = app.extensions.get("mpbook.lesson_pages")
    if made is None:
        made = app.extensions["mpbook.lesson_pages"] = lru_cache(maxsize=4 * len(book().lessons))(_lesson_page)
    return made


def _lesson_page(slug: str, script_root: str) -> str:
    """One lesson's page (``script_root`` is the cache's key: url_for reads it from the request)."""
    the_book = book()
    found = the_book.lesson(slug)
    assert found is not None
    before, after = the_book.neighbours(slug)
    wiring = wiring_of(current_app)
    rendered = render_lesson(found, the_book, wiring.wall_seconds, wiring.backend.runtime().version)
    return render_template(
        "lesson.html", book=the_book, lesson=found, body=rendered.html,
        headings=rendered.headings, before=before, after=after,
    )


@bp.get("/api/examples")
def examples() -> Response:
    return jsonify([
        {"id": e.id, "lesson": e.lesson, "title": e.title, "original_of": e.original_of}
        for e in book().examples_in_order()
    ])


@bp.get("/api/examples/<eid>")
def example(eid: str) -> Response:
    found = book().examples.get(eid)
    if found is None:
        abort(404)
    return jsonify({
        "id": found.id, "lesson": found.lesson, "title": found.title,
        "original_of": found.original_of, "source": found.source,
        "files": sorted(name for name in found.files if name != "main.py"),
        "start_methods": list(found.start_methods),
    })
