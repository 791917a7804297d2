""""Predict, then run" questions and the exercise box, as the lesson page renders them."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from flask import Flask

from helpers import FIXTURE_CONTENT
from mpbook.book.errors import ContentError
from mpbook.book.lessons import load_book
from mpbook.book.predict import parse_predictions

GOOD = '''```predict hello
question = "What does it print?"
explain = "It says *hello*."
[[choices]]
text = "`hello`"
when = '^hello'
[[choices]]
text = "something else"
```
'''


def test_a_question_is_parsed_with_its_patterns() -> None:
    [found] = parse_predictions("first", GOOD)
    assert found.example == "hello" and [c.when for c in found.choices] == ["^hello", None]


@pytest.mark.parametrize(("old", "new", "message"), [
    ("question = \"What does it print?\"\n", "", "'question' is required"),
    ("when = '^hello'", "when = '(?P<x>hello)'", "a spelling the browser reads otherwise"),
    ("when = '^hello'", "when = 'hello$'", "a spelling the browser reads otherwise"),
    ("when = '^hello'", "when = '(hello'", "not a valid regular expression"),
    ("when = '^hello'\n", "", "only one choice may leave out 'when'"),
    ("explain =", "colour = 1\nexplain =", "unknown key 'colour'"),
])
def test_mistakes_in_a_question_are_explained(old: str, new: str, message: str) -> None:
    with pytest.raises(ContentError, match=message):
        parse_predictions("first", GOOD.replace(old, new))


def test_a_question_must_be_about_an_example_of_its_lesson(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, content)
    lesson = content / "lessons" / "second.md"
    lesson.write_text(lesson.read_text() + "\n" + GOOD)
    with pytest.raises(ContentError, match="asks a predict question about 'hello', which it does not embed"):
        load_book(content)
    first = content / "lessons" / "first.md"
    lesson.write_text(lesson.read_text().replace(GOOD, ""))
    first.write_text(first.read_text() + "\n" + GOOD)
    assert load_book(content).lessons[0].predictions[0].question == "What does it print?"


def test_the_lesson_page_renders_questions_and_exercise_boxes(book_app: Flask) -> None:
    client = book_app.test_client()
    html = client.get("/lessons/isolation").get_data(as_text=True)
    block = re.search(r'<fieldset class="predict" data-predict="isolation-global">.*?</fieldset>', html, re.S)
    assert block and block.group(0).count('type="radio"') == 2
    data = json.loads(re.search(r'<script type="application/json" class="predict-data">(.*?)</script>', html, re.S)[1])
    assert data["example"] == "isolation-global" and data["choices"][1]["when"] == r"the parent sees: \[\]"
    assert html.index('data-predict="isolation-global"') < html.index('id="example-isolation-global"')
    box = re.search(r'<figure class="exercise" id="exercise-pass-in-args".*?</figure>', html, re.S)
    assert box and 'class="check"' in box.group(0) and "exercise-statement" in box.group(0)
    assert 'data-exercises="pass-in-args"' in html  # the sidebar's mark
    home = client.get("/").get_data(as_text=True)
    assert f'data-exercise-total="{len(load_book(Path(book_app.config["MPBOOK"]["content_dir"])).exercises)}"' in home
