"""The checks of an exercise, declared as data in exercise.toml and judged on the server.

A check reads the record of a finished run (``RunResult``: the lines each process
printed, the start and exit of every process, the run's end) or the program's
source, never anything the program says about itself. Each kind parses its own
TOML table (``parse_check``) and gives an ``Outcome``: passed or not, and what was
observed, in plain words. ``docs/content.md`` lists the kinds and their keys.

The kinds that read the run are in this module; the source kinds in
``source_checks.py``.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from mpbook.engine.runs import OutputChunk, ProcessEvent, RunResult

MANAGER_NAME = re.compile(r"Manager-\d+$")  # SyncManager-1: a manager's server process, not a worker
NORMALISERS: dict[str, tuple[re.Pattern[str], str]] = {
    "addresses": (re.compile(r"0x[0-9a-fA-F]+"), "0x…"),
    "numbers": (re.compile(r"-?\d+(?:\.\d+)?"), "N"),
}
SHOWN = 3  # lines quoted in a message, at most


class CheckError(ValueError):
    """A check's table in exercise.toml is not valid; the message says what to fix."""


@dataclass(frozen=True)
class Outcome:
    passed: bool
    observed: str  # what the run or the source showed, in plain words


@dataclass(frozen=True)
class Line:
    """One whole line of output, with the process that printed it."""

    text: str
    pid: int | None
    process: str | None
    index: int  # position in the run's output: the order the lines reached the server


@dataclass(frozen=True)
class Lifetime:
    pid: int
    ppid: int | None
    name: str
    start: float
    end: float | None
    exitcode: int | None
    method: str | None  # how it was started: fork, spawn or forkserver


class Run:
    """The record of one run, indexed for the checks."""

    def __init__(self, result: RunResult, start_method: str) -> None:
        self.result = result
        self.start_method = start_method
        self.lines = {"stdout": _lines(result.output, "stdout"), "stderr": _lines(result.output, "stderr")}
        self.lifetimes = _lifetimes(result.events)
        main = [p for p in self.lifetimes if p.ppid is None]
        self.main_pid = main[0].pid if main else None
        self.children = [p for p in self.lifetimes if p.ppid is not None]

    def workers(self) -> list[Lifetime]:
        """The children that do the program's work: every child but a manager's server process."""
        return [p for p in self.children if not MANAGER_NAME.search(p.name)]

    def name_of(self, pid: int | None) -> str:
        if pid == self.main_pid:
            return "the main process"
        found = next((p.name for p in self.lifetimes if p.pid == pid), None)
        return found or "a process that multiprocessing did not start"


def _lines(chunks: list[OutputChunk], stream: str) -> list[Line]:
    """The stream's lines, each process's own put together: the runner may report a slow line
    in two chunks (its text, then its line break). A line counts from when it was complete."""
    found: list[Line] = []
    held: dict[int | None, tuple[str, str | None]] = {}  # pid -> (partial text, process name)
    for chunk in chunks:
        if chunk.stream != stream:
            continue
        text = held.pop(chunk.pid, ("", None))[0] + chunk.data
        *complete, rest = text.split("\n")
        for line in complete:
            found.append(Line(line, chunk.pid, chunk.process, len(found)))
        if rest:
            held[chunk.pid] = (rest, chunk.process)
    for pid, (rest, process) in held.items():
        found.append(Line(rest, pid, process, len(found)))
    return found


def _lifetimes(events: list[ProcessEvent]) -> list[Lifetime]:
    starts: dict[int, ProcessEvent] = {}
    done: list[Lifetime] = []
    for event in events:
        if event.event == "start":
            starts[event.pid] = event
        elif event.pid in starts:
            began = starts.pop(event.pid)
            done.append(Lifetime(event.pid, began.ppid, began.name, began.t, event.t, event.exitcode,
                                 began.start_method))
    done += [Lifetime(e.pid, e.ppid, e.name, e.t, None, None, e.start_method) for e in starts.values()]
    return sorted(done, key=lambda p: p.start)


# ---- helpers for the TOML tables ------------------------------------------------------


class Table:
    """A check's TOML table, read key by key so that unknown keys can be reported."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data
        self.read: set[str] = {"name", "type", "advice"}

    def get(self, key: str, kind: type | tuple[type, ...], default: Any = None, required: bool = False) -> Any:
        self.read.add(key)
        if key not in self.data:
            if required:
                raise CheckError(f"needs {key!r}")
            return default
        value = self.data[key]
        if not isinstance(value, kind) or isinstance(value, bool) and kind is int:
            names = " or ".join(k.__name__ for k in (kind if isinstance(kind, tuple) else (kind,)))
            raise CheckError(f"{key!r} must be {names}, not {value!r}")
        return value

    def regex(self, key: str, required: bool = True) -> re.Pattern[str] | None:
        text = self.get(key, str, required=required)
        if text is None:
            return None
        try:
            return re.compile(text)
        except re.error as error:
            raise CheckError(f"{key!r} is not a valid regular expression: {error}") from None

    def choice(self, key: str, options: tuple[str, ...], default: str) -> str:
        value = self.get(key, str, default)
        if value not in options:
            raise CheckError(f"{key!r} must be one of {', '.join(options)}, not {value!r}")
        return str(value)

    def unknown(self) -> list[str]:
        return sorted(set(self.data) - self.read)


def _quote(text: str) -> str:
    return f"“{text}”"


def _some(items: list[str]) -> str:
    shown = ", ".join(_quote(t) for t in items[:SHOWN])
    return shown + (f" and {len(items) - SHOWN} more" if len(items) > SHOWN else "")


def _count(n: int, noun: str, plural: str | None = None) -> str:
    return f"{n} {noun if n == 1 else plural or noun + 's'}"


def _all(n: int, noun: str, plural: str, verb: str = "was") -> str:
    """The start of a sentence about every one of ``n`` things: "The child was", "All 4 children were"."""
    return f"The {noun} {verb}" if n == 1 else f"All {n} {plural} {'were' if verb == 'was' else verb}"


def _between(low: int | None, high: int | None) -> str:
    if low is not None and high is not None:
        return f"exactly {low}" if low == high else f"between {low} and {high}"
    return f"at least {low}" if low is not None else f"at most {high}"


def _selected(run: Run, table_stream: str, who: str) -> list[Line]:
    lines = run.lines[table_stream]
    if who == "main":
        return [line for line in lines if line.pid == run.main_pid]
    if who == "children":
        return [line for line in lines if line.pid is not None and line.pid != run.main_pid]
    return lines


def _line_filter(table: Table) -> tuple[str, str]:
    stream = table.choice("stream", ("stdout", "stderr"), "stdout")
    return stream, table.choice("process", ("any", "main", "children"), "any")


def _range(table: Table) -> tuple[int | None, int | None]:
    exact = table.get("count", int)
    low, high = table.get("min", int), table.get("max", int)
    if exact is not None:
        if low is not None or high is not None:
            raise CheckError("give either 'count' or 'min'/'max', not both")
        return exact, exact
    if low is None and high is None:
        raise CheckError("needs 'count', 'min' or 'max'")
    return low, high


def _in_range(n: int, low: int | None, high: int | None) -> bool:
    return (low is None or n >= low) and (high is None or n <= high)


# ---- the kinds that read the run --------------------------------------------------------

Judge = Callable[[Run], Outcome]


PID_OF = re.compile(r"<pid of ([^<>]+)>")


def _lines_check(table: Table) -> Judge:
    """The lines as a multiset, equal to ``expect`` after the declared normalisation. In ``expect``,
    ``<pid of NAME>`` stands for the process id, in this run, of the process named NAME."""
    stream, who = _line_filter(table)
    expect = table.get("expect", str, required=True).strip("\n").splitlines()
    normalise = table.get("normalise", list, [])
    for name in normalise:
        if name not in NORMALISERS:
            raise CheckError(f"'normalise' takes {' and '.join(NORMALISERS)}, not {name!r}")

    def norm(text: str) -> str:
        for name, (pattern, token) in NORMALISERS.items():  # addresses before the numbers in them
            if name in normalise:
                text = pattern.sub(token, text)
        return text

    def judge(run: Run) -> Outcome:
        pids = {p.name: str(p.pid) for p in run.lifetimes}
        wanted = [PID_OF.sub(lambda m: pids.get(m[1], m[0]), text) for text in expect]
        got = Counter(norm(line.text) for line in _selected(run, stream, who))
        want = Counter(norm(text) for text in wanted)
        missing, extra = list((want - got).elements()), list((got - want).elements())
        if not missing and not extra:
            if len(expect) == 1:
                return Outcome(True, f"{_quote(wanted[0])} was printed, once.")
            return Outcome(True, f"The {len(expect)} expected lines were all printed, once each.")
        parts = []
        if missing:
            missed = _count(len(missing), "expected line was", "expected lines were")
            parts.append(f"{missed} not printed: {_some(missing)}")
        if extra:
            parts.append(f"{_count(len(extra), 'line was', 'lines were')} printed that should not be: {_some(extra)}")
        return Outcome(False, "; ".join(parts) + ".")

    return judge


def _count_check(table: Table) -> Judge:
    """A regular expression that must match a number of whole lines."""
    stream, who = _line_filter(table)
    pattern = table.regex("pattern")
    assert pattern is not None
    what = table.get("what", str, f"lines matching {_quote(pattern.pattern)}")
    low, high = _range(table)

    def judge(run: Run) -> Outcome:
        n = sum(1 for line in _selected(run, stream, who) if pattern.fullmatch(line.text))
        printed = f"{n} {what} {'was' if n == 1 else 'were'} printed"
        if _in_range(n, low, high):
            return Outcome(True, printed + ".")
        return Outcome(False, f"{printed}; there should be {_between(low, high)}.")

    return judge


def _each_once_check(table: Table) -> Judge:
    """Each of a set of items printed exactly once: the first group of ``pattern`` names the item."""
    stream, who = _line_filter(table)
    pattern = table.regex("pattern")
    assert pattern is not None
    if pattern.groups < 1:
        raise CheckError("'pattern' needs a group, (...), around the item")
    items = [str(item) for item in table.get("items", list, required=True)]

    def judge(run: Run) -> Outcome:
        seen = Counter(m.group(1) for line in _selected(run, stream, who) if (m := pattern.fullmatch(line.text)))
        never = [i for i in items if seen[i] == 0]
        twice = [i for i in items if seen[i] > 1]
        strangers = sorted(set(seen) - set(items))
        if not never and not twice and not strangers:
            return Outcome(True, f"One line for each of {_some(items)} was printed.")
        parts = []
        if never:
            parts.append(f"no line for {_some(never)} was printed")
        if twice:
            parts.append(f"more than one line for {_some(twice)} was printed")
        if strangers:
            parts.append(f"lines for {_some(strangers)} were printed, which should not be there")
        text = "; ".join(parts)
        return Outcome(False, text[0].upper() + text[1:] + ".")

    return judge


def _program_order_check(table: Table) -> Judge:
    """In each process, the lines matching ``sequence`` come in the sequence's order, all of them."""
    stream, who = _line_filter(table)
    raw = table.get("sequence", list, required=True)
    try:
        sequence = [re.compile(str(p)) for p in raw]
    except re.error as error:
        raise CheckError(f"'sequence' holds an invalid regular expression: {error}") from None

    def judge(run: Run) -> Outcome:
        per_process: dict[int | None, list[tuple[int, str]]] = {}
        for line in _selected(run, stream, who):
            step = next((i for i, p in enumerate(sequence) if p.fullmatch(line.text)), None)
            if step is not None:
                per_process.setdefault(line.pid, []).append((step, line.text))
        if not per_process:
            return Outcome(False, "No process printed any of the lines in the sequence.")
        for pid, steps in per_process.items():
            order = [s for s, _ in steps]
            if order != list(range(len(sequence))):
                texts = [t for _, t in steps]
                return Outcome(False, f"{run.name_of(pid).capitalize()} printed {_some(texts)}, in that order"
                               f"; each process should print {_count(len(sequence), 'line')} of the sequence"
                               " once, in order.")
        return Outcome(True, f"Each of {_count(len(per_process), 'process', 'processes')} printed its lines in order.")

    return judge


def _after_check(table: Table) -> Judge:
    """Every line matching ``last`` comes after every line matching ``first`` (a happens-before)."""
    stream, who = _line_filter(table)
    first, last = table.regex("first"), table.regex("last")
    assert first is not None and last is not None

    def judge(run: Run) -> Outcome:
        lines = _selected(run, stream, who)
        befores = [line for line in lines if first.fullmatch(line.text)]
        afters = [line for line in lines if last.fullmatch(line.text)]
        if not befores or not afters:
            lacking = _quote(first.pattern) if not befores else _quote(last.pattern)
            return Outcome(False, f"No line matching {lacking} was printed.")
        early = min(afters, key=lambda line: line.index)
        late = max(befores, key=lambda line: line.index)
        if early.index > late.index:
            return Outcome(True, f"{_quote(early.text)} came after all {_count(len(befores), 'line')} it must follow.")
        return Outcome(False, f"{_quote(early.text)} was printed before {_quote(late.text)}.")

    return judge


def _processes_check(table: Table) -> Judge:
    """The number of worker processes (every child but a manager's server) is in a range."""
    low, high = _range(table)

    def judge(run: Run) -> Outcome:
        n = len(run.workers())
        ran = f"{_count(n, 'child process', 'child processes')} ran" if n else "No child process ran"
        if _in_range(n, low, high):
            return Outcome(True, ran + ".")
        return Outcome(False, f"{ran}; there should be {_between(low, high)}.")

    return judge


def _parent_check(table: Table) -> Judge:
    """Every child was started by the main process."""

    def judge(run: Run) -> Outcome:
        if not run.children:
            return Outcome(False, "No child process ran.")
        for p in run.children:
            if p.ppid != run.main_pid:
                return Outcome(False, f"{p.name} was started by {run.name_of(p.ppid)}, not by the main process.")
        return Outcome(True, f"{_all(len(run.children), 'child', 'children')} started by the main process.")

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
        return Outcome(True, f"{_all(len(run.lifetimes), 'process', 'processes', 'ended')} with exit code 0.")

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
        ran = f"{_count(len(workers), 'process', 'processes')} ran"
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
            return Outcome(True, f"{_all(len(workers), 'child', 'children')} started by {method}.")
        how = other[0].method or "an unknown method"
        return Outcome(False, f"{other[0].name} was started by {how}, not by {method}.")

    return judge


RUN_KINDS: dict[str, Callable[[Table], Judge]] = {
    "lines": _lines_check, "count": _count_check, "each_once": _each_once_check,
    "program_order": _program_order_check, "after": _after_check,
    "processes": _processes_check, "parent": _parent_check, "exit_codes": _exit_codes_check,
    "overlap": _overlap_check, "start_method": _start_method_check,
}
