"""Output rendering (output.js, timeline.js) with frames fed by hand, as docs/protocol.md writes them."""

from __future__ import annotations

from typing import Any

import pytest

from mpbook.engine.runner import Limits
from mpbook.web import protocol

pytestmark = pytest.mark.browser

LIMITS = {"wall_seconds": 10, "cpu_seconds": 10, "memory_bytes": 256 * 2**20, "processes": 32,
          "output_bytes": 64 * 1024, "file_bytes": 2**20, "open_files": 64, "source_bytes": 65536, "tmp_bytes": 2**20}

FEED = """([frames, label]) => {
  const host = document.createElement('div');
  host.className = 'example-run test-host';
  document.querySelector('main').appendChild(host);
  const view = MPBook.output.create(host, label || 'a test run');
  frames.forEach(f => view.render(f));
  window.__view = view;
  return host.querySelectorAll('.run-view').length;
}"""


def feed(page: Any, frames: list[dict[str, Any]]) -> None:
    page.evaluate("() => { document.querySelectorAll('.test-host').forEach(h => h.remove()); }")
    page.evaluate(FEED, [frames, None])


def started(**extra: Any) -> dict[str, Any]:
    return {"type": "started", "run": "r1", "example": "x", "sandbox": "bwrap", "limits": LIMITS,
            "start_method": "fork", **extra}


def out(data: str, pid: int | None, name: str | None, t: float, stream: str = "stdout") -> dict[str, Any]:
    return {"type": "output", "stream": stream, "data": data, "t": t, "pid": pid, "process": name}


def proc(event: str, pid: int, name: str, t: float, exitcode: int | None = None, ppid: int = 1) -> dict[str, Any]:
    return {"type": "process", "event": event, "pid": pid, "ppid": ppid, "name": name, "t": t, "exitcode": exitcode}


TOTAL = "() => getComputedStyle(document.querySelector('.test-host .timeline')).getPropertyValue('--total')"


def status(page: Any) -> str:
    return page.evaluate("() => window.__view.state.textContent")


@pytest.fixture
def lesson(page: Any, lesson_paths: list[str]) -> Any:
    page.goto(lesson_paths[0])
    page.wait_for_function("() => window.MPBook && MPBook.output")
    return page


@pytest.mark.parametrize("reason, words", [
    ("ok", "Finished · exit code 0"),
    ("error", "Exited with an error · exit code 1"),
    ("timeout", "Stopped after 10 s wall time"),
    ("memory", "Stopped: the run used more than its memory (256 MiB)"),
    ("processes", "Stopped: too many processes (limit 32)"),
    ("output", "Output cut after 64 KiB"),
    ("stopped", "Stopped by you"),
])
def test_status_line_says_how_a_run_ended(lesson: Any, reason: str, words: str) -> None:
    """The page shows the server's words (protocol.py), then the exit code and the time."""
    code = {"ok": 0, "error": 1}.get(reason)
    feed(lesson, [started(), out("x\n", 7, "MainProcess", 3),
                  protocol.exit_frame(code, reason, 1234.5, Limits(**LIMITS))])
    text = status(lesson)
    assert text.startswith(words), text
    assert text.endswith("1.23 s"), text


def test_queued_then_running_shows_position_and_elapsed_time(lesson: Any) -> None:
    feed(lesson, [{"type": "queued", "position": 3}])
    assert status(lesson) == "Queued: position 3 (every run slot is busy)"
    lesson.evaluate("() => window.__view.render({type: 'queued', position: 1})")
    assert status(lesson).startswith("Queued: position 1")
    lesson.evaluate("f => window.__view.render(f)", started(start_method="spawn"))
    assert status(lesson) == "Running (spawn)…"
    lesson.wait_for_function("""() => /^[0-9.]+ s$/.test(window.__view.clock.textContent)
                                && parseFloat(window.__view.clock.textContent) >= 0.2""", timeout=5000)


def test_output_is_text_with_a_badge_per_process(lesson: Any) -> None:
    feed(lesson, [
        started(),
        out("hello <b>bold</b> <img src=x onerror=\"window.__pwned=1\">\n", 10, "MainProcess", 1),
        out("one\ntwo\n", 11, "Process-1", 2),
        out("half a ", 12, "Process-2", 3, "stderr"),
        out("three\n", 11, "Process-1", 4),
        out("line\n", 12, "Process-2", 5, "stderr"),
        out("written below sys.stdout\n", None, None, 6),
        {"type": "exit", "code": 0, "reason": "ok", "t": 10, "message": "Finished."},
    ])
    lines = lesson.evaluate("""() => Array.from(document.querySelectorAll('.test-host .line')).map(l => ({
        text: l.querySelector('.text').textContent, stream: l.dataset.stream,
        badge: l.querySelector('.proc-badge') ? l.querySelector('.proc-badge').textContent : null,
        colour: l.querySelector('.proc-badge') ? l.querySelector('.proc-badge').className : null }))""")
    assert [(line["text"], line["stream"], line["badge"]) for line in lines] == [
        ('hello <b>bold</b> <img src=x onerror="window.__pwned=1">', "stdout", "MainProcess"),
        ("one", "stdout", "Process-1"),
        ("two", "stdout", "Process-1"),
        ("half a line", "stderr", "Process-2"),
        ("three", "stdout", "Process-1"),
        ("written below sys.stdout", "stdout", None),
    ]
    assert lesson.locator(".test-host img, .test-host b").count() == 0
    assert lesson.evaluate("() => window.__pwned") is None
    colours = {line["badge"]: line["colour"] for line in lines if line["badge"]}
    assert len(set(colours.values())) == 3
    assert lines[1]["colour"] == lines[2]["colour"] == lines[4]["colour"]
    stderr_colour = lesson.locator(".test-host .line.stderr .text").evaluate("e => getComputedStyle(e).color")
    stdout_colour = lesson.locator(".test-host .line.stdout .text").first.evaluate("e => getComputedStyle(e).color")
    assert stderr_colour != stdout_colour
    assert lesson.evaluate("() => window.__view.text.stdout").startswith("hello <b>")


def test_timeline_draws_a_lane_per_process_with_exit_codes_and_ticks(lesson: Any) -> None:
    frames = [started(), proc("start", 100, "MainProcess", 0)]
    frames += [proc("start", 200 + i, f"ForkPoolWorker-{i + 1}", 20 + i, ppid=100) for i in range(4)]
    frames += [out(f"task {k}\n", 200 + k % 4, f"ForkPoolWorker-{k % 4 + 1}", 100 + 150 * k) for k in range(10)]
    frames += [proc("exit", 200 + i, f"ForkPoolWorker-{i + 1}", 1700 + i, 0 if i else 3, ppid=100) for i in range(4)]
    frames += [proc("exit", 100, "MainProcess", 1800, 0),
               {"type": "exit", "code": 0, "reason": "ok", "t": 1810, "message": ""}]
    feed(lesson, frames)
    lanes = lesson.evaluate("""() => Array.from(document.querySelectorAll('.test-host .tl-lane')).map(l => ({
        name: l.querySelector('.tl-name').textContent, pid: l.querySelector('.tl-pid').textContent,
        exit: l.querySelector('.tl-exit').textContent, ticks: l.querySelectorAll('.tl-tick').length,
        bar: l.querySelector('.tl-bar').getBoundingClientRect().width,
        track: l.querySelector('.tl-track').getBoundingClientRect().width }))""")
    assert [lane["name"] for lane in lanes] == ["MainProcess"] + [f"ForkPoolWorker-{i}" for i in range(1, 5)]
    assert [lane["pid"] for lane in lanes] == ["100", "200", "201", "202", "203"]
    assert [lane["exit"] for lane in lanes] == ["0", "3", "0", "0", "0"]
    assert [lane["ticks"] for lane in lanes] == [0, 3, 3, 2, 2]
    main = lanes[0]
    assert abs(main["bar"] - main["track"] * 1800 / 1810) < 3
    rows = lesson.evaluate("""() => Array.from(document.querySelectorAll('.test-host .timeline table tbody tr'))
        .map(r => Array.from(r.cells).map(c => c.textContent))""")
    assert rows[1] == ["ForkPoolWorker-1", "200", "0.02 s", "1.70 s", "3", "3"]
    assert lesson.locator(".test-host .timeline table caption").count() == 1


def test_timeline_bars_grow_while_running(lesson: Any) -> None:
    feed(lesson, [started(), proc("start", 100, "MainProcess", 0), proc("start", 101, "Process-1", 5, ppid=100)])
    lesson.wait_for_timeout(300)
    first = lesson.evaluate(TOTAL)
    lesson.wait_for_timeout(400)
    second = lesson.evaluate(TOTAL)
    assert float(second) > float(first) > 0
    lesson.evaluate("() => window.__view.render({type: 'exit', code: null, reason: 'stopped', t: 800, message: ''})")
    assert status(lesson).startswith("Stopped by you")


def test_refused_run_says_why(lesson: Any) -> None:
    feed(lesson, [{"type": "error", "code": "too_large", "message": "the program is larger than 64 KiB"}])
    assert status(lesson) == "The program is larger than 64 KiB"
    assert lesson.evaluate("() => window.__view.root.dataset.error") == "too_large"
