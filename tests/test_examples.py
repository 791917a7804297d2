"""Every example of the book, run in the sandbox under each start method it claims,
prints what the book shows beside it. The book must never show output Python does not print."""

from __future__ import annotations

import platform
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Iterator

import pytest

from mpbook import settings
from mpbook.book.lessons import Example, load_book, mismatches
from mpbook.engine.runner import RunResult, run_to_completion
from mpbook.web.wiring import build_wiring

VALUES = settings.load({"warm_sandboxes": 0})
BOOK = load_book(Path(VALUES["content_dir"]))
CASES = [(e, m) for e in BOOK.examples_in_order() for m in e.start_methods]


@pytest.fixture(scope="module")
def results() -> Iterator[dict[tuple[str, str], RunResult]]:
    """Run every case once, a few at a time, before the assertions read them: each
    shaped by the one ``request_for`` that shapes a reader's click."""
    wiring = build_wiring(VALUES, BOOK)

    def run(case: tuple[Example, str]) -> RunResult:
        example, method = case
        return run_to_completion(wiring.runner, wiring.request_for(example, start_method=method))

    try:
        with ThreadPoolExecutor(4) as pool:
            yield dict(zip([(e.id, m) for e, m in CASES], pool.map(run, CASES)))
    finally:
        wiring.close()


@pytest.mark.parametrize(("example", "method"), CASES, ids=[f"{e.id}-{m}" for e, m in CASES])
def test_example_prints_what_the_book_shows(
    results: dict[tuple[str, str], RunResult], example: Example, method: str
) -> None:
    result = results[(example.id, method)]
    expect = example.expect_for(platform.python_version())
    problems = mismatches(expect, result.stdout, result.stderr, result.exit_code, result.reason)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("example", BOOK.examples_in_order(), ids=lambda e: e.id)
def test_shown_sample_fits_its_own_pattern(example: Example) -> None:
    expect = example.expect
    if expect.stdout_regex is not None:
        assert re.fullmatch(expect.stdout_regex, expect.stdout), "the shown stdout does not fit stdout_regex"
    if expect.stderr_regex is not None:
        assert re.fullmatch(expect.stderr_regex, expect.stderr), "the shown stderr does not fit stderr_regex"


def test_every_original_has_a_corrected_twin_with_corrections() -> None:
    for example in BOOK.examples.values():
        if example.original_of:
            twin = BOOK.examples[example.original_of]
            assert twin.corrections, f"{twin.id} fixes {example.id} but lists no corrections"
            assert twin.original_of is None
