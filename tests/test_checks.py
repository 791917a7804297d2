"""The checker's rules, on hand-written run records (no sandbox)."""

from __future__ import annotations

from typing import Any

import pytest

from mpbook.book.checks import RUN_KINDS, CheckError, Run, Table, max_alive
from mpbook.book.source_checks import SOURCE_KINDS
from mpbook.engine.runner import OutputChunk, ProcessEvent, RunResult

MAIN = 100


def record(lines: list[tuple[int, str]], spans: list[tuple[int, int | None, float, float | None, int | None]],
           reason: str = "ok", code: int | None = 0, method: str = "fork") -> RunResult:
    """A run: ``lines`` as (pid, text); ``spans`` of children as (pid, ppid, start, end, exit code)."""
    names = {MAIN: "MainProcess", **{pid: f"Process-{i}" for i, (pid, *_) in enumerate(spans, 1)}}
    events = [ProcessEvent("start", MAIN, None, "MainProcess", 0.0, None)]
    for pid, ppid, start, end, exitcode in spans:
        events.append(ProcessEvent("start", pid, ppid, names[pid], start, None, method))
        if end is not None:
            events.append(ProcessEvent("exit", pid, ppid, names[pid], end, exitcode))
    events.sort(key=lambda e: e.t)
    events.append(ProcessEvent("exit", MAIN, None, "MainProcess", 1000.0, code))
    output = [OutputChunk("stdout", text + "\n", pid, names.get(pid), float(i)) for i, (pid, text) in enumerate(lines)]
    return RunResult(code, reason, "".join(c.data for c in output), "", output, events, 1000.0)


def judge(kind: str, result: RunResult, **table: Any) -> tuple[bool, str]:
    outcome = RUN_KINDS[kind](Table({"name": "n", "type": kind, "advice": "a", **table}))(Run(result, "fork"))
    return outcome.passed, outcome.observed


def source(kind: str, code: str, **table: Any) -> tuple[bool, str]:
    outcome = SOURCE_KINDS[kind](Table({"name": "n", "type": kind, "advice": "a", **table}))(code)
    return outcome.passed, outcome.observed


FOUR_SERIAL = [(1, MAIN, 0, 10, 0), (2, MAIN, 10, 20, 0), (3, MAIN, 20, 30, 0), (4, MAIN, 30, 40, 0)]
FOUR_TOGETHER = [(1, MAIN, 0, 50, 0), (2, MAIN, 1, 50, 0), (3, MAIN, 2, 51, 0), (4, MAIN, 3, 52, 0)]


def test_overlap_says_the_tasks_ran_one_after_another() -> None:
    passed, said = judge("overlap", record([], FOUR_SERIAL), min=4)
    assert not passed
    assert said == "4 processes ran, but never more than 1 at the same moment: they ran one after another."
    assert judge("overlap", record([], FOUR_TOGETHER), min=4)[0]


def test_overlap_counts_a_child_still_alive_at_the_end() -> None:
    spans = [(1, MAIN, 0, None, None), (2, MAIN, 5, 6, 0)]
    assert max_alive(Run(record([], spans), "fork").children, 1000.0) == 2


def test_processes_counts_children_but_not_a_managers_server() -> None:
    result = record([], [(1, MAIN, 0, 5, 0), (2, MAIN, 1, 5, 0)])
    events = [e if e.pid != 2 else ProcessEvent(e.event, 2, MAIN, "SyncManager-1", e.t, e.exitcode)
              for e in result.events]
    managed = RunResult(0, "ok", "", "", [], events, 1000.0)
    assert judge("processes", managed, count=1) == (True, "1 child process ran.")
    assert judge("processes", record([], []), min=2) == (False, "No child process ran; there should be at least 2.")


def test_parent_names_the_process_that_started_a_grandchild() -> None:
    passed, said = judge("parent", record([], [(1, MAIN, 0, 9, 0), (2, 1, 1, 8, 0)]))
    assert not passed and said == "Process-2 was started by Process-1, not by the main process."


@pytest.mark.parametrize(("spans", "reason", "code", "said"), [
    ([(1, MAIN, 0, 9, 1)], "error", 0, "Process-1 ended with exit code 1."),
    ([(1, MAIN, 0, None, None)], "ok", 0, "Process-1 was killed or never finished."),
    ([], "error", 1, "The main process ended with exit code 1."),
    ([], "timeout", None, "The run did not end by itself: it was stopped at its time limit."),
])
def test_exit_codes(spans: list[Any], reason: str, code: int | None, said: str) -> None:
    assert judge("exit_codes", record([], spans, reason, code)) == (False, said)


def test_lines_multiset_with_pids_of_named_processes_and_addresses() -> None:
    result = record([(MAIN, "child 1 done"), (1, "at 0xdeadbeef"), (MAIN, "child 1 done")], [(1, MAIN, 0, 5, 0)])
    expect = "child <pid of Process-1> done\nat 0x1\nchild <pid of Process-1> done\n"
    assert judge("lines", result, expect=expect, normalise=["addresses"])[0]
    passed, said = judge("lines", result, expect=expect.replace("Process-1> done\n", "MainProcess> done\n", 1),
                         normalise=["addresses"])
    assert not passed and said == (f"1 expected line was not printed: “child {MAIN} done”; "
                                   "1 line was printed that should not be: “child 1 done”.")
    passed, said = judge("lines", result, expect="child N done\nat 0x…", normalise=["numbers", "addresses"])
    assert not passed and said == "1 line was printed that should not be: “child N done”."


def test_count_and_each_once_read_only_the_chosen_processes() -> None:
    result = record([(1, "result 1"), (2, "result 2"), (MAIN, "result 3"), (2, "result 2")],
                    [(1, MAIN, 0, 5, 0), (2, MAIN, 0, 5, 0)])
    assert judge("count", result, pattern=r"result \d", process="children", count=3, what="result lines") == (
        True, "3 result lines were printed.")
    passed, said = judge("each_once", result, pattern=r"result (\d)", items=["1", "2", "3"], process="children")
    assert not passed
    assert said == "No line for “3” was printed; more than one line for “2” was printed."


def test_program_order_is_per_process() -> None:
    good = record([(1, "a"), (2, "a"), (2, "b"), (1, "b")], [(1, MAIN, 0, 5, 0), (2, MAIN, 0, 5, 0)])
    assert judge("program_order", good, sequence=["a", "b"])[0]
    bad = record([(1, "a"), (2, "b"), (2, "a"), (1, "b")], [(1, MAIN, 0, 5, 0), (2, MAIN, 0, 5, 0)])
    assert judge("program_order", bad, sequence=["a", "b"]) == (
        False,
        "Process-2 printed “b”, “a”, in that order; each process should print 2 lines of the sequence once, in order.")


def test_after_is_a_happens_before_over_the_order_lines_arrived() -> None:
    early = record([(1, "done 1"), (MAIN, "total"), (2, "done 2")], [(1, MAIN, 0, 5, 0), (2, MAIN, 0, 5, 0)])
    assert judge("after", early, first=r"done \d", last="total") == (False, "“total” was printed before “done 2”.")
    assert judge("after", record([(MAIN, "x")], []), first="done", last="x") == (
        False, "No line matching “done” was printed.")


def test_start_method_reads_what_the_child_saw() -> None:
    assert judge("start_method", record([], [(1, MAIN, 0, 5, 0)], method="fork"), method="spawn") == (
        False, "Process-1 was started by fork, not by spawn.")
    assert judge("start_method", record([], [(1, MAIN, 0, 5, 0)], method="spawn"), method="spawn")[0]


def test_main_guard_either_way_round_and_syntax_errors() -> None:
    assert source("main_guard", "if '__main__' == __name__:\n    pass\n")[0]
    assert not source("main_guard", "def f():\n    if __name__ == '__main__':\n        pass\n")[0]
    assert source("main_guard", "def f(:\n") == (False, "The program does not parse: invalid syntax (line 1).")


def test_uses_and_avoids_follow_import_aliases_and_scope() -> None:
    code = "from time import sleep as nap\nimport multiprocessing as mp\n\ndef work():\n    nap(1)\n\n" \
           "if __name__ == '__main__':\n    lock = mp.Lock()\n    v = mp.Value('i')\n    v.get_lock()\n"
    assert source("uses", code, api="time.sleep") == (True, "The program uses `time.sleep` (line 5).")
    assert source("avoids", code, api="time.sleep", scope="main")[0]
    assert source("avoids", code + "    nap(2)\n", api="time.sleep", scope="main") == (
        False, "The program uses `time.sleep` in the main process's own code, on line 11.")
    assert source("uses", code, api="multiprocessing.Lock")[0]
    assert source("uses", code, api="get_lock")[0]
    assert not source("uses", code, api="ProcessPoolExecutor")[0]
    assert source("uses", "Process(target=work, args=())\n", api="target") == (
        True, "The program uses `target` (line 1).")


@pytest.mark.parametrize(("kind", "table", "message"), [
    ("count", {"pattern": "("}, "'pattern' is not a valid regular expression"),
    ("count", {"pattern": "x"}, "needs 'count', 'min' or 'max'"),
    ("count", {"pattern": "x", "count": 1, "min": 1}, "either 'count' or 'min'/'max'"),
    ("each_once", {"pattern": "x", "items": ["1"]}, "needs a group"),
    ("lines", {"expect": "a", "normalise": ["pids"]}, "takes addresses and numbers, not 'pids'"),
    ("overlap", {"min": "4"}, "'min' must be int"),
    ("count", {"pattern": "x", "count": 1, "stream": "stdin"}, "'stream' must be one of stdout, stderr"),
])
def test_bad_tables_are_explained(kind: str, table: dict[str, Any], message: str) -> None:
    with pytest.raises(CheckError, match=message):
        RUN_KINDS[kind](Table({"name": "n", "type": kind, "advice": "a", **table}))


def test_a_line_reported_in_two_chunks_is_one_line() -> None:
    result = record([], [(1, MAIN, 0, 5, 0)])
    output = [OutputChunk("stdout", "total: ", MAIN, "MainProcess", 1.0),
              OutputChunk("stdout", "a\n", 1, "Process-1", 2.0),
              OutputChunk("stdout", "40", MAIN, "MainProcess", 3.0),
              OutputChunk("stdout", "\n", MAIN, "MainProcess", 4.0)]
    split = RunResult(0, "ok", "", "", output, result.events, 10.0)
    assert [(line.text, line.pid) for line in Run(split, "fork").lines["stdout"]] == [("a", 1), ("total: 40", MAIN)]
