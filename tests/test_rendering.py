import shutil
from functools import partial
from pathlib import Path

from helpers import FIXTURE_CONTENT
from mpbook import settings
from mpbook.book.lessons import Book, load_book
from mpbook.book.rendering import pygments_css, render_lesson
from mpbook.web.wiring import wall_seconds

BOOK = load_book(FIXTURE_CONTENT)
WALL = partial(wall_seconds, limit=settings.BY_NAME["wall_seconds"].default)


def test_example_block_carries_its_id_and_escapes_code() -> None:
    html = render_lesson(BOOK.lesson("first"), BOOK, WALL).html  # type: ignore[arg-type]
    assert 'data-example="hello"' in html
    visible = html.split('<script type="application/json"', 1)[0]
    assert "<b>world" not in visible
    assert "hello &lt;b&gt;world&lt;/b&gt;" in html
    assert '<button type="button" class="run" disabled' in html


def test_source_json_cannot_close_its_script_tag() -> None:
    html = render_lesson(BOOK.lesson("first"), BOOK, WALL).html  # type: ignore[arg-type]
    script = html.split('class="example-source">', 1)[1].split("</script>", 1)[0]
    assert "</" not in script


def test_headings_get_anchors_for_the_sidebar() -> None:
    rendered = render_lesson(BOOK.lesson("first"), BOOK, WALL)  # type: ignore[arg-type]
    assert [(h.level, h.text, h.anchor) for h in rendered.headings] == [
        (2, "A section", "a-section"), (3, "A subsection", "a-subsection"),
    ]
    assert 'id="a-section"' in rendered.html


def test_corrections_show_the_original_line() -> None:
    html = render_lesson(BOOK.lesson("first"), BOOK, WALL).html  # type: ignore[arg-type]
    assert "In the original post" in html
    assert "prnt(&#x27;hello&#x27;)" in html
    assert "The function is <code>print</code>." in html


def test_original_example_is_marked() -> None:
    html = render_lesson(BOOK.lesson("second"), BOOK, WALL).html  # type: ignore[arg-type]
    assert 'class="example original"' in html
    assert 'data-original-of="hello"' in html
    assert "NameError" in html


def test_plain_fences_are_highlighted_not_runnable() -> None:
    html = render_lesson(BOOK.lesson("first"), BOOK, WALL).html  # type: ignore[arg-type]
    assert html.count("data-example=") == 1
    assert '<span class="nb">print</span>' in html


def test_raw_html_in_markdown_is_not_passed_through() -> None:
    from mpbook.book.rendering import MARKDOWN

    assert "<script>" not in MARKDOWN.render("<script>alert(1)</script>")


def test_code_colours_cover_both_themes() -> None:
    css = pygments_css()
    assert ".highlight" in css and ":root.dark .highlight" in css and "prefers-color-scheme: dark" in css


def _figure(lesson: str, eid: str, book: Book = BOOK) -> str:
    html = render_lesson(book.lesson(lesson), book, WALL).html  # type: ignore[arg-type]
    return html.split(f'id="example-{eid}"', 1)[1].split("</figure>", 1)[0]


def test_each_example_says_whose_code_it_is(tmp_path: Path) -> None:
    assert "The post's code, corrected" in _figure("first", "hello")
    assert "The post's original code" in _figure("second", "hello-typo")
    book = _book_with(tmp_path, "hello", 'origin = "post"', 'origin = "book"')
    figure = _figure("first", "hello", book)
    assert "The book's own example" in figure
    assert 'data-origin="book"' in figure


def _book_with(tmp_path: Path, eid: str, old: str, new: str) -> Book:
    """The fixture book with one edit to the example.toml of ``eid``."""
    content = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, content)
    toml = content / "examples" / eid / "example.toml"
    text = toml.read_text()
    assert old in text
    toml.write_text(text.replace(old, new, 1))
    return load_book(content)


def test_the_note_under_the_output_says_what_varies(tmp_path: Path) -> None:
    assert "expected-note" not in _figure("first", "hello")  # exact output: nothing to say
    book = _book_with(tmp_path, "hello", '[expect]\n',
                      'varies = "The `pid` is new on every run."\nstart_methods = ["fork"]\n\n[expect]\n'
                      'match = "regex"\nstdout_regex = \'hello <b>world</b>\\n\'\n')
    figure = _figure("first", "hello", book)
    assert "The <code>pid</code> is new on every run." in figure
    assert "The book checks this output under fork only." in figure
    assert 'data-start-methods="fork"' in figure  # the page's selector starts there
    assert 'data-match="regex"' in figure
    assert "differ from run to run" not in figure


def test_a_version_table_is_named_under_the_output(tmp_path: Path) -> None:
    book = _book_with(tmp_path, "hello", 'stdout = "hello <b>world</b>\\n"\n',
                      'stdout = "hello <b>world</b>\\n"\n\n[expect.versions."3.13"]\nstdout = "hi\\n"\n')
    assert "Python 3.13 prints it differently" in _figure("first", "hello", book)


def test_the_page_shows_the_output_of_the_python_that_runs_the_examples(tmp_path: Path) -> None:
    book = _book_with(tmp_path, "hello", 'stdout = "hello <b>world</b>\\n"\n',
                      'stdout = "hello <b>world</b>\\n"\n\n[expect.versions."3.13"]\nstdout = "hi\\n"\n')
    on_313 = render_lesson(book.lesson("first"), book, WALL, "3.13.0").html  # type: ignore[arg-type]
    assert '<pre class="expected-stdout">hi\n</pre>' in on_313
    assert "Shown as Python 3.13.0 prints it" in on_313
    on_312 = render_lesson(book.lesson("first"), book, WALL, "3.12.1").html  # type: ignore[arg-type]
    assert "hello &lt;b&gt;world&lt;/b&gt;\n</pre>" in on_312
    assert "Shown as Python 3.12.1 prints it" in on_312
