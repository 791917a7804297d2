"""The exercises' JSON API: the list in book order, one exercise, and its solution.

The solution is served unless the ``solutions`` setting is ``off`` (then 404, as
if there were none); the page shows its button after the reader's first Check,
or at once when the setting is ``always``.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, jsonify

from mpbook.book.exercises import Exercise
from mpbook.book.lessons import Book

bp = Blueprint("exercises", __name__)


def book() -> Book:
    found: Book = current_app.extensions["mpbook.book"]
    return found


def solutions() -> str:
    """When readers may see solutions: "after_check", "always" or "off"."""
    return str(current_app.config["MPBOOK"]["solutions"])


def found(xid: str) -> Exercise:
    exercise = book().exercises.get(xid)
    if exercise is None:
        abort(404)
    return exercise


@bp.get("/api/exercises")
def listing() -> Response:
    return jsonify([{"id": x.id, "lesson": x.lesson, "title": x.title} for x in book().exercises_in_order()])


@bp.get("/api/exercises/<xid>")
def one(xid: str) -> Response:
    exercise = found(xid)
    return jsonify({
        "id": exercise.id, "lesson": exercise.lesson, "title": exercise.title,
        "statement": exercise.statement, "hints": list(exercise.hints),
        "starter": {"main.py": exercise.starter,
                    **{name: data.decode("utf-8", "replace") for name, data in exercise.files.items()}},
        "start_methods": list(exercise.start_methods), "checks": [c.name for c in exercise.checks],
        "solutions": solutions(),
    })


@bp.get("/api/exercises/<xid>/solution")
def solution(xid: str) -> Response:
    exercise = found(xid)
    if solutions() == "off":
        abort(404)
    return jsonify({"id": exercise.id, "source": exercise.solution})
