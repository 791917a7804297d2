"""Markdown to HTML: markdown-it-py for the text, Pygments for code, and example blocks."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from html import escape

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.anchors import anchors_plugin
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import PythonLexer, TextLexer, get_lexer_by_name
from pygments.util import ClassNotFound

from mpbook.book.exercises import Exercise
from mpbook.book.lessons import Book, Example, Lesson
from mpbook.book.predict import Prediction, parse_one
from mpbook.engine.runs import START_METHODS

LIGHT_STYLE = "friendly"
DARK_STYLE = "monokai"


@dataclass(frozen=True)
class Heading:
    """A section heading, for the sidebar's table of contents."""

    level: int
    text: str
    anchor: str


@dataclass(frozen=True)
class RenderedLesson:
    html: str
    headings: list[Heading]


def highlight_code(code: str, language: str = "python") -> str:
    """Highlighted HTML for ``code``; unknown languages are shown as plain text."""
    try:
        lexer = PythonLexer() if language == "python" else get_lexer_by_name(language)
    except ClassNotFound:
        lexer = TextLexer()
    return highlight(code, lexer, HtmlFormatter(nowrap=False, cssclass="highlight"))


@lru_cache(maxsize=1)
def pygments_css() -> str:
    """Code colours for the light theme, and the dark theme under prefers-color-scheme."""
    light = HtmlFormatter(style=LIGHT_STYLE).get_style_defs(".highlight")
    dark = HtmlFormatter(style=DARK_STYLE).get_style_defs(":root.dark .highlight")
    dark_auto = HtmlFormatter(style=DARK_STYLE).get_style_defs(":root:not(.light) .highlight")
    return f"{light}\n{dark}\n@media (prefers-color-scheme: dark) {{\n{dark_auto}\n}}\n"


def _markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "typographer": True}).enable(["table", "replacements", "smartquotes"])
    anchors_plugin(md, min_level=2, max_level=3, permalink=True, permalinkSymbol="#")
    return md


MARKDOWN = _markdown()


WallSeconds = Callable[[Example], float]  # the wall time a run of an example gets on this server


def render_lesson(lesson: Lesson, book: Book, wall_seconds: WallSeconds, python: str | None = None) -> RenderedLesson:
    """The lesson body as HTML, with its example blocks, and its headings. ``python`` is the
    version that runs the examples on this server: each example shows the output of that
    version (its [expect.versions] table, if it has one)."""
    env: dict[str, object] = {}
    tokens = MARKDOWN.parse(lesson.markdown, env)
    headings = _headings(tokens)
    renderer = MARKDOWN.renderer
    parts: list[str] = []
    start = 0
    # Fences are rendered here rather than through a renderer rule so that each
    # example block can reach the Book without global state.
    for i, token in enumerate(tokens):
        if token.type != "fence":
            continue
        parts.append(renderer.render(tokens[start:i], MARKDOWN.options, env))
        parts.append(_render_fence(token, book, wall_seconds, python))
        start = i + 1
    parts.append(renderer.render(tokens[start:], MARKDOWN.options, env))
    return RenderedLesson(html="".join(parts), headings=headings)


def render_inline(text: str) -> str:
    """Inline Markdown (code spans, emphasis) for short texts such as a correction's reason."""
    html: str = MARKDOWN.renderInline(text)
    return html


def _headings(tokens: list[Token]) -> list[Heading]:
    found = []
    for i, token in enumerate(tokens):
        if token.type == "heading_open" and token.tag in ("h2", "h3"):
            children = tokens[i + 1].children or []
            text = "".join(child.content for child in children if child.type in ("text", "code_inline")).strip()
            found.append(Heading(level=int(token.tag[1]), text=text, anchor=str(token.attrs.get("id", ""))))
    return found


def _render_fence(token: Token, book: Book, wall_seconds: WallSeconds, python: str | None) -> str:
    info = token.info.strip().split()
    if info[:1] == ["example"] and len(info) == 2:
        return render_example(book.examples[info[1]], book, wall_seconds, python)
    if info[:1] == ["exercise"] and len(info) == 2:
        return render_exercise(book.exercises[info[1]])
    if info[:1] == ["predict"] and len(info) == 2:
        return render_prediction(parse_one(f"predict {info[1]}", info[1], token.content))
    return highlight_code(token.content, info[0] if info else "text")


def render_example(example: Example, book: Book, wall_seconds: WallSeconds, python: str | None = None) -> str:
    """The static block for a runnable example; the page's script adds the live parts."""
    is_original = example.original_of is not None
    classes = "example original" if is_original else "example own" if example.origin == "book" else "example"
    label = _label(example)
    source_json = json.dumps({"id": example.id, "source": example.source}).replace("</", "<\\/")
    out = [
        f'<figure class="{classes}" id="example-{example.id}" data-example="{escape(example.id)}"'
        f' data-origin="{example.origin}" data-start-methods="{" ".join(example.start_methods)}"'
        + (f' data-original-of="{escape(example.original_of)}"' if example.original_of is not None else "")
        + ">",
        '<figcaption class="example-head">'
        f'<span class="example-label">{label}</span> '
        f'<span class="example-title">{escape(example.title)}</span> '
        f'<a class="example-id" href="#example-{example.id}"><code>{escape(example.id)}</code></a>'
        "</figcaption>",
        f'<div class="example-code">{highlight_code(example.source)}</div>',
        f'<script type="application/json" class="example-source">{source_json}</script>',
        '<div class="example-toolbar" role="toolbar" aria-label="Run controls">'
        '<button type="button" class="run" disabled title="Connecting to the server…">Run</button>'
        '<span class="run-note">Running examples needs JavaScript and a connection to the mpbook server.</span>'
        "</div>",
        _expected_block(example, wall_seconds(example), python),
    ]
    if example.corrections:
        out.append(_corrections_block(example))
    out.append("</figure>")
    return "\n".join(out)


def _label(example: Example) -> str:
    """Whose program this is, so that the book's own code is never taken for the post's."""
    if example.original_of is not None:
        return "The post's original code"
    if example.origin == "book":
        return "The book's own example"
    return "The post's code, corrected"


def _notes(example: Example, wall_seconds: float, python: str | None) -> list[str]:
    """What the reader's run may show differently from the output printed here, and where it is checked."""
    notes = [example.varies] if example.varies else []
    methods = [m for m in START_METHODS if m in example.start_methods]
    if len(methods) < len(START_METHODS):
        notes.append(f"The book checks this output under {' and '.join(methods)} only.")
    if example.versions and python:
        notes.append(f"Shown as Python {python} prints it, the version that runs the examples here; other "
                     "versions print it differently, and the book checks each against its own expected output.")
    elif example.versions:
        versions = sorted(example.versions, key=lambda v: tuple(map(int, v.split("."))))
        who = " and ".join(f"Python {v}" for v in versions)
        notes.append(f"{who} print{'s' if len(versions) == 1 else ''} it differently; "
                     "the book checks each version against its own expected output.")
    if example.expect.reason == "timeout":
        notes.append(f"This program never finishes: the book stops it after {wall_seconds:g} s.")
    return notes


def _expected_block(example: Example, wall_seconds: float, python: str | None) -> str:
    expect = example.expect_for(python) if python else example.expect
    parts = [f'<div class="example-expected" data-match="{expect.match}">',
             '<div class="panel-label">Output in the book</div>']
    if expect.stdout:
        parts.append(f'<pre class="expected-stdout">{escape(expect.stdout)}</pre>')
    if expect.stderr:
        parts.append(f'<pre class="expected-stderr">{escape(expect.stderr)}</pre>')
    if not expect.stdout and not expect.stderr:
        parts.append('<p class="expected-empty">This program prints nothing.</p>')
    parts += [f'<p class="expected-note">{render_inline(note)}</p>' for note in _notes(example, wall_seconds, python)]
    parts.append("</div>")
    return "\n".join(parts)


def _unindent(lines: str) -> str:
    """A quoted line as it reads on its own: without the indentation it had in the program."""
    return textwrap.dedent(lines).strip("\n")


def _corrections_block(example: Example) -> str:
    items = []
    for c in example.corrections:
        items.append(
            "<li>"
            f'<div class="correction-lines"><code class="was">{escape(_unindent(c.original))}</code>'
            '<span class="arrow" aria-label="became">→</span>'
            f'<code class="now">{escape(_unindent(c.fixed))}</code></div>'
            f'<p class="why">{render_inline(c.why)}</p>'
            "</li>"
        )
    # Not a heading: lessons nest examples under h2 or h3, and an h4 would skip a level.
    return (
        f'<aside class="corrections" aria-label="In the original post: {escape(example.title)}">'
        '<p class="corrections-title">In the original post</p>'
        f"<ul>{''.join(items)}</ul>"
        "</aside>"
    )


def render_exercise(exercise: Exercise) -> str:
    """The static block of an exercise: its statement, the starter code and the hints.
    The page's script adds the editor, Run and Check, the results and the solution."""
    data = json.dumps({"id": exercise.id, "source": exercise.starter}).replace("</", "<\\/")
    hints = "".join(f"<li>{MARKDOWN.render(hint)}</li>" for hint in exercise.hints)
    return "\n".join([
        f'<figure class="exercise" id="exercise-{exercise.id}" data-exercise="{escape(exercise.id)}"'
        f' data-hints="{len(exercise.hints)}">',
        '<figcaption class="example-head">'
        '<span class="example-label">Exercise</span> '
        f'<span class="example-title">{escape(exercise.title)}</span> '
        f'<a class="example-id" href="#exercise-{exercise.id}"><code>{escape(exercise.id)}</code></a>'
        '<span class="solved-mark" hidden>solved</span>'
        "</figcaption>",
        f'<div class="exercise-statement">{MARKDOWN.render(exercise.statement)}</div>',
        f'<div class="example-code">{highlight_code(exercise.starter)}</div>',
        f'<script type="application/json" class="example-source">{data}</script>',
        '<div class="example-toolbar" role="toolbar" aria-label="Exercise controls">'
        '<button type="button" class="run" disabled title="Connecting to the server…">Run</button>'
        '<button type="button" class="check" disabled title="Connecting to the server…">Check</button>'
        '<span class="run-note">Checking an exercise needs JavaScript and a connection to the mpbook server.</span>'
        "</div>",
        '<div class="check-results" hidden></div>',
        (f'<details class="exercise-hints"><summary>Hints ({len(exercise.hints)})</summary><ol>{hints}</ol></details>'
         if exercise.hints else ""),
        "</figure>",
    ])


def render_prediction(prediction: Prediction) -> str:
    """A "predict, then run" question: the choices as radio buttons (the page's script judges the
    run that follows against them), and the explanation, shown after a run."""
    name = f"predict-{prediction.example}"
    choices = "".join(
        f'<label class="predict-choice"><input type="radio" name="{name}" value="{i}"> {render_inline(c.text)}</label>'
        for i, c in enumerate(prediction.choices))
    data = json.dumps(prediction.as_json()).replace("</", "<\\/")
    explain = (f'<div class="predict-explain" hidden>{MARKDOWN.render(prediction.explain)}</div>'
               if prediction.explain else "")
    return (
        f'<fieldset class="predict" data-predict="{escape(prediction.example)}">'
        f'<legend>Predict, then run: {render_inline(prediction.question)}</legend>'
        f'{choices}<p class="predict-verdict" role="status">Choose an answer, then run the example below.</p>'
        f'{explain}<script type="application/json" class="predict-data">{data}</script></fieldset>'
    )
