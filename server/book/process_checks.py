"""The checks of an exercise that read a run's processes: how many, who started them, how they
ended, how many were alive at once, and how they were started."""

from __future__ import annotations

from collections.abc import Callable

from mpbook.book.record import (
    Judge,
    Lifetime,
    Outcome,
    Run,
    Table,
    between,
    count,
    count_range,
    every,
    in_range,
)


def _processes_check(table: Table) -> Judge:
    """The number of worker processes (every child but a manager's server) is in a range."""
    low, high = count_range(table)

    def judge(run: Run) -> Outcome:
        n = len(run.workers())
        ran = f"{count(n, 'child process', 'child processes')} ran" if n else "No child process ran"
        if in_range(n, low, high):
            return Outcome(True, ran + ".")
        return Outcome(False, f"{ran}; there should be {between(low, high)}.")

    return judge


def _parent_check(table: Table) -> Judge:
    """Every child was started by the main process."""

    def judge(run: Run) -> Outcome:
        if not run.children:
            return Outcome(False, "No child process ran.")
        for p in run.children:
            if p.ppid != run.main_pid:
                return Outcome(False, f"{p.name} was started by {run.name_of(p.ppid)}, not by the main process.")
        return Outcome(True, f"{every(len(run.children), 'child', 'children')} started by the main process.")

    return judge


def _exit_codes_check(table: Table) -> Judge:
    """Every process ended with exit code 0, and the run ended by itself."""

    def judge(run: Run) -> Outcome:
        result = run.result
        if result.reason not in ("ok", "error"):
            return Outcome(False, f"The run did not end by itself: {_ENDINGS.get(result.reason, result.reason)}.")
        for p in run.children:
            if p.exitcode != 0:
                how = "was killed or never finished" if p.exitcode is None else f"ended with exit code {p.exitcode}"
                return Outcome(False, f"{p.name} {how}.")
        if result.exit_code != 0:
            return Outcome(False, f"The main process ended with exit code {result.exit_code}.")
        return Outcome(True, f"{every(len(run.lifetimes), 'process', 'processes', 'ended')} with exit code 0.")

    return judge


_ENDINGS = {
    "timeout": "it was stopped at its time limit", "memory": "it used more memory than its limit",
    "processes": "it started more processes than its limit", "output": "it printed more than its output limit",
    "stopped": "it was stopped",
}


def _overlap_check(table: Table) -> Judge:
    """At least ``min`` workers were alive at the same moment (their start-to-exit spans overlap)."""
    least = table.get("min", int, required=True)

    def judge(run: Run) -> Outcome:
        workers = run.workers()
        most = max_alive(workers, run.result.duration_ms)
        ran = f"{count(len(workers), 'process', 'processes')} ran"
        if most >= least:
            return Outcome(True, f"{ran}, and {most} of them were running at the same moment.")
        if not workers:
            return Outcome(False, f"No child process ran; {least} should be running at the same moment.")
        if len(workers) < least:
            return Outcome(False, f"Only {ran}; {least} should be running at the same moment.")
        return Outcome(False, f"{ran}, but never more than {most} at the same moment: they ran one after another.")

    return judge


def max_alive(spans: list[Lifetime], end_of_run: float) -> int:
    """The most spans open at one moment. An exit at the moment of another's start does not overlap it."""
    moments = sorted([(p.start, 1) for p in spans] + [(end_of_run if p.end is None else p.end, -1) for p in spans],
                     key=lambda m: (m[0], m[1]))
    alive = most = 0
    for _, change in moments:
        alive += change
        most = max(most, alive)
    return most


def _start_method_check(table: Table) -> Judge:
    """Every worker was started by the given start method, as the runtime saw it in the child."""
    method = table.choice("method", ("fork", "spawn", "forkserver"), "")

    def judge(run: Run) -> Outcome:
        workers = run.workers()
        if not workers:
            return Outcome(False, "No child process ran.")
        other = [p for p in workers if p.method != method]
        if not other:
            return Outcome(True, f"{every(len(workers), 'child', 'children')} started by {method}.")
        how = other[0].method or "an unknown method"
        return Outcome(False, f"{other[0].name} was started by {how}, not by {method}.")

    return judge


PROCESS_KINDS: dict[str, Callable[[Table], Judge]] = {
    "processes": _processes_check, "parent": _parent_check, "exit_codes": _exit_codes_check,
    "overlap": _overlap_check, "start_method": _start_method_check,
}
