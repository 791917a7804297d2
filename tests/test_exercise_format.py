"""Loading exercises: the layout of docs/content.md, and a clear message for each mistake."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from helpers import FIXTURE_CONTENT, ROOT
from mpbook.book.errors import ContentError
from mpbook.book.exercises import grade
from mpbook.book.lessons import load_book
from mpbook.engine.runner import RunResult

EXAMPLE = ROOT / "content" / "exercises" / "start-workers"


def book_with_exercise(tmp_path: Path) -> Path:
    """The fixture book with the start-workers exercise placed in its first lesson."""
    content = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, content)
    shutil.copytree(EXAMPLE, content / "exercises" / "start-workers")
    lesson = content / "lessons" / "first.md"
    lesson.write_text(lesson.read_text() + "\n```exercise start-workers\n```\n")
    return content


def test_an_exercise_is_loaded_and_placed(tmp_path: Path) -> None:
    book = load_book(book_with_exercise(tmp_path))
    [exercise] = book.exercises_in_order()
    assert exercise.lesson == "first" and exercise.title == "Start four workers at once"
    assert exercise.plan() == ["fork", "spawn", "forkserver"]
    assert "p.start()" in exercise.starter and "for p in workers" in exercise.solution
    assert {w.fails for w in exercise.wrong} >= {"workers run at the same time", "main guard"}
    assert exercise.files == {}


def test_starter_data_files_go_to_every_run(tmp_path: Path) -> None:
    content = book_with_exercise(tmp_path)
    (content / "exercises" / "start-workers" / "starter" / "f1.txt").write_text("50")
    exercise = load_book(content).exercises["start-workers"]
    assert exercise.files_with("print(1)") == {"f1.txt": b"50", "main.py": b"print(1)"}


def edit(content: Path, old: str, new: str) -> None:
    toml = content / "exercises" / "start-workers" / "exercise.toml"
    text = toml.read_text()
    assert old in text
    toml.write_text(text.replace(old, new, 1))


@pytest.mark.parametrize(("old", "new", "message"), [
    ('title = "Start four workers at once"', "", "'title' is required"),
    ("start_methods = [", "colour = 1\nstart_methods = [", "unknown key 'colour'"),
    ('type = "overlap"', 'type = "overlaps"', "check 'workers run at the same time': 'type' must be one of"),
    ('min = 2', 'min = 2\nmax = 5', r"check 'workers run at the same time' \(overlap\): does not take 'max'"),
    ('advice = "Start them all before you join any."', "", "'advice' is required"),
    ('name = "clean exits"', 'name = "main guard"', "'main guard' is used twice"),
    ("pattern = 'worker (\\d+) done'", "pattern = 'worker (\\d+ done'", "is not a valid regular expression"),
    ('start_methods = ["fork", "spawn", "forkserver"]', 'start_methods = ["vfork"]', "'start_methods' must be"),
    ('start_methods = ["fork", "spawn", "forkserver"]', 'runs = 9', "'runs' .* from 1 to 3"),
])
def test_mistakes_in_exercise_toml_are_explained(tmp_path: Path, old: str, new: str, message: str) -> None:
    content = book_with_exercise(tmp_path)
    edit(content, old, new)
    with pytest.raises(ContentError, match=message):
        load_book(content)


def test_wrong_answers_must_name_a_check(tmp_path: Path) -> None:
    content = book_with_exercise(tmp_path)
    wrong = content / "exercises" / "start-workers" / "wrong" / "join-in-loop.py"
    wrong.write_text("import os\n")
    with pytest.raises(ContentError, match=r"wrong/join-in-loop.py must begin with a line '# fails: <check name>'"):
        load_book(content)
    wrong.write_text("# fails: speed\n")
    with pytest.raises(ContentError, match="names check 'speed', which the exercise does not have"):
        load_book(content)


def test_missing_files_and_placement_are_explained(tmp_path: Path) -> None:
    content = book_with_exercise(tmp_path)
    (content / "exercises" / "start-workers" / "solution" / "main.py").unlink()
    with pytest.raises(ContentError, match="exercise 'start-workers' needs solution/main.py"):
        load_book(content)
    content = book_with_exercise(tmp_path / "again")
    lesson = content / "lessons" / "second.md"
    lesson.write_text(lesson.read_text() + "\n```exercise start-workers\n```\n")
    with pytest.raises(ContentError, match="placed twice"):
        load_book(content)
    lesson.write_text(lesson.read_text().replace("exercise start-workers", "exercise nope"))
    with pytest.raises(ContentError, match="unknown exercise 'nope'"):
        load_book(content)
    first = content / "lessons" / "first.md"
    first.write_text(first.read_text().replace("```exercise start-workers\n```\n", ""))
    lesson.write_text(lesson.read_text().replace("```exercise nope\n```\n", ""))
    with pytest.raises(ContentError, match="not placed in any lesson: start-workers"):
        load_book(content)


def test_grade_reports_the_first_failing_run_and_source_checks_once(tmp_path: Path) -> None:
    exercise = load_book(book_with_exercise(tmp_path)).exercises["start-workers"]
    empty = RunResult(0, "ok", "", "", [], [], 10.0)
    results = {r.name: r for r in grade(exercise, "print('all done')\n", [("fork", empty)])}
    assert results["main guard"].message.startswith("The program has no `if __name__")
    assert results["four workers"].message.startswith(
        "In run 1 of 3 (fork): No child process ran; there should be exactly 4.")
    assert results["all done comes last"].message.startswith("In run 1 of 3 (fork): No line matching “worker")
    assert [r.name for r in grade(exercise, "", [])] == [c.name for c in exercise.checks]
