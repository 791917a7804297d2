"""Every exercise is honest: run in the real sandbox the way a Check runs it, its solution
passes every check in every run, its starter fails, each wrong answer fails the check it
names with that check's message, and a program that only prints the solution's output fails."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from mpbook import settings
from mpbook.book.exercises import Exercise
from mpbook.book.grading import CheckReport, new_seed, run_check
from mpbook.book.lessons import load_book
from mpbook.engine.runner import Runner
from mpbook.engine.sandbox import choose_backend
from mpbook.web.wiring import limits_from_settings

VALUES = settings.load()
BOOK = load_book(Path(VALUES["content_dir"]))
EXERCISES = BOOK.exercises_in_order()
# Every program a Check must judge: (exercise, what it is, its source).
PROGRAMS = [(x, "solution", x.solution) for x in EXERCISES] + [(x, "starter", x.starter) for x in EXERCISES] + [
    (x, f"wrong/{w.file}", w.source) for x in EXERCISES for w in x.wrong]


@pytest.fixture(scope="module")
def runner() -> Iterator[Runner]:
    runner = Runner(choose_backend(VALUES["sandbox"]), warm=0)
    yield runner
    runner.close()


def check(runner: Runner, exercise: Exercise, source: str) -> CheckReport:
    return run_check(runner, exercise, source, limits_from_settings(VALUES), new_seed())


@pytest.fixture(scope="module")
def reports(runner: Runner) -> dict[tuple[str, str], CheckReport]:
    """Check every program once, a few at a time, before the assertions read the reports."""
    with ThreadPoolExecutor(4) as pool:
        done = pool.map(lambda case: check(runner, case[0], case[2]), PROGRAMS)
        return {(x.id, what): report for (x, what, _), report in zip(PROGRAMS, done, strict=True)}


def describe(report: CheckReport) -> str:
    lines = [f"seed {report.seed}, {len(report.records)} runs"]
    lines += [f"  {'ok  ' if r.passed else 'FAIL'} {r.name}: {r.message}" for r in report.results]
    if report.records:
        method, last = report.records[-1]
        lines += [f"  last run ({method}, {last.reason}):", last.stdout[-1500:], last.stderr[-1500:]]
    return "\n".join(lines)


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda x: x.id)
def test_solution_passes_every_check_in_every_run(reports: dict[tuple[str, str], CheckReport],
                                                  exercise: Exercise) -> None:
    report = reports[(exercise.id, "solution")]
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
                                               exercise: Exercise, wrong: object) -> None:
    from mpbook.book.exercises import Wrong

    assert isinstance(wrong, Wrong)
    report = reports[(exercise.id, f"wrong/{wrong.file}")]
    [result] = [r for r in report.results if r.name == wrong.fails]
    advice = next(c.advice for c in exercise.checks if c.name == wrong.fails)
    assert not result.passed, describe(report)
    assert result.message.endswith(advice), describe(report)
    assert not report.passed


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda x: x.id)
def test_printing_the_solutions_output_fails(reports: dict[tuple[str, str], CheckReport], runner: Runner,
                                             exercise: Exercise) -> None:
    method, run = reports[(exercise.id, "solution")].records[0]
    fake = f"import sys\nsys.stdout.write({run.stdout!r})\nsys.stderr.write({run.stderr!r})\n"
    report = check(runner, exercise, fake)
    assert not report.passed, describe(report)


def test_every_exercise_has_wrong_answers() -> None:
    for exercise in EXERCISES:
        assert len(exercise.wrong) >= 2, f"{exercise.id} has fewer than two wrong answers"
