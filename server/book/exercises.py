"""Exercises: a statement, starter code, a solution, wrong answers, and checks declared as data.

Layout (docs/content.md, "Exercises")::

    content/exercises/<id>/exercise.toml    title, statement, hints, how to run, [[checks]]
    content/exercises/<id>/starter/main.py  what the reader starts from (other files there
                                            are data every run gets, e.g. f1.txt)
    content/exercises/<id>/solution/main.py a program that passes every check
    content/exercises/<id>/wrong/*.py       plausible wrong answers; the first line of each
                                            is ``# fails: <check name>``

``grade`` turns the runs of a Check into one result per check.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from mpbook.book import checks, source_checks
from mpbook.book.checks import CheckError, Outcome, Run, Table
from mpbook.book.errors import ContentError
from mpbook.engine.runs import START_METHODS, RunResult

EXERCISE_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
FAILS_LINE = re.compile(r"^#\s*fails:\s*(?P<name>.+?)\s*$")
MAX_RUNS = 3  # runs per start method: a Check costs the server runs × methods sandboxes
KEYS = {"title", "statement", "hints", "start_methods", "runs", "jitter", "timeout", "checks"}


@dataclass(frozen=True)
class Check:
    """One declared check: a name the reader sees, its kind, and what to do when it fails."""

    name: str
    kind: str
    advice: str
    on_run: checks.Judge | None = None  # reads each run's record
    on_source: source_checks.SourceJudge | None = None  # reads the program's text


@dataclass(frozen=True)
class Wrong:
    """A plausible wrong answer and the check it must fail."""

    file: str
    source: str
    fails: str


@dataclass(frozen=True)
class Exercise:
    id: str
    title: str
    statement: str  # Markdown
    hints: tuple[str, ...]
    starter: str  # main.py the reader starts from
    solution: str
    files: dict[str, bytes]  # data files every run gets, beside main.py
    wrong: tuple[Wrong, ...]
    start_methods: tuple[str, ...]  # a Check runs the program under each
    runs: int  # runs per start method
    jitter: bool  # inject seeded delays at synchronisation points
    timeout: float | None
    checks: tuple[Check, ...]
    lesson: str = ""

    def files_with(self, source: str) -> dict[str, bytes]:
        """The files of one run of ``source``."""
        return {**self.files, "main.py": source.encode("utf-8")}

    def plan(self) -> list[str]:
        """The start method of each run of a Check, in order."""
        return [method for method in self.start_methods for _ in range(self.runs)]


@dataclass(frozen=True)
class Result:
    name: str
    passed: bool
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "passed": self.passed, "message": self.message}


def grade(exercise: Exercise, source: str, runs: list[tuple[str, RunResult]]) -> list[Result]:
    """One result per check over ``runs`` (start method, record): a run check passes only if it
    held in every run; its message says what was seen in the first run where it did not."""
    results = []
    total = len(exercise.plan())
    for check in exercise.checks:
        if check.on_source is not None:
            outcome = check.on_source(source)
            results.append(_result(check, outcome, ""))
            continue
        assert check.on_run is not None
        if not runs:
            results.append(Result(check.name, False, "The program was not run."))
            continue
        outcome, where = Outcome(True, ""), ""
        for number, (method, result) in enumerate(runs, 1):
            outcome = check.on_run(Run(result, method))
            if not outcome.passed:
                where = f"In run {number} of {total} ({method}): " if total > 1 else ""
                break
        if outcome.passed and total > 1:
            done = len(runs)
            where = (f"In all {total} runs: " if done == total else
                     "In the first run: " if done == 1 else f"In the first {done} runs: ")
        results.append(_result(check, outcome, where))
    return results


def _result(check: Check, outcome: Outcome, where: str) -> Result:
    message = where + outcome.observed
    if not outcome.passed:
        message += " " + check.advice
    return Result(check.name, outcome.passed, message)


# ---- loading ----------------------------------------------------------------------------


def load_exercises(folder: Path) -> dict[str, Exercise]:
    """Every exercise in ``folder`` (content/exercises), by id; {} when there is none."""
    if not folder.is_dir():
        return {}
    return {path.name: load_exercise(path) for path in sorted(folder.iterdir()) if path.is_dir()}


def with_lesson(exercise: Exercise, slug: str) -> Exercise:
    return replace(exercise, lesson=slug)


def load_exercise(folder: Path) -> Exercise:
    """One exercise folder, checked; ContentError names the file and the fault."""
    eid = folder.name
    where = f"exercise {eid!r}"
    if not EXERCISE_ID.match(eid):
        raise ContentError(f"exercise folder {eid!r}: ids are lowercase letters, digits and hyphens")
    meta_path = folder / "exercise.toml"
    for needed in (meta_path, folder / "starter" / "main.py", folder / "solution" / "main.py"):
        if not needed.is_file():
            raise ContentError(f"{where} needs {needed.relative_to(folder)}")
    try:
        meta = tomllib.loads(meta_path.read_text("utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise ContentError(f"{meta_path}: {error}") from None
    unknown = sorted(set(meta) - KEYS)
    if unknown:
        raise ContentError(f"{meta_path}: unknown key {', '.join(map(repr, unknown))}; "
                           f"the keys are {', '.join(sorted(KEYS))}")
    title, statement = _text(meta, "title", where), _text(meta, "statement", where)
    hints = meta.get("hints", [])
    if not isinstance(hints, list) or not all(isinstance(h, str) and h.strip() for h in hints):
        raise ContentError(f"{where}: 'hints' must be a list of texts")
    methods = meta.get("start_methods", list(START_METHODS))
    if not isinstance(methods, list) or not methods or not set(methods) <= set(START_METHODS):
        raise ContentError(f"{where}: 'start_methods' must be a non-empty list among {', '.join(START_METHODS)}")
    runs = meta.get("runs", 1)
    if not isinstance(runs, int) or isinstance(runs, bool) or not 1 <= runs <= MAX_RUNS:
        raise ContentError(f"{where}: 'runs' (runs per start method) must be a whole number from 1 to {MAX_RUNS}")
    jitter = meta.get("jitter", False)
    if not isinstance(jitter, bool):
        raise ContentError(f"{where}: 'jitter' must be true or false")
    timeout = meta.get("timeout")
    if timeout is not None and (not isinstance(timeout, (int, float)) or isinstance(timeout, bool) or timeout <= 0):
        raise ContentError(f"{where}: 'timeout' must be a number of seconds")
    declared = meta.get("checks")
    if not isinstance(declared, list) or not declared:
        raise ContentError(f"{where}: it needs at least one [[checks]] table")
    found = tuple(_check(table, f"{where}, check {i}") for i, table in enumerate(declared, 1))
    names = [c.name for c in found]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise ContentError(f"{where}: check names must differ; {', '.join(map(repr, twice))} is used twice")
    starter = folder / "starter"
    files = {str(p.relative_to(starter)): p.read_bytes() for p in sorted(starter.rglob("*"))
             if p.is_file() and p.name != "main.py" and "__pycache__" not in p.parts}
    return Exercise(
        id=eid, title=title, statement=statement, hints=tuple(hints),
        starter=(starter / "main.py").read_text("utf-8"),
        solution=(folder / "solution" / "main.py").read_text("utf-8"),
        files=files, wrong=_wrong(folder / "wrong", set(names), where),
        start_methods=tuple(methods), runs=runs, jitter=jitter,
        timeout=float(timeout) if timeout is not None else None, checks=found,
    )


def _text(meta: dict[str, Any], key: str, where: str) -> str:
    value = meta.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ContentError(f"{where}: {key!r} is required and must be text")
    return value


def _check(data: Any, where: str) -> Check:
    if not isinstance(data, dict):
        raise ContentError(f"{where}: each [[checks]] entry must be a table")
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ContentError(f"{where}: 'name' is required: a few plain words the reader sees, e.g. \"workers overlap\"")
    where = f"{where.rsplit(',', 1)[0]}, check {name!r}"
    kind = data.get("type")
    kinds = {**checks.RUN_KINDS, **source_checks.SOURCE_KINDS}
    if kind not in kinds:
        raise ContentError(f"{where}: 'type' must be one of {', '.join(sorted(kinds))}, not {kind!r}")
    advice = data.get("advice")
    if not isinstance(advice, str) or not advice.strip():
        raise ContentError(f"{where}: 'advice' is required: what to do when the check fails, in plain words")
    table = Table(data)
    try:
        if kind in checks.RUN_KINDS:
            built = Check(name, kind, advice.strip(), on_run=checks.RUN_KINDS[kind](table))
        else:
            built = Check(name, kind, advice.strip(), on_source=source_checks.SOURCE_KINDS[kind](table))
        source_checks.check_unused(table)
    except CheckError as error:
        raise ContentError(f"{where} ({kind}): {error}") from None
    return built


def _wrong(folder: Path, names: set[str], where: str) -> tuple[Wrong, ...]:
    found = []
    for path in sorted(folder.glob("*.py")) if folder.is_dir() else []:
        source = path.read_text("utf-8")
        first = FAILS_LINE.match(source.partition("\n")[0])
        if first is None:
            raise ContentError(f"{where}: wrong/{path.name} must begin with a line '# fails: <check name>'")
        if first["name"] not in names:
            raise ContentError(f"{where}: wrong/{path.name} names check {first['name']!r}, "
                               "which the exercise does not have")
        found.append(Wrong(path.name, source, first["name"]))
    return tuple(found)
