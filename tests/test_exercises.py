"""Every exercise is honest: run in the real sandbox the way a Check runs it, its solution
passes every check in every run, under every start method it claims, on every Python among
3.11, 3.12 and 3.13 found here (tests/pythons.py); its starter fails; each wrong answer fails
the check it names with that check's message; a program that only prints the solution's
output fails. (The starter and the wrong answers are checked on the oldest Python found.)"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from mpbook import settings
from mpbook.book.exercises import Exercise, Wrong
from mpbook.book.grading import CheckReport, new_seed, run_check
from mpbook.book.lessons import load_book
from mpbook.web.wiring import Wiring, build_wiring
from pythons import find_pythons

VALUES = settings.load()
BOOK = load_book(Path(VALUES["content_dir"]))
EXERCISES = BOOK.exercises_in_order()
FOUND = {version: path for version, path in find_pythons().items() if isinstance(path, Path)}
OLDEST = min(FOUND)
# Every program a Check must judge: (exercise, what it is, its source, the Python version).
PROGRAMS = [(x, f"solution-{v}", x.solution, v) for x in EXERCISES for v in FOUND] + [
    (x, "starter", x.starter, OLDEST) for x in EXERCISES] + [
    (x, f"wrong/{w.file}", w.source, OLDEST) for x in EXERCISES for w in x.wrong]


@pytest.fixture(scope="module")
def wirings() -> Iterator[dict[str, Wiring]]:
    """A server's runner and limits for each Python, as its ``python`` setting makes them."""
    made = {version: build_wiring({**VALUES, "python": str(path), "warm_sandboxes": 0}, BOOK)
            for version, path in FOUND.items()}
    yield made
    for wiring in made.values():
        wiring.close()


def check(wiring: Wiring, exercise: Exercise, source: str) -> CheckReport:
    return run_check(wiring.runner, exercise, source, wiring.limits, new_seed())


@pytest.fixture(scope="module")
def reports(wirings: dict[str, Wiring]) -> dict[tuple[str, str], CheckReport]:
    """Check every program once, a few at a time, before the assertions read the reports."""
    with ThreadPoolExecutor(4) as pool:
        done = pool.map(lambda case: check(wirings[case[3]], case[0], case[2]), PROGRAMS)
        return {(x.id, what): report for (x, what, _, _), report in zip(PROGRAMS, done, strict=True)}


def describe(report: CheckReport) -> str:
    lines = [f"seed {report.seed}, {len(report.records)} runs"]
    lines += [f"  {'ok  ' if r.passed else 'FAIL'} {r.name}: {r.message}" for r in report.results]
    if report.records:
        method, last = report.records[-1]
        lines += [f"  last run ({method}, {last.reason}):", last.stdout[-1500:], last.stderr[-1500:]]
    return "\n".join(lines)


SOLVED = [(x, v) for x in EXERCISES for v in FOUND]


@pytest.mark.parametrize(("exercise", "version"), SOLVED, ids=[f"{x.id}-{v}" for x, v in SOLVED])
def test_solution_passes_every_check_in_every_run(reports: dict[tuple[str, str], CheckReport],
                                                  exercise: Exercise, version: str) -> None:
    report = reports[(exercise.id, f"solution-{version}")]
    assert len(report.records) == len(exercise.plan()), describe(report)
    assert [m for m, _ in report.records] == exercise.plan()
    assert report.passed and all(r.passed for r in report.results), describe(report)


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda x: x.id)
def test_starter_fails_a_check(reports: dict[tuple[str, str], CheckReport], exercise: Exercise) -> None:
    report = reports[(exercise.id, "starter")]
    assert not report.passed and any(not r.passed for r in report.results), describe(report)


WRONG = [(x, w) for x in EXERCISES for w in x.wrong]


@pytest.mark.parametrize(("exercise", "wrong"), WRONG, ids=[f"{x.id}-{w.file}" for x, w in WRONG])
def test_wrong_answer_fails_the_check_it_names(reports: dict[tuple[str, str], CheckReport],
                                               exercise: Exercise, wrong: Wrong) -> None:
    report = reports[(exercise.id, f"wrong/{wrong.file}")]
    [result] = [r for r in report.results if r.name == wrong.fails]
    advice = next(c.advice for c in exercise.checks if c.name == wrong.fails)
    assert not result.passed, describe(report)
    assert result.message.endswith(advice), describe(report)
    assert not report.passed


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda x: x.id)
def test_printing_the_solutions_output_fails(reports: dict[tuple[str, str], CheckReport],
                                             wirings: dict[str, Wiring], exercise: Exercise) -> None:
    method, run = reports[(exercise.id, f"solution-{OLDEST}")].records[0]
    fake = f"import sys\nsys.stdout.write({run.stdout!r})\nsys.stderr.write({run.stderr!r})\n"
    report = check(wirings[OLDEST], exercise, fake)
    assert not report.passed, describe(report)


def test_every_exercise_has_wrong_answers() -> None:
    for exercise in EXERCISES:
        assert len(exercise.wrong) >= 2, f"{exercise.id} has fewer than two wrong answers"
