"""Every link from one lesson to another reaches a lesson that exists, and a section of it that exists."""

from __future__ import annotations

from functools import partial
from html.parser import HTMLParser
from pathlib import Path

import pytest

from mpbook import settings
from mpbook.book.lessons import load_book
from mpbook.book.rendering import render_lesson
from mpbook.web.wiring import wall_seconds

VALUES = settings.load()
BOOK = load_book(Path(VALUES["content_dir"]))
WALL = partial(wall_seconds, limit=settings.BY_NAME["wall_seconds"].default)


class _Links(HTMLParser):
    """The href of every <a> and the id of every element of one page."""

    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "a" and found.get("href"):
            self.hrefs.append(str(found["href"]))
        if found.get("id"):
            self.ids.add(str(found["id"]))


def _parse(slug: str) -> _Links:
    lesson = BOOK.lesson(slug)
    assert lesson is not None
    parser = _Links()
    parser.feed(render_lesson(lesson, BOOK, WALL).html)
    return parser


PAGES = {lesson.slug: _parse(lesson.slug) for lesson in BOOK.lessons}


@pytest.mark.parametrize("slug", list(PAGES))
def test_links_between_lessons_resolve(slug: str) -> None:
    for href in PAGES[slug].hrefs:
        if not href.startswith("/lessons/"):
            continue
        target, _, anchor = href.removeprefix("/lessons/").partition("#")
        assert target in PAGES, f"{slug} links to {href}, but there is no lesson {target!r}"
        if anchor:
            assert anchor in PAGES[target].ids, f"{slug} links to {href}, but {target} has no section #{anchor}"


def test_cheat_sheet_links_to_every_part_ii_lesson() -> None:
    linked = {href.removeprefix("/lessons/").partition("#")[0] for href in PAGES["cheat-sheet"].hrefs}
    part_two = [lesson.slug for part in BOOK.parts[1:] for lesson in part.lessons if lesson.slug != "cheat-sheet"]
    missing = [slug for slug in part_two if slug not in linked]
    assert not missing, f"the cheat sheet does not link to {missing}"
