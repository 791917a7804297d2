"""Inside a run, in the browser: stacks under the lanes ("Where are they?" and Stop), the cores-busy strip,
and input to a running program."""

from __future__ import annotations

from typing import Any

import pytest

from browserkit import get_json, open_example, set_code
from helpers import JOIN_BEFORE_GET

pytestmark = pytest.mark.browser



@pytest.fixture
def example(live_server: str) -> dict[str, Any]:
    """An example whose only file is main.py, to put our own code in."""
    for summary in get_json(live_server + "/api/examples"):
        if not get_json(f"{live_server}/api/examples/{summary['id']}")["files"]:
            return summary
    pytest.skip("the book has no example without extra files")


def start(page: Any, example: dict[str, Any], code: str, wait_for: str) -> Any:
    fig = open_example(page, example)
    set_code(page, example["id"], code)
    fig.locator("button.run").click()
    fig.locator(".run-output").get_by_text(wait_for).wait_for(timeout=30_000)
    return fig


def test_where_are_they_shows_each_stack_under_its_lane(page: Any, example: dict[str, Any], console: Any) -> None:
    fig = start(page, example, JOIN_BEFORE_GET, "joining")
    page.wait_for_timeout(500)  # the child puts its item and waits for its feeder thread
    fig.locator("button.where").click()
    main = fig.locator('.tl-stack .st-box:has(.proc-badge:text-is("MainProcess"))')
    child = fig.locator('.tl-stack .st-box:has(.proc-badge:text-is("Process-1"))')
    main.wait_for(timeout=10_000)
    child.wait_for(timeout=10_000)
    assert "waits in join" in main.locator(".st-summary").inner_text()
    own = main.locator(".st-frame.own")
    assert "main.py, line 11" in own.inner_text() and own.locator(".st-source").inner_text() == "p.join()"
    folds = child.locator(".st-fold > summary").all_inner_texts()
    assert any("send_bytes, in the queue's feeder thread" in f for f in folds), folds
    assert any("the Queue's join at exit" in f for f in folds), folds
    # Each stack sits right under its own lane.
    under = fig.evaluate("""f => Array.from(f.querySelectorAll('.tl-stack')).map(s => {
        const lane = s.previousElementSibling; const box = s.querySelector('.st-box');
        return [lane && lane.dataset.pid, box && box.dataset.pid]; })""")
    assert under and all(lane == box for lane, box in under if lane is not None), under
    # Stop asks again before the run ends: the stacks stay on the page after the exit.
    fig.locator("button.stop").click()
    page.wait_for_function("id => MPBook.run.example(id).views[0].done", arg=example["id"], timeout=15_000)
    assert fig.locator(".tl-stack .st-box").count() >= 2
    assert fig.locator("button.where").is_hidden()
    assert not console.errors


def test_a_process_that_does_not_answer_says_so(page: Any, example: dict[str, Any]) -> None:
    code = ("import signal, time\nsignal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGRTMIN + 6})\n"
            "print('ready', flush=True)\ntime.sleep(60)\n")
    fig = start(page, example, code, "ready")
    fig.locator("button.where").click()
    silent = fig.locator(".tl-stack .st-box.silent")
    silent.wait_for(timeout=10_000)
    assert "did not answer" in silent.inner_text()
    fig.locator("button.stop").click()
    page.wait_for_function("id => MPBook.run.example(id).views[0].done", arg=example["id"], timeout=15_000)


def test_the_strip_shows_cores_busy_and_peak_memory(page: Any, example: dict[str, Any]) -> None:
    code = ("import time\nblock = bytearray(40 * 2**20)\nend = time.monotonic() + 0.8\n"
            "while time.monotonic() < end:\n    pass\nprint('done')\n")
    fig = start(page, example, code, "done")
    page.wait_for_function("id => MPBook.run.example(id).views[0].done", arg=example["id"], timeout=15_000)
    strip = fig.locator(".usage")
    assert strip.is_visible() and strip.locator(".us-bar").count() >= 4
    label = strip.locator(".us-track").get_attribute("aria-label") or ""
    assert "Cores busy" in label and "peak memory" in label, label
    peak_mib = float(label.rsplit("peak memory ", 1)[1].split()[0])
    assert peak_mib >= 40, label


def test_input_goes_to_the_program_and_a_child_reads_end_of_file(page: Any, example: dict[str, Any]) -> None:
    code = ("import multiprocessing as mp\n"
            "def child():\n    try:\n        input()\n"
            "    except EOFError:\n        print('child: EOFError', flush=True)\n"
            "if __name__ == '__main__':\n    p = mp.Process(target=child)\n    p.start()\n    p.join()\n"
            "    print('name?', flush=True)\n    print('hello', input(), flush=True)\n")
    fig = start(page, example, code, "name?")
    assert "child: EOFError" in fig.locator(".run-output").inner_text()
    field = fig.locator(".run-input .ri-field")
    fig.locator(".run-input.waiting").wait_for(timeout=10_000)
    assert "waits for input" in fig.locator(".run-input .ri-note").inner_text()
    field.fill("Ada")
    field.press("Enter")
    fig.locator(".run-output").get_by_text("hello Ada").wait_for(timeout=10_000)
    assert fig.locator(".run-output .line.input .text").inner_text() == "Ada"
    page.wait_for_function("id => MPBook.run.example(id).views[0].done", arg=example["id"], timeout=15_000)
    assert fig.locator(".run-input").is_hidden()


def test_stacks_strip_and_input_line_pass_axe(page: Any, example: dict[str, Any]) -> None:
    from test_browser_a11y import axe_problems

    code = "import time\nprint('name?', flush=True)\nname = input()\n"
    fig = start(page, example, code, "name?")
    fig.locator(".run-input.waiting").wait_for(timeout=10_000)
    fig.locator("button.where").click()
    fig.locator(".tl-stack .st-box").first.wait_for(timeout=10_000)
    fig.locator(".usage:not([hidden])").wait_for(timeout=10_000)
    assert axe_problems(page) == []
    fig.locator("button.stop").click()
    page.wait_for_function("id => MPBook.run.example(id).views[0].done", arg=example["id"], timeout=15_000)
