from pathlib import Path

import pytest

from helpers import FIXTURE_CONTENT
from mpbook.book.lessons import ContentError, Expectation, load_book, mismatches


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
        "# Summary\n\n- [First](first.md)\n\n"
        "# Part II: more\n> The book's own,\n> not the post's.\n\n- [Second](second.md)\n")
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


def edit_toml(tmp_path: Path, eid: str, old: str, new: str) -> Path:
    content = copy_fixture(tmp_path)
    toml = content / "examples" / eid / "example.toml"
    assert old in toml.read_text()
    toml.write_text(toml.read_text().replace(old, new, 1))
    return content


def test_every_example_says_whose_program_it_is(tmp_path: Path) -> None:
    assert load_book(FIXTURE_CONTENT).examples["hello"].origin == "post"
    assert load_book(FIXTURE_CONTENT).examples["hello-typo"].origin == "post"  # an original is the post's
    with pytest.raises(ContentError, match="origin must be"):
        load_book(edit_toml(tmp_path, "hello", 'origin = "post"\n', ""))


def test_an_original_cannot_be_the_books_own(tmp_path: Path) -> None:
    with pytest.raises(ContentError, match="is the post's code"):
        load_book(edit_toml(tmp_path, "hello-typo", 'original_of = "hello"', 'original_of = "hello"\norigin = "book"'))


def test_output_that_varies_must_say_how(tmp_path: Path) -> None:
    content = edit_toml(tmp_path, "hello", "[expect]\n", "[expect]\nmatch = \"unordered\"\n")
    with pytest.raises(ContentError, match="needs varies"):
        load_book(content)
    toml = content / "examples" / "hello" / "example.toml"
    toml.write_text(toml.read_text().replace("[expect]\n", 'varies = "The lines come in any order."\n\n[expect]\n'))
    assert load_book(content).examples["hello"].varies == "The lines come in any order."


def test_a_version_table_overrides_expect_for_that_version_only(tmp_path: Path) -> None:
    content = edit_toml(tmp_path, "hello", 'stdout = "hello <b>world</b>\\n"\n',
                        'stdout = "hello <b>world</b>\\n"\n\n[expect.versions."3.13"]\nstdout = "hi\\n"\n')
    example = load_book(content).examples["hello"]
    assert example.expect_for("3.13.0").stdout == "hi\n"
    assert example.expect_for("3.13").exit_code == 0  # the rest comes from [expect]
    assert example.expect_for("3.12.1") is example.expect
    toml = content / "examples" / "hello" / "example.toml"
    toml.write_text(toml.read_text().replace('versions."3.13"', 'versions."three"'))
    with pytest.raises(ContentError, match="keyed by versions"):
        load_book(content)
