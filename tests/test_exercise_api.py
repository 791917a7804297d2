"""The exercises' JSON API and the instructor's counts."""

from __future__ import annotations

import pytest
from flask import Flask

from mpbook.web import create_app
from mpbook.web.wiring import wiring_of


def test_the_list_is_in_book_order(book_app: Flask) -> None:
    listing = book_app.test_client().get("/api/exercises").get_json()
    book = wiring_of(book_app).book
    assert [x["id"] for x in listing] == [x.id for x in book.exercises_in_order()]
    assert listing[0] == {"id": "start-workers", "lesson": "getting-started", "title": "Start four workers at once"}


def test_one_exercise_has_statement_starter_and_hints(book_app: Flask) -> None:
    client = book_app.test_client()
    data = client.get("/api/exercises/start-workers").get_json()
    assert data["starter"]["main.py"].startswith("import multiprocessing")
    assert len(data["hints"]) == 3 and "four" in data["statement"] and data["solutions"] == "after_check"
    assert client.get("/api/exercises/nope").status_code == 404
    assert "for p in workers" in client.get("/api/exercises/start-workers/solution").get_json()["source"]


def test_a_room_without_solutions_answers_404() -> None:
    app = create_app({"warm_sandboxes": 0, "solutions": "off"})
    client = app.test_client()
    assert client.get("/api/exercises/start-workers/solution").status_code == 404
    assert client.get("/api/exercises/start-workers").get_json()["solutions"] == "off"


def test_an_unknown_solutions_word_is_refused() -> None:
    with pytest.raises(ValueError, match="MPBOOK_SOLUTIONS must be one of after_check, always, off"):
        create_app({"warm_sandboxes": 0, "solutions": "sometimes"})


def test_the_status_page_counts_readers_not_names() -> None:
    app = create_app({"warm_sandboxes": 0, "status_token": "s3cret"})
    checks = wiring_of(app).checks
    for reader, passed in [("10.0.0.1", False), ("10.0.0.1", True), ("10.0.0.2", False)]:
        checks.add("start-workers", reader, passed)
    client = app.test_client()
    auth = {"Authorization": "Bearer s3cret"}
    counts = client.get("/api/status", headers=auth).get_json()["exercises"]["start-workers"]
    assert counts == {"checked": 2, "passed": 1}
    html = client.get("/status", headers=auth).get_data(as_text=True)
    assert "Start four workers at once" in html and "10.0.0.1" not in html
