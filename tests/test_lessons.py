from pathlib import Path

import pytest

from mpbook.book.lessons import ContentError, Expectation, load_book, mismatches

from helpers import FIXTURE_CONTENT


def copy_fixture(tmp_path: Path) -> Path:
    import shutil

    target = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, target)
    return target


def test_order_comes_from_summary() -> None:
    book = load_book(FIXTURE_CONTENT)
    assert [lesson.slug for lesson in book.lessons] == ["first", "second"]
    assert [e.id for e in book.examples_in_order()] == ["hello", "hello-typo"]
    assert book.examples["hello-typo"].lesson == "second"
    assert book.examples["hello-typo"].original_of == "hello"


def test_summary_order_wins_over_file_names(tmp_path: Path) -> None:
    content = copy_fixture(tmp_path)
    (content / "SUMMARY.md").write_text("- [Second](second.md)\n- [First](first.md)\n")
    assert [lesson.slug for lesson in load_book(content).lessons] == ["second", "first"]


def test_part_headings_group_lessons_and_carry_a_note(tmp_path: Path) -> None:
    content = copy_fixture(tmp_path)
    (content / "SUMMARY.md").write_text(
        "# Summary\n\n- [First](first.md)\n\n# Part II: more\n> The book's own,\n> not the post's.\n\n- [Second](second.md)\n")
    book = load_book(content)
    assert [(part.title, part.note, [lesson.slug for lesson in part.lessons]) for part in book.parts] == [
        ("", "", ["first"]), ("Part II: more", "The book's own, not the post's.", ["second"])]
    assert [lesson.part for lesson in book.lessons] == ["", "Part II: more"]


@pytest.mark.parametrize(
    ("summary", "message"),
    [
        ("- [Missing](missing.md)\n- [First](first.md)\n- [Second](second.md)\n", "missing.md, but"),
        ("First steps\n", r"is not '- \[Title\]\(slug\.md\)'"),
        ("- [First](first.md)\n", "not embedded in any lesson: hello-typo"),
        ("- [First](first.md)\n> a note\n- [Second](second.md)\n", "belongs right under a '# Part' heading"),
        ("- [First](first.md)\n- [Second](second.md)\n# Part III\n", "part 'Part III' lists no lessons"),
    ],
)
def test_bad_summary_is_explained(tmp_path: Path, summary: str, message: str) -> None:
    content = copy_fixture(tmp_path)
    (content / "SUMMARY.md").write_text(summary)
    with pytest.raises(ContentError, match=message):
        load_book(content)


def test_unknown_and_twice_embedded_examples_are_refused(tmp_path: Path) -> None:
    content = copy_fixture(tmp_path)
    lesson = content / "lessons" / "second.md"
    lesson.write_text(lesson.read_text() + "\n```example nope\n```\n")
    with pytest.raises(ContentError, match="unknown example 'nope'"):
        load_book(content)
    lesson.write_text(lesson.read_text().replace("example nope", "example hello"))
    with pytest.raises(ContentError, match="embedded twice"):
        load_book(content)


def test_example_files_are_all_but_the_metadata(tmp_path: Path) -> None:
    content = copy_fixture(tmp_path)
    (content / "examples" / "hello" / "f1.txt").write_text("50")
    example = load_book(content).examples["hello"]
    assert sorted(example.files) == ["f1.txt", "main.py"]
    assert example.files["f1.txt"] == b"50"


def test_bad_toml_names_the_file(tmp_path: Path) -> None:
    content = copy_fixture(tmp_path)
    (content / "examples" / "hello" / "example.toml").write_text("title = \n")
    with pytest.raises(ContentError, match="example.toml"):
        load_book(content)


def expectation(**kw: object) -> Expectation:
    base = dict(match="exact", stdout="", stderr="", stdout_regex=None, stderr_regex=None, exit_code=0, reason="ok")
    base.update(kw)
    return Expectation(**base)  # type: ignore[arg-type]


def test_mismatches_exact_unordered_and_regex() -> None:
    assert mismatches(expectation(stdout="a\nb\n"), "a\nb\n", "", 0, "ok") == []
    assert mismatches(expectation(stdout="a\nb\n"), "b\na\n", "", 0, "ok")
    assert mismatches(expectation(match="unordered", stdout="a\nb\n"), "b\na\n", "", 0, "ok") == []
    regex = expectation(match="regex", stdout="pid 12\n", stdout_regex=r"pid \d+\n")
    assert mismatches(regex, "pid 99\n", "", 0, "ok") == []
    assert mismatches(regex, "pid x\n", "", 0, "ok")


def test_mismatches_reports_reason_and_exit_code() -> None:
    problems = mismatches(expectation(), "", "", 1, "error")
    assert any("reason 'error'" in p for p in problems)
    assert any("exit code 1" in p for p in problems)
