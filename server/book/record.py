"""What the checks of an exercise read: the record of one finished run, indexed (``Run``: each
process's whole lines, each process's lifetime), a check's TOML table read key by key
(``Table``), and the plain words the checks' messages share."""

from __future__ import annotations

import re
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


def quote(text: str) -> str:
    return f"“{text}”"


def some(items: list[str]) -> str:
    shown = ", ".join(quote(t) for t in items[:SHOWN])
    return shown + (f" and {len(items) - SHOWN} more" if len(items) > SHOWN else "")


def count(n: int, noun: str, plural: str | None = None) -> str:
    return f"{n} {noun if n == 1 else plural or noun + 's'}"


def every(n: int, noun: str, plural: str, verb: str = "was") -> str:
    """The start of a sentence about every one of ``n`` things: "The child was", "All 4 children were"."""
    return f"The {noun} {verb}" if n == 1 else f"All {n} {plural} {'were' if verb == 'was' else verb}"


def between(low: int | None, high: int | None) -> str:
    if low is not None and high is not None:
        return f"exactly {low}" if low == high else f"between {low} and {high}"
    return f"at least {low}" if low is not None else f"at most {high}"


def selected(run: Run, table_stream: str, who: str) -> list[Line]:
    lines = run.lines[table_stream]
    if who == "main":
        return [line for line in lines if line.pid == run.main_pid]
    if who == "children":
        return [line for line in lines if line.pid is not None and line.pid != run.main_pid]
    return lines


def line_filter(table: Table) -> tuple[str, str]:
    stream = table.choice("stream", ("stdout", "stderr"), "stdout")
    return stream, table.choice("process", ("any", "main", "children"), "any")


def count_range(table: Table) -> tuple[int | None, int | None]:
    exact = table.get("count", int)
    low, high = table.get("min", int), table.get("max", int)
    if exact is not None:
        if low is not None or high is not None:
            raise CheckError("give either 'count' or 'min'/'max', not both")
        return exact, exact
    if low is None and high is None:
        raise CheckError("needs 'count', 'min' or 'max'")
    return low, high


def in_range(n: int, low: int | None, high: int | None) -> bool:
    return (low is None or n >= low) and (high is None or n <= high)


# ---- the kinds that read the run --------------------------------------------------------


Judge = Callable[[Run], Outcome]
