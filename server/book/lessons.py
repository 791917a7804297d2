"""The book's content: lessons in the order SUMMARY.md declares, and their examples.

Layout (see docs/content.md)::

    content/SUMMARY.md               - [Title](slug.md) lines, in reading order, grouped
                                     under optional "# Part ..." lines, each with an
                                     optional "> note"
    content/lessons/<slug>.md        one lesson
    content/examples/<id>/main.py    one runnable example, with example.toml
    content/exercises/<id>/          one exercise (see exercises.py)
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mpbook.book.errors import ContentError
from mpbook.book.exercises import Exercise, load_exercises, with_lesson
from mpbook.book.predict import Prediction, parse_predictions
from mpbook.engine.runs import REASONS, START_METHODS

SUMMARY_HEADING = re.compile(r"^#\s+(?P<title>\S.*?)\s*$")
SUMMARY_NOTE = re.compile(r"^>\s?(?P<text>.*?)\s*$")
SUMMARY_LINE = re.compile(r"^\s*[-*]\s+\[(?P<title>[^\]]+)\]\((?P<file>[a-z0-9][a-z0-9-]*\.md)\)\s*$")
EXAMPLE_FENCE = re.compile(r"^```example[ \t]+(?P<id>[a-z0-9][a-z0-9-]*)[ \t]*$", re.MULTILINE)
EXERCISE_FENCE = re.compile(r"^```exercise[ \t]+(?P<id>[a-z0-9][a-z0-9-]*)[ \t]*$", re.MULTILINE)
EXAMPLE_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
MATCH_MODES = ("exact", "unordered", "regex")
ORIGINS = ("post", "book")  # whose program an example is: the post's (corrected or original), or the book's own
PYTHON_VERSION = re.compile(r"^3\.\d+$")


@dataclass(frozen=True)
class Correction:
    """One change from the post's code, with the reason for it."""

    original: str
    fixed: str
    why: str


@dataclass(frozen=True)
class Expectation:
    """What a run of an example must print, and how it must end."""

    match: str
    stdout: str
    stderr: str
    stdout_regex: str | None
    stderr_regex: str | None
    exit_code: int | None
    reason: str


@dataclass(frozen=True)
class Example:
    """A runnable program with its files, expected output and corrections."""

    id: str
    title: str
    files: dict[str, bytes]
    expect: Expectation
    timeout: float | None
    start_methods: tuple[str, ...]
    original_of: str | None
    corrections: tuple[Correction, ...]
    origin: str = "post"  # "post" or "book": see ORIGINS
    varies: str | None = None  # one sentence: what differs between runs, start methods or versions
    versions: dict[str, Expectation] = field(default_factory=dict)  # "3.13" -> its own expectation
    lesson: str = ""

    @property
    def source(self) -> str:
        return self.files["main.py"].decode("utf-8")

    def expect_for(self, version: str) -> Expectation:
        """The expectation on Python ``version`` ("3.12", or "3.12.1"): [expect] unless overridden."""
        return self.versions.get(".".join(version.split(".")[:2]), self.expect)


@dataclass
class Lesson:
    """One chapter: its Markdown text and the examples it embeds, in order."""

    slug: str
    title: str
    markdown: str
    example_ids: list[str] = field(default_factory=list)
    exercise_ids: list[str] = field(default_factory=list)
    predictions: list[Prediction] = field(default_factory=list)
    part: str = ""  # title of the part of the book it belongs to; "" before the first part heading


@dataclass
class Part:
    """Consecutive lessons under one "# Part ..." heading of SUMMARY.md (title "" before any)."""

    title: str
    note: str = ""
    lessons: list[Lesson] = field(default_factory=list)


@dataclass
class Book:
    """All lessons in reading order, and every example by id."""

    lessons: list[Lesson]
    examples: dict[str, Example]
    exercises: dict[str, Exercise] = field(default_factory=dict)
    parts: list[Part] = field(default_factory=list)

    def lesson(self, slug: str) -> Lesson | None:
        return next((lesson for lesson in self.lessons if lesson.slug == slug), None)

    def neighbours(self, slug: str) -> tuple[Lesson | None, Lesson | None]:
        """The lessons before and after ``slug`` in reading order."""
        slugs = [lesson.slug for lesson in self.lessons]
        i = slugs.index(slug)
        before = self.lessons[i - 1] if i > 0 else None
        after = self.lessons[i + 1] if i + 1 < len(self.lessons) else None
        return before, after

    def examples_in_order(self) -> list[Example]:
        return [self.examples[eid] for lesson in self.lessons for eid in lesson.example_ids]

    def exercises_in_order(self) -> list[Exercise]:
        return [self.exercises[xid] for lesson in self.lessons for xid in lesson.exercise_ids]


def load_book(content_dir: Path) -> Book:
    """Read and check the whole content folder; raise ContentError on any fault."""
    summary = content_dir / "SUMMARY.md"
    if not summary.is_file():
        raise ContentError(f"{summary} is missing: it declares the order of the lessons")
    examples = {
        path.name: _load_example(path)
        for path in sorted((content_dir / "examples").iterdir())
        if path.is_dir()
    } if (content_dir / "examples").is_dir() else {}
    exercises = load_exercises(content_dir / "exercises")
    shared = sorted(set(exercises) & set(examples))
    if shared:
        raise ContentError(f"an exercise and an example share the id {shared[0]!r}; their ids name page "
                           "elements and saved edits, so they must differ")
    lessons: list[Lesson] = []
    parts = [Part("")]
    used: dict[str, str] = {}
    placed: dict[str, str] = {}
    for number, line in enumerate(summary.read_text("utf-8").splitlines(), 1):
        heading, note = SUMMARY_HEADING.match(line), SUMMARY_NOTE.match(line)
        if not line.strip() or (heading and heading["title"] == "Summary" and not lessons):
            continue
        if heading:
            parts.append(Part(heading["title"]))
            continue
        if note:
            if not parts[-1].title or parts[-1].lessons:
                raise ContentError(f"SUMMARY.md line {number}: a '> note' belongs right under a '# Part' heading")
            parts[-1].note = f"{parts[-1].note} {note['text']}".strip()
            continue
        found = SUMMARY_LINE.match(line)
        if not found:
            raise ContentError(f"SUMMARY.md line {number} is not '- [Title](slug.md)': {line!r}")
        lesson = _load_lesson(content_dir / "lessons" / found["file"], found["title"])
        lesson.part = parts[-1].title
        parts[-1].lessons.append(lesson)
        for eid in lesson.example_ids:
            if eid not in examples:
                raise ContentError(f"lesson {lesson.slug} embeds unknown example {eid!r}")
            if eid in used:
                raise ContentError(f"example {eid!r} is embedded twice ({used[eid]} and {lesson.slug})")
            used[eid] = lesson.slug
        for xid in lesson.exercise_ids:
            if xid not in exercises:
                raise ContentError(
                    f"lesson {lesson.slug} places unknown exercise {xid!r} (no content/exercises/{xid}/)")
            if xid in placed:
                raise ContentError(f"exercise {xid!r} is placed twice ({placed[xid]} and {lesson.slug})")
            placed[xid] = lesson.slug
        for prediction in lesson.predictions:
            if prediction.example not in lesson.example_ids:
                raise ContentError(f"lesson {lesson.slug} asks a predict question about {prediction.example!r}, "
                                   "which it does not embed")
        lessons.append(lesson)
    if not lessons:
        raise ContentError("SUMMARY.md lists no lessons")
    unused = sorted(set(examples) - set(used))
    if unused:
        raise ContentError(f"examples not embedded in any lesson: {', '.join(unused)}")
    for eid, example in examples.items():
        if example.original_of and example.original_of not in examples:
            raise ContentError(f"example {eid!r} is the original of unknown example {example.original_of!r}")
        examples[eid] = _with_lesson(example, used[eid])
    unplaced = sorted(set(exercises) - set(placed))
    if unplaced:
        raise ContentError(f"exercises not placed in any lesson: {', '.join(unplaced)}")
    exercises = {xid: with_lesson(exercise, placed[xid]) for xid, exercise in exercises.items()}
    empty = [part.title for part in parts if part.title and not part.lessons]
    if empty:
        raise ContentError(f"SUMMARY.md: part {empty[0]!r} lists no lessons")
    return Book(lessons=lessons, examples=examples, exercises=exercises,
                parts=[part for part in parts if part.lessons])


def _with_lesson(example: Example, slug: str) -> Example:
    return Example(**{**example.__dict__, "lesson": slug})


def _load_lesson(path: Path, title: str) -> Lesson:
    if not path.is_file():
        raise ContentError(f"SUMMARY.md names {path.name}, but {path} does not exist")
    text = path.read_text("utf-8")
    ids = [m["id"] for m in EXAMPLE_FENCE.finditer(text)]
    exercise_ids = [m["id"] for m in EXERCISE_FENCE.finditer(text)]
    return Lesson(slug=path.stem, title=title, markdown=text, example_ids=ids, exercise_ids=exercise_ids,
                  predictions=parse_predictions(path.stem, text))


def _load_example(folder: Path) -> Example:
    eid = folder.name
    if not EXAMPLE_ID.match(eid):
        raise ContentError(f"example folder {folder.name!r}: ids are lowercase letters, digits and hyphens")
    meta_path = folder / "example.toml"
    if not (folder / "main.py").is_file() or not meta_path.is_file():
        raise ContentError(f"example {eid!r} needs main.py and example.toml")
    try:
        meta = tomllib.loads(meta_path.read_text("utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise ContentError(f"{meta_path}: {error}") from None
    files = {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != "example.toml" and "__pycache__" not in p.parts
    }
    methods = tuple(meta.get("start_methods", START_METHODS))
    if not set(methods) <= set(START_METHODS):
        raise ContentError(f"example {eid!r}: start_methods must be among {START_METHODS}")
    origin = meta.get("origin", "post" if meta.get("original_of") else None)
    if origin not in ORIGINS:
        raise ContentError(f"example {eid!r}: origin must be \"post\" (the post's code, corrected) "
                           "or \"book\" (the book's own program)")
    if meta.get("original_of") and origin != "post":
        raise ContentError(f"example {eid!r}: an original (original_of) is the post's code: origin = \"post\"")
    expect_table = meta.get("expect", {})
    expect = _load_expectation(expect_table, eid)
    varies = meta.get("varies")
    if varies is not None and (not isinstance(varies, str) or not varies.strip()):
        raise ContentError(f"example {eid!r}: varies must be one sentence of text")
    if expect.match != "exact" and varies is None:
        raise ContentError(f"example {eid!r}: match = {expect.match!r} needs varies = \"...\": "
                           "one sentence of what differs between runs")
    versions = expect_table.get("versions", {})
    if not isinstance(versions, dict) or not all(isinstance(v, dict) and PYTHON_VERSION.match(k)
                                                 for k, v in versions.items()):
        raise ContentError(f"example {eid!r}: [expect.versions.\"3.X\"] tables are keyed by versions such as \"3.13\"")
    return Example(
        id=eid,
        title=_required(meta, "title", eid),
        files=files,
        expect=expect,
        timeout=meta.get("timeout"),
        start_methods=methods,
        original_of=meta.get("original_of"),
        corrections=tuple(
            Correction(_required(c, "original", eid), _required(c, "fixed", eid), _required(c, "why", eid))
            for c in meta.get("corrections", [])
        ),
        origin=origin,
        varies=varies,
        versions={version: _load_expectation({**{k: v for k, v in expect_table.items() if k != "versions"}, **table},
                                             f"{eid} (Python {version})")
                  for version, table in versions.items()},
    )


def _load_expectation(expect: dict[str, Any], eid: str) -> Expectation:
    match = expect.get("match", "exact")
    if match not in MATCH_MODES:
        raise ContentError(f"example {eid!r}: expect.match must be one of {MATCH_MODES}")
    reason = expect.get("reason", "ok")
    if reason not in REASONS:
        raise ContentError(f"example {eid!r}: expect.reason must be one of {REASONS}")
    result = Expectation(
        match=match,
        stdout=expect.get("stdout", ""),
        stderr=expect.get("stderr", ""),
        stdout_regex=expect.get("stdout_regex"),
        stderr_regex=expect.get("stderr_regex"),
        exit_code=expect.get("exit_code", 0 if reason == "ok" else None),
        reason=reason,
    )
    if match == "regex" and result.stdout_regex is None and result.stderr_regex is None:
        raise ContentError(f"example {eid!r}: match = 'regex' needs stdout_regex or stderr_regex")
    return result


def _required(table: dict[str, Any], key: str, eid: str) -> str:
    value = table.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ContentError(f"example {eid!r}: {key!r} is required and must be text")
    return value


def mismatches(expect: Expectation, stdout: str, stderr: str, code: int | None, reason: str) -> list[str]:
    """Every way a run's result differs from ``expect``, in plain words; empty when it matches."""
    problems: list[str] = []
    if reason != expect.reason:
        problems.append(f"the run ended with reason {reason!r}, expected {expect.reason!r}")
    if expect.exit_code is not None and code != expect.exit_code:
        problems.append(f"exit code {code}, expected {expect.exit_code}")
    for name, actual, shown, regex in (
        ("stdout", stdout, expect.stdout, expect.stdout_regex),
        ("stderr", stderr, expect.stderr, expect.stderr_regex),
    ):
        if not _output_matches(expect.match, actual, shown, regex):
            problems.append(f"{name} differs:\n--- expected ({expect.match})\n{regex or shown}\n--- got\n{actual}")
    return problems


def _output_matches(match: str, actual: str, shown: str, regex: str | None) -> bool:
    if match == "regex" and regex is not None:
        return re.fullmatch(regex, actual) is not None
    if match == "unordered":
        return sorted(actual.splitlines()) == sorted(shown.splitlines())
    return actual == shown
