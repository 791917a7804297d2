"""The soak benchmark's judgement of what a server holds (bench/soak.py): a grown warm pool
is not a leak; a cgroup without a sandbox, a busy sandbox or a stray working dir is."""

from __future__ import annotations

from typing import Any

from bench.held import leaks
from bench.soak import KINDS, problems

WAITING = {"fds": 18, "fds_beyond_sandboxes": 12, "rss_mb": 37.0, "sandboxes": 1, "run_cgroups": 1,
           "empty_run_cgroups": 0, "most_processes_in_a_sandbox": 3, "sandbox_processes": 3, "work_dirs": 0}


def after(**changes: Any) -> dict[str, Any]:
    return {**WAITING, **changes}


def test_a_grown_warm_pool_is_not_a_leak() -> None:
    assert leaks(WAITING, after(fds=30, sandboxes=4, run_cgroups=4, sandbox_processes=12)) == []


def test_what_no_waiting_sandbox_explains_is_a_leak() -> None:
    assert leaks(WAITING, after(run_cgroups=2, empty_run_cgroups=1)) == [
        "1 run cgroups without a process", "2 run cgroups for 1 sandboxes"]
    assert leaks(WAITING, after(most_processes_in_a_sandbox=9)) == [
        "a sandbox holds 9 processes; a waiting one holds 3"]
    assert leaks(WAITING, after(work_dirs=2)) == ["2 more working dirs than before the runs"]


def test_lost_runs_wrong_reasons_and_leftovers_after_stop_are_problems() -> None:
    result = {"runs": 10, "finished": 9, "failures": [], "wrong_reasons": ["fork bomb ended timeout (not processes)"],
              "before": WAITING, "after": WAITING,
              "after_stop": {"run_cgroups": [], "temp_dirs": ["/tmp/mpbook-runtime-1-x"], "sandbox_processes": 0}}
    assert problems(result) == ["1 runs did not finish", "fork bomb ended timeout (not processes)",
                                "after the server stopped, temp dirs were left: ['/tmp/mpbook-runtime-1-x']"]


def test_every_kind_names_the_reason_it_must_end_with() -> None:
    assert {reason for _, reason in KINDS.values()} == {"ok", "processes", "memory", "stopped"}
