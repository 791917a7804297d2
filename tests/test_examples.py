"""Every example of the book, run in the sandbox under each start method it claims and on
every Python among 3.11, 3.12 and 3.13 found here (tests/pythons.py), prints what the book
shows beside it for that version. The book must never show output Python does not print."""

from __future__ import annotations

import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from mpbook import settings
from mpbook.book.lessons import Example, load_book, mismatches
from mpbook.engine.runner import RunResult, run_to_completion
from mpbook.web.wiring import Wiring, build_wiring
from pythons import REQUIRED, find_pythons

VALUES = settings.load({"warm_sandboxes": 0})
BOOK = load_book(Path(VALUES["content_dir"]))
PYTHONS = find_pythons()
FOUND = {version: path for version, path in PYTHONS.items() if isinstance(path, Path)}
CASES = [(e, m, v) for v in FOUND for e in BOOK.examples_in_order() for m in e.start_methods]
POOL_SIZE = 4  # runs at once: most examples sleep or wait, and each run is bounded by its wall time


@pytest.mark.parametrize("version", list(PYTHONS))
def test_each_python_is_found_or_skipped_with_the_reason(version: str) -> None:
    found = PYTHONS[version]
    if isinstance(found, str):
        if version == REQUIRED:
            pytest.fail(f"{found}: the examples must always be tested on Python {REQUIRED}")
        pytest.skip(found)


def _selected(session: pytest.Session) -> list[tuple[Example, str, str]]:
    """The cases this session will assert on (``-k`` and node ids narrow them), in CASES order."""
    wanted = {(item.callspec.params["example"].id, item.callspec.params["method"], item.callspec.params["version"])
              for item in session.items
              if isinstance(item, pytest.Function) and item.originalname == "test_example_prints_what_the_book_shows"}
    return [case for case in CASES if (case[0].id, case[1], case[2]) in wanted]


@pytest.fixture(scope="module")
def results(request: pytest.FixtureRequest) -> Iterator[dict[tuple[str, str, str], RunResult]]:
    """Run each selected case once, POOL_SIZE at a time, before the assertions read them:
    each shaped by the one ``request_for`` that shapes a reader's click, on a server whose
    ``python`` setting is that version's interpreter. Only the selected cases run, so
    ``-k some-example`` costs that example's runs, not the book's."""
    cases = _selected(request.session)
    wirings: dict[str, Wiring] = {}
    try:
        for version in sorted({version for _, _, version in cases}):
            wirings[version] = build_wiring({**VALUES, "python": str(FOUND[version])}, BOOK)

        def run(case: tuple[Example, str, str]) -> RunResult:
            example, method, version = case
            wiring = wirings[version]
            return run_to_completion(wiring.runner, wiring.request_for(example, start_method=method))

        with ThreadPoolExecutor(POOL_SIZE) as pool:
            yield dict(zip([(e.id, m, v) for e, m, v in cases], pool.map(run, cases), strict=True))
    finally:
        for wiring in wirings.values():
            wiring.close()


@pytest.mark.parametrize(("example", "method", "version"), CASES, ids=[f"{e.id}-{m}-{v}" for e, m, v in CASES])
def test_example_prints_what_the_book_shows(
    results: dict[tuple[str, str, str], RunResult], example: Example, method: str, version: str
) -> None:
    result = results[(example.id, method, version)]
    problems = mismatches(example.expect_for(version), result.stdout, result.stderr, result.exit_code, result.reason)
    assert not problems, "\n".join(problems)


def test_each_run_was_on_the_python_it_claims() -> None:
    for version, python in FOUND.items():
        wiring = build_wiring({**VALUES, "python": str(python)}, BOOK)
        try:
            assert wiring.hello()["python"].rsplit(".", 1)[0] == version
        finally:
            wiring.close()


@pytest.mark.parametrize("example", BOOK.examples_in_order(), ids=lambda e: e.id)
def test_shown_sample_fits_its_own_pattern(example: Example) -> None:
    for label, expect in [("[expect]", example.expect)] + [(f"Python {v}", x) for v, x in example.versions.items()]:
        if expect.match != "regex":
            continue
        for stream, shown, regex in (("stdout", expect.stdout, expect.stdout_regex),
                                     ("stderr", expect.stderr, expect.stderr_regex)):
            if regex is not None:
                assert re.fullmatch(regex, shown), f"{label}: the shown {stream} does not fit {stream}_regex"


def test_every_original_has_a_corrected_twin_with_corrections() -> None:
    for example in BOOK.examples.values():
        if example.original_of:
            twin = BOOK.examples[example.original_of]
            assert twin.corrections, f"{twin.id} fixes {example.id} but lists no corrections"
            assert twin.original_of is None


def test_a_version_table_changes_something() -> None:
    for example in BOOK.examples.values():
        for version, expect in example.versions.items():
            assert expect != example.expect, f"{example.id}: [expect.versions.{version!r}] changes nothing"
