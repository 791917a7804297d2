"""Browser tests of the exercise box (Check, hints, the solution), the progress marks and
the "predict, then run" question, against the real server and sandbox."""

from __future__ import annotations

from typing import Any

import pytest

from browserkit import get_json, run_and_wait, serve, wait_connected

pytestmark = pytest.mark.browser

CHECK_MS = 90_000  # a Check is three runs, one per start method, on a busy machine
BOX = 'figure.exercise[data-exercise="start-workers"]'


def check(page: Any, code: str | None = None) -> Any:
    """Put ``code`` in the editor (else keep the starter), press Check, wait for the results."""
    box = page.locator(BOX)
    box.scroll_into_view_if_needed()
    if code is not None:
        page.evaluate("code => MPBook.run.example('start-workers').editor.load(code)", code)
    box.locator("button.check").click()
    page.wait_for_function(
        "() => { const ex = MPBook.run.example('start-workers'); return ex.checked && !ex.isRunning; }",
        timeout=CHECK_MS)
    return box


def open_lesson(page: Any, slug: str = "getting-started") -> None:
    page.goto(f"/lessons/{slug}")
    wait_connected(page)


def test_a_passing_check_marks_the_exercise_solved_and_the_mark_survives_a_reload(page: Any, live_server: str) -> None:
    solution = get_json(f"{live_server}/api/exercises/start-workers/solution")["source"]
    total = len(get_json(f"{live_server}/api/exercises"))
    open_lesson(page)
    page.evaluate("() => localStorage.removeItem('mpbook.solved')")
    box = check(page, solution)
    marks = box.locator(".check-list .check-mark").all_text_contents()
    assert marks and set(marks) == {"✓"}
    assert box.locator(".check-summary").text_content() == "Every check passed: exercise solved."
    assert box.locator(".check-seed").text_content().startswith("Seed of the injected delays: ")
    assert box.locator(".solved-mark").is_visible()
    assert len(box.locator(".run-title").all_text_contents()) == 2  # runs 2 and 3 get a title; run 1 is the first view
    sidebar = page.locator('.book-toc li.current .toc-exercises')
    assert sidebar.text_content() == "✓ 1 of 1 exercise solved"
    page.reload()
    wait_connected(page)
    assert page.locator(BOX).locator(".solved-mark").is_visible()
    page.goto("/")
    assert page.locator(".progress-count").text_content() == f"1 of {total} exercises solved"
    page.locator("button.clear-progress").click()
    assert page.locator(".progress-count").text_content() == f"0 of {total} exercises solved"
    assert page.evaluate("() => localStorage.getItem('mpbook.solved')") is None


def test_a_failing_check_says_what_it_saw_then_offers_the_solution(page: Any) -> None:
    open_lesson(page)
    box = page.locator(BOX)
    assert not box.locator("button.show-solution").is_visible()
    box = check(page)
    failed = box.locator(".check-list li.check-failed")
    assert failed.count() >= 1
    texts = failed.locator(".check-message").all_text_contents()
    assert any(t.endswith("Start them all before you join any.") for t in texts), texts
    assert box.locator(".check-failed .check-mark").first.text_content() == "✗"
    assert not box.locator(".solved-mark").is_visible()
    seed = box.locator(".check-seed").text_content().split(": ")[1].split(".")[0]
    box.locator("button.replay").click()
    page.wait_for_function(
        "() => { const ex = MPBook.run.example('start-workers'); return !ex.isRunning && ex.replaySeed !== null; }",
        timeout=CHECK_MS)
    assert box.locator(".check-seed").text_content().startswith(f"Seed of the injected delays: {seed}.")
    box.locator("button.show-solution").click()
    assert "for p in workers" in box.locator("pre.solution-code").text_content()


def test_hints_come_one_at_a_time(page: Any) -> None:
    open_lesson(page)
    box = page.locator(BOX)
    hints = box.locator(".hints li")
    assert hints.count() == 3 and not hints.first.is_visible()
    more = box.locator("button.next-hint")
    assert more.text_content() == "Show a hint (3)"
    more.click()
    assert hints.nth(0).is_visible() and not hints.nth(1).is_visible()
    assert more.text_content() == "Show another hint (1 of 3 shown)"
    more.click()
    more.click()
    assert hints.nth(2).is_visible() and not more.is_visible()


def test_run_in_an_exercise_runs_the_readers_code_with_its_files(page: Any) -> None:
    open_lesson(page, "isolation")
    code = "print(open('greeting.txt').read().strip())\n"
    page.evaluate("code => MPBook.run.example('pass-in-args').editor.load(code)", code)
    box = page.locator('figure.exercise[data-exercise="pass-in-args"]')
    box.scroll_into_view_if_needed()
    box.locator("button.run").click()
    page.wait_for_function(
        "() => { const ex = MPBook.run.example('pass-in-args'); return ex.views.length && ex.views[0].done; }",
        timeout=40_000)
    stdout = page.evaluate("() => MPBook.run.example('pass-in-args').views[0].text.stdout")
    assert stdout == "good morning from the file\n"


def test_predict_then_run_says_whether_the_run_agreed(page: Any) -> None:
    open_lesson(page, "isolation")
    question = page.locator('fieldset.predict[data-predict="isolation-global"]')
    verdict = question.locator(".predict-verdict")
    assert verdict.text_content() == "Choose an answer, then run the example below."
    question.locator("label.predict-choice", has_text="the parent sees: []").locator("input").check()
    run_and_wait(page, "isolation-global")
    assert verdict.text_content() == "This run showed “the parent sees: []”: it agreed with your answer."
    assert question.locator(".predict-explain").is_visible()
    question.locator("label.predict-choice", has_text="added by the child").locator("input").check()
    run_and_wait(page, "isolation-global")
    assert verdict.text_content() == "This run showed “the parent sees: []”: it did not agree with your answer."


def test_the_exercise_box_and_question_have_no_serious_accessibility_problems(page: Any) -> None:
    from test_browser_a11y import axe_problems

    open_lesson(page)
    box = check(page)
    box.locator("button.next-hint").click()
    box.locator("button.show-solution").click()
    box.locator("pre.solution-code").wait_for()
    assert axe_problems(page) == []
    open_lesson(page, "isolation")
    assert axe_problems(page) == []


def test_a_room_with_solutions_always_offers_them_before_any_check(browser: Any) -> None:
    with serve({"MPBOOK_SOLUTIONS": "always"}) as url:
        context = browser.new_context(base_url=url)
        try:
            page = context.new_page()
            open_lesson(page)
            button = page.locator(BOX).locator("button.show-solution")
            button.wait_for(state="visible")
            button.click()
            assert "for p in workers" in page.locator(BOX).locator("pre.solution-code").text_content()
        finally:
            context.close()
