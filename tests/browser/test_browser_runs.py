"""Running examples in the browser against the real server: every example, Stop, editing, keys, timeline."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from browserkit import figure, get_json, open_example, run_and_wait, serve, set_code, wait_connected
from mpbook import settings
from mpbook.book.lessons import Example, load_book, mismatches

pytestmark = pytest.mark.browser

# The book the live server serves (MPBOOK_CONTENT_DIR chooses another, for server and test alike).
BOOK = load_book(Path(settings.load()["content_dir"]))

LOOP = "import time\nn = 0\nwhile True:\n    n += 1\n    print('tick', n, flush=True)\n    time.sleep(0.2)\n"
RUN_MS = 45_000
# Page conditions on an example's first run view: it printed a pattern; it ended.
PRINTED = "id => /{}/.test(MPBook.run.example(id).views[0].text.stdout)"
DONE = "id => { const v = MPBook.run.example(id).views[0]; return v && v.done; }"


def shown_text(run: dict[str, Any], stream: str) -> str:
    """One stream as the page shows it: each process's lines kept whole, in the order they began."""
    lines = [line["text"] for line in run["lines"] if line["stream"] == stream]
    text = "".join(line + "\n" for line in lines)
    return text if run[stream].endswith("\n") or not text else text[:-1]


def output_problems(example: Example, run: dict[str, Any], python: str) -> list[str]:
    """How the page's run differs from what the book promises for this start method and Python,
    judged by the same rule as tests/test_examples.py (``mismatches``), not by eye."""
    result = run["result"] or {}
    return mismatches(example.expect_for(python), shown_text(run, "stdout"), shown_text(run, "stderr"),
                      result.get("code"), result.get("reason", "no exit frame"))


def test_every_example_prints_its_expected_output(page: Any, examples: list[dict[str, Any]]) -> None:
    by_lesson: dict[str, list[str]] = defaultdict(list)
    for ex in examples:
        by_lesson[ex["lesson"]].append(ex["id"])
    failures: dict[str, list[str]] = {}
    for lesson, ids in by_lesson.items():
        page.goto(f"/lessons/{lesson}")
        wait_connected(page)
        hello = page.evaluate("() => MPBook.connection.hello()")
        for eid in ids:
            [run] = run_and_wait(page, eid, timeout_ms=RUN_MS)
            assert run["status"], eid
            example = BOOK.examples[eid]
            method = run["start_method"] or hello["default_start_method"]
            if method not in example.start_methods:
                continue  # the book promises nothing under this method (its note says so)
            problems = output_problems(example, run, hello["python"])
            if problems:
                failures[f"{eid} ({method}, Python {hello['python']})"] = problems
    assert failures == {}, "\n\n".join(f"== {eid}\n" + "\n".join(p) for eid, p in failures.items())


def test_output_lines_carry_process_badges(page: Any, examples: list[dict[str, Any]]) -> None:
    ex = examples[0]
    open_example(page, ex)
    set_code(page, ex["id"], "import multiprocessing as mp\n\ndef child():\n    print('from the child')\n\n"
             "if __name__ == '__main__':\n    print('from main', flush=True)\n    p = mp.Process(target=child)\n"
             "    p.start()\n    p.join()\n    import sys\n    print('to stderr', file=sys.stderr)\n")
    [run] = run_and_wait(page, ex["id"])
    assert run["result"]["reason"] == "ok", run["status"]
    lines = {line["text"]: line for line in run["lines"]}
    assert lines["from main"]["badge"] == "MainProcess"
    assert lines["from the child"]["badge"] == "Process-1"
    assert lines["to stderr"]["stream"] == "stderr"
    names = [lane["name"] for lane in run["lanes"]]
    assert "MainProcess" in names and "Process-1" in names
    child = next(lane for lane in run["lanes"] if lane["name"] == "Process-1")
    assert child["exit"] == "0" and child["ticks"] == 1


def test_stop_ends_a_never_ending_program(page: Any, examples: list[dict[str, Any]]) -> None:
    ex = examples[0]
    fig = open_example(page, ex)
    set_code(page, ex["id"], LOOP)
    fig.locator("button.run").click()
    page.wait_for_function(PRINTED.format("tick 2"), arg=ex["id"], timeout=15_000)
    assert fig.locator("button.stop").is_enabled()
    assert fig.locator(".run-state").inner_text().startswith("Running")
    fig.locator("button.stop").click()
    page.wait_for_function("id => !MPBook.run.example(id).isRunning", arg=ex["id"], timeout=15_000)
    assert fig.locator(".run-state").inner_text().startswith("Stopped by you")
    assert fig.locator("button.stop").is_disabled()


def test_edit_run_reset_and_reload(page: Any, examples: list[dict[str, Any]]) -> None:
    ex = examples[0]
    key = f"mpbook.edit.{ex['id']}"
    fig = open_example(page, ex)
    source = get_json(page.url.split("/lessons/")[0] + f"/api/examples/{ex['id']}")["source"]
    assert not fig.locator(".edited-mark").is_visible()
    set_code(page, ex["id"], 'print("edited in the browser", 6 * 7)\n')
    assert fig.locator(".edited-mark").is_visible()
    assert fig.locator("button.reset").is_visible()
    [run] = run_and_wait(page, ex["id"])
    assert run["stdout"] == "edited in the browser 42\n"
    page.wait_for_function("key => localStorage.getItem(key) !== null", arg=key)

    page.reload()
    wait_connected(page)
    fig.locator(".cm-content").wait_for()
    assert fig.locator(".edited-mark").is_visible()
    code = page.evaluate("id => MPBook.run.example(id).editor.code()", ex["id"])
    assert code == 'print("edited in the browser", 6 * 7)\n'
    [run] = run_and_wait(page, ex["id"])
    assert run["stdout"] == "edited in the browser 42\n"

    fig.locator("button.reset").click()
    assert not fig.locator(".edited-mark").is_visible()
    assert page.evaluate("id => MPBook.run.example(id).editor.code()", ex["id"]) == source
    assert page.evaluate("key => localStorage.getItem(key)", key) is None
    page.reload()
    wait_connected(page)
    assert not fig.locator(".edited-mark").is_visible()
    assert fig.locator(".cm-editor").count() == 0, "an unedited example keeps its highlighted code until touched"


def test_keyboard_runs_stops_and_leaves_the_editor(page: Any, examples: list[dict[str, Any]]) -> None:
    ex = examples[0]
    fig = open_example(page, ex)
    # Reaching the code by keyboard mounts the editor and puts the cursor in it.
    fig.locator(".example-code pre").focus()
    page.wait_for_function("() => document.activeElement && document.activeElement.classList.contains('cm-content')")
    set_code(page, ex["id"], 'print("run by keyboard")\n')
    fig.locator(".cm-content").focus()
    page.keyboard.press("Control+Enter")
    page.wait_for_function(DONE, arg=ex["id"], timeout=RUN_MS)
    assert page.evaluate("id => MPBook.run.example(id).views[0].text.stdout", ex["id"]) == "run by keyboard\n"

    set_code(page, ex["id"], LOOP)
    fig.locator(".cm-content").focus()
    page.keyboard.press("Control+Enter")
    page.wait_for_function(PRINTED.format("tick 1"), arg=ex["id"], timeout=15_000)
    page.keyboard.press("Escape")
    page.wait_for_function("id => !MPBook.run.example(id).isRunning", arg=ex["id"], timeout=15_000)
    assert fig.locator(".run-state").inner_text().startswith("Stopped by you")

    # Tab indents inside the editor; Escape then Tab leaves it.
    fig.locator(".cm-content").focus()
    page.keyboard.press("Control+End")
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.classList.contains('cm-content')")
    page.keyboard.press("Escape")
    page.keyboard.press("Tab")
    assert page.evaluate("() => !document.activeElement.closest('.cm-editor')")


def find_pool_example(examples: list[dict[str, Any]], base: str) -> dict[str, Any]:
    for ex in examples:
        if ex["id"] == "pool-submit":
            return ex
    for ex in examples:
        source = get_json(f"{base}/api/examples/{ex['id']}")["source"]
        if re.search(r"(Pool|ProcessPoolExecutor)\(\s*4\s*\)", source) and "range(10)" in source:
            return ex
    pytest.fail("no example runs a pool of 4 workers over 10 tasks")


def test_timeline_shows_the_pool_of_four_workers(page: Any, examples: list[dict[str, Any]], live_server: str) -> None:
    ex = find_pool_example(examples, live_server)
    fig = open_example(page, ex)
    fig.locator(".method select").select_option("fork")
    [run] = run_and_wait(page, ex["id"], timeout_ms=RUN_MS)
    assert run["result"]["reason"] == "ok", run["status"]
    lanes = run["lanes"]
    assert len(lanes) == 5, lanes
    assert lanes[0]["name"] == "MainProcess"
    assert all(lane["exit"] == "0" for lane in lanes), lanes
    assert len({lane["pid"] for lane in lanes}) == 5
    printed = sum(1 for line in run["lines"] if line["badge"] and line["badge"] != "MainProcess")
    assert printed == 10
    assert fig.locator(".timeline table tbody tr").count() == 5


def test_start_method_is_sent_and_shown(page: Any, examples: list[dict[str, Any]]) -> None:
    ex = examples[0]
    fig = open_example(page, ex)
    hello = page.evaluate("() => MPBook.connection.hello()")
    select = fig.locator(".method select")
    assert select.input_value() == hello["default_start_method"]
    assert select.locator("option").evaluate_all("os => os.map(o => o.value)") == hello["start_methods"]
    set_code(page, ex["id"], "import multiprocessing as mp\nprint(mp.get_start_method())\n")
    for method in ("spawn", "forkserver", "fork"):
        select.select_option(method)
        [run] = run_and_wait(page, ex["id"])
        assert page.evaluate("id => MPBook.run.example(id).views[0].startMethod", ex["id"]) == method
        assert run["stdout"] == method + "\n", run


def test_the_python_version_is_shown_beside_the_start_method(page: Any, examples: list[dict[str, Any]]) -> None:
    ex = examples[0]
    fig = open_example(page, ex)
    hello = page.evaluate("() => MPBook.connection.hello()")
    shown = fig.locator(".example-toolbar .method + .python-version")
    assert shown.text_content() == "Python " + hello["python"]
    set_code(page, ex["id"], "import platform\nprint(platform.python_version())\n")
    [run] = run_and_wait(page, ex["id"])
    assert run["stdout"] == hello["python"] + "\n", run


def test_run_three_times_shows_three_outputs_side_by_side(page: Any, examples: list[dict[str, Any]]) -> None:
    ex = examples[0]
    fig = open_example(page, ex)
    set_code(page, ex["id"], "import os\nprint('pid', os.getpid())\n")
    runs = run_and_wait(page, ex["id"], times=3, timeout_ms=RUN_MS)
    assert [r["result"]["reason"] for r in runs] == ["ok", "ok", "ok"]
    assert all(r["stdout"].startswith("pid ") for r in runs)
    views = fig.locator(".run-view")
    tops = [views.nth(i).bounding_box()["y"] for i in range(3)]
    assert max(tops) - min(tops) < 2, "side by side on a wide screen"
    page.set_viewport_size({"width": 600, "height": 900})
    tops = [views.nth(i).bounding_box()["y"] for i in range(3)]
    assert tops[0] < tops[1] < tops[2], "stacked on a narrow screen"


def test_running_another_example_stops_the_first(page: Any, examples: list[dict[str, Any]]) -> None:
    by_lesson: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for ex in examples:
        by_lesson[ex["lesson"]].append(ex)
    pair = next((exs[:2] for exs in by_lesson.values() if len(exs) >= 2), None)
    if pair is None:
        pytest.skip("no lesson has two examples")
    first, second = pair
    open_example(page, first)
    set_code(page, first["id"], LOOP)
    set_code(page, second["id"], 'print("second")\n')
    figure(page, first["id"]).locator("button.run").click()
    page.wait_for_function(PRINTED.format("tick 1"), arg=first["id"], timeout=15_000)
    [run] = run_and_wait(page, second["id"])
    assert run["stdout"] == "second\n"
    assert figure(page, first["id"]).locator(".run-state").inner_text().startswith("Stopped: you ran another example")


def test_share_link_opens_the_code_in_its_example(page: Any, examples: list[dict[str, Any]]) -> None:
    ex = examples[-1]
    open_example(page, ex)
    code = 'print("shared: héllo ✓")\n'
    link = page.evaluate("([id, code]) => MPBook.editor.shareUrl(id, code)", [ex["id"], code])
    assert f"#run={ex['id']}:" in link
    page.evaluate("() => localStorage.clear()")
    page.goto("/")
    page.goto(link)
    wait_connected(page)
    fig = figure(page, ex["id"])
    fig.locator(".cm-content").wait_for()
    assert page.evaluate("id => MPBook.run.example(id).editor.code()", ex["id"]) == code
    assert fig.locator(".edited-mark").is_visible()
    assert fig.evaluate("f => { const r = f.getBoundingClientRect(); return r.top < innerHeight && r.bottom > 0; }")
    [run] = run_and_wait(page, ex["id"])
    assert run["stdout"] == "shared: héllo ✓\n"


def test_copy_puts_the_code_on_the_clipboard(page: Any, context: Any, examples: list[dict[str, Any]],
                                             live_server: str) -> None:
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server)
    ex = examples[0]
    fig = open_example(page, ex)
    fig.locator("button.copy").click()
    fig.locator(".tool-feedback").filter(has_text="Copied").wait_for()
    source = get_json(f"{live_server}/api/examples/{ex['id']}")["source"]
    assert page.evaluate("() => navigator.clipboard.readText()") == source


def test_reconnects_after_the_connection_drops(page: Any, examples: list[dict[str, Any]]) -> None:
    ex = examples[0]
    fig = open_example(page, ex)
    page.evaluate("() => MPBook.connection.drop()")
    page.wait_for_function("() => MPBook.connection.hello() === null", timeout=5_000)
    assert fig.locator("button.run").is_disabled()
    wait_connected(page, timeout=15_000)
    assert fig.locator("button.run").is_enabled()
    assert page.locator(".conn-status").get_attribute("data-state") in ("up", "basic")
    [run] = run_and_wait(page, ex["id"])
    assert run["result"] is not None


def test_sandbox_note_matches_the_server(page: Any, examples: list[dict[str, Any]]) -> None:
    fig = open_example(page, examples[0])
    hello = page.evaluate("() => MPBook.connection.hello()")
    note = fig.locator(".run-note").inner_text()
    assert ("Basic sandbox" in note) is (hello["contained"] is False)


@pytest.fixture(scope="module")
def readonly_server() -> Iterator[str]:
    """A second server: editing turned off, and the basic (uncontained) sandbox."""
    with serve({"MPBOOK_EDITING": "false", "MPBOOK_SANDBOX": "basic"}) as url:
        yield url


def test_editing_off_and_basic_sandbox_are_said_on_the_page(browser: Any, readonly_server: str) -> None:
    examples = get_json(readonly_server + "/api/examples")
    ex = examples[0]
    context = browser.new_context(base_url=readonly_server)
    context.add_init_script("""(() => { const send = WebSocket.prototype.send; window.__sent = [];
        WebSocket.prototype.send = function (data) { window.__sent.push(String(data)); return send.call(this, data); };
        })()""")
    try:
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.goto(f"/lessons/{ex['lesson']}")
        page.evaluate("id => localStorage.setItem('mpbook.edit.' + id, 'print(1)\\n')", ex["id"])
        page.reload()
        wait_connected(page)
        hello = page.evaluate("() => MPBook.connection.hello()")
        assert hello["editing"] is False and hello["contained"] is False
        fig = figure(page, ex["id"])
        assert not fig.locator(".edited-mark").is_visible()
        note = fig.locator(".run-note")
        assert "Editing is turned off" in note.inner_text()
        assert "Basic sandbox" in note.inner_text() and note.is_visible()
        assert "basic sandbox" in page.locator(".conn-status").inner_text()
        fig.locator(".cm-content").wait_for()  # the kept edit mounted the editor; it now shows the published code
        assert fig.locator(".cm-content").get_attribute("contenteditable") == "false"
        source = get_json(f"{readonly_server}/api/examples/{ex['id']}")["source"]
        assert page.evaluate("id => MPBook.run.example(id).editor.code()", ex["id"]) == source
        [run] = run_and_wait(page, ex["id"], timeout_ms=RUN_MS)
        assert run["result"] is not None, run["status"]
        runs = [frame for frame in page.evaluate("() => window.__sent.map(JSON.parse)") if frame["op"] == "run"]
        assert runs and all("code" not in frame for frame in runs), runs
    finally:
        context.close()


@pytest.fixture(scope="module")
def one_slot_server() -> Iterator[str]:
    """A third server that runs one program at a time, so a second reader waits in the queue."""
    with serve({"MPBOOK_MAX_RUNS": "1"}) as url:
        yield url


def test_a_busy_server_queues_the_run_and_stop_leaves_the_queue(browser: Any, one_slot_server: str) -> None:
    ex = get_json(one_slot_server + "/api/examples")[0]
    context = browser.new_context(base_url=one_slot_server)
    try:
        first, second = context.new_page(), context.new_page()
        for page in (first, second):
            page.set_default_timeout(10_000)
            open_example(page, ex)
        set_code(first, ex["id"], LOOP)
        figure(first, ex["id"]).locator("button.run").click()
        first.wait_for_function(PRINTED.format("tick 1"), arg=ex["id"], timeout=15_000)

        set_code(second, ex["id"], 'print("after the queue")\n')
        state = figure(second, ex["id"]).locator(".run-state")
        figure(second, ex["id"]).locator("button.run").click()
        second.wait_for_function("id => MPBook.run.example(id).views[0].root.dataset.state === 'queued'", arg=ex["id"])
        assert state.inner_text().startswith("Queued: position 1")
        figure(second, ex["id"]).locator("button.stop").click()
        second.wait_for_function("id => !MPBook.run.example(id).isRunning", arg=ex["id"])
        assert state.inner_text().startswith("Stopped by you")

        figure(second, ex["id"]).locator("button.run").click()
        second.wait_for_function("id => MPBook.run.example(id).views[0].root.dataset.state === 'queued'", arg=ex["id"])
        figure(first, ex["id"]).locator("button.stop").click()
        second.wait_for_function(DONE, arg=ex["id"], timeout=20_000)
        assert second.evaluate("id => MPBook.run.example(id).views[0].text.stdout", ex["id"]) == "after the queue\n"
    finally:
        context.close()


@pytest.fixture(scope="module")
def one_page_server() -> Iterator[str]:
    """A fourth server that takes one live page per address."""
    with serve({"MPBOOK_CONNECTIONS_PER_CLIENT": "1"}) as url:
        yield url


def test_a_refused_page_says_why(browser: Any, one_page_server: str) -> None:
    ex = get_json(one_page_server + "/api/examples")[0]
    context = browser.new_context(base_url=one_page_server)
    try:
        first, second = context.new_page(), context.new_page()
        for page in (first, second):
            page.set_default_timeout(10_000)
        first.goto(f"/lessons/{ex['lesson']}")
        wait_connected(first)
        second.goto(f"/lessons/{ex['lesson']}")
        second.wait_for_function("() => /Server busy/.test(document.querySelector('.conn-status').textContent)")
        first.close()
        wait_connected(second, timeout=40_000)
    finally:
        context.close()
