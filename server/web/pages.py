"""Pages of the book and its small JSON API."""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, jsonify, render_template

from mpbook.book.lessons import Book
from mpbook.book.rendering import pygments_css, render_lesson
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
    the_book = book()
    found = the_book.lesson(slug)
    if found is None:
        abort(404)
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


@bp.get("/pygments.css")
def code_colours() -> Response:
    response = Response(pygments_css(), mimetype="text/css")
    response.cache_control.max_age = 3600
    return response
