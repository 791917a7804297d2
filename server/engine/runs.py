"""What a run is asked and what it reports: the engine's vocabulary, shared by the runner and its callers.

A ``RunRequest`` (files, start method, ``Limits``) goes into ``Runner.start``; the
run reports through ``Callbacks`` and ends with a ``RunResult``. Nothing here
runs anything, so the web and the book import these names without the runner.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any, Protocol

from mpbook import settings
from mpbook.engine.stacks import Stack

START_METHODS = ("fork", "spawn", "forkserver")
# Why a run ended; docs/protocol.md says what each means.
REASONS = ("ok", "error", "timeout", "memory", "processes", "output", "stopped")


def _limits(values: dict[str, Any]) -> dict[str, Any]:
    """Limits' fields, in bytes and seconds, from settings in their own units (MiB, KiB)."""
    return {
        "wall_seconds": float(values["wall_seconds"]), "cpu_seconds": int(values["cpu_seconds"]),
        "memory_bytes": int(values["memory_mb"]) * 2**20, "processes": int(values["processes"]),
        "output_bytes": int(values["output_kb"]) * 1024, "file_bytes": int(values["file_mb"]) * 2**20,
        "open_files": int(values["open_files"]), "source_bytes": int(values["source_kb"]) * 1024,
        "tmp_bytes": int(values["tmp_mb"]) * 2**20, "input_bytes": int(values["input_kb"]) * 1024,
    }


_DEFAULTS = _limits({s.name: s.default for s in settings.SETTINGS})


@dataclass(frozen=True)
class Limits:
    """What one run may use. Every field is enforced; docs/sandbox.md says by what.

    The defaults are the settings' defaults (settings.py owns them); ``from_settings``
    makes the limits of a configured server."""

    wall_seconds: float = _DEFAULTS["wall_seconds"]
    cpu_seconds: int = _DEFAULTS["cpu_seconds"]
    memory_bytes: int = _DEFAULTS["memory_bytes"]  # whole run
    processes: int = _DEFAULTS["processes"]  # whole run, processes+threads
    output_bytes: int = _DEFAULTS["output_bytes"]  # stdout+stderr streamed
    file_bytes: int = _DEFAULTS["file_bytes"]  # RLIMIT_FSIZE
    open_files: int = _DEFAULTS["open_files"]
    source_bytes: int = _DEFAULTS["source_bytes"]  # total size of files sent
    tmp_bytes: int = _DEFAULTS["tmp_bytes"]  # /tmp, /dev/shm and working dir tmpfs sizes, each
    input_bytes: int = _DEFAULTS["input_bytes"]  # the reader's input to stdin, in all

    @classmethod
    def from_settings(cls, values: dict[str, Any]) -> Limits:
        """The run limits the settings ``values`` ask for."""
        return cls(**_limits(values))

    def within(self, timeout: float | None) -> Limits:
        """These limits for a program that declares its own wall-time ``timeout`` (an example,
        an exercise): the shorter of the two wins."""
        return dataclasses.replace(self, wall_seconds=min(timeout, self.wall_seconds)) if timeout else self

    def as_dict(self) -> dict[str, float | int]:
        return dataclasses.asdict(self)


class RunnerError(Exception):
    """The runner cannot take this run."""


class SourceTooLarge(RunnerError):
    """The program's files exceed ``Limits.source_bytes``."""


class InputRefused(RunnerError):
    """The run takes no more input: ``closed`` (over, or its stdin ended) or too much of it."""

    def __init__(self, message: str, closed: bool) -> None:
        super().__init__(message)
        self.closed = closed


@dataclass(frozen=True)
class RunRequest:
    """A program to run: ``files`` must include "main.py"; paths are relative."""

    files: Mapping[str, bytes | str]  # text is sent as UTF-8
    start_method: str | None = None  # None = the platform's default
    limits: Limits = Limits()
    jitter: int | None = None  # seed of the delays injected at synchronisation points (a Check)
    interactive: bool = False  # keep stdin open for Run.write_input; else it is at end of file at once

    def __post_init__(self) -> None:
        if "main.py" not in self.files:
            raise ValueError("The program needs a file named main.py.")
        for path in self.files:
            parts = PurePosixPath(path).parts
            if not path or "\0" in path or path.startswith("/") or ".." in parts:
                raise ValueError(f"The file name {path!r} must be a relative path inside the program's folder.")
        if self.start_method is not None and self.start_method not in START_METHODS:
            raise ValueError(f"The start method must be one of {', '.join(START_METHODS)}, not {self.start_method!r}.")
        size = sum(len(data) for data in self.files.values())
        if size > self.limits.source_bytes:
            raise SourceTooLarge(f"The program is {-(-size // 1024)} KiB; this server takes up to "
                                 f"{self.limits.source_bytes // 1024} KiB.")


@dataclass(frozen=True)
class StartedInfo:
    run_id: str
    backend: str  # "bwrap" or "basic"
    contained: bool
    cgroup: bool  # whole-run memory and process limits in force
    warm: bool  # a pre-started sandbox took the run
    start_method: str  # the effective default start method
    limits: dict[str, float | int]
    enforcement: dict[str, str]  # limit name -> what enforces it
    python: str  # the version of the interpreter that runs the program, e.g. "3.12.1"
    note: str = ""  # why this run has no cgroup although the server has cgroups ("" otherwise)


@dataclass(frozen=True)
class OutputChunk:
    stream: str
    data: str
    pid: int | None
    process: str | None
    t: float


@dataclass(frozen=True)
class ProcessEvent:
    event: str  # "start" or "exit"
    pid: int
    ppid: int | None
    name: str
    t: float
    exitcode: int | None
    start_method: str | None = None  # how a child was started: fork, spawn, forkserver


@dataclass(frozen=True)
class RunResult:
    exit_code: int | None  # negative: killed by that signal; None: the runner killed it
    reason: str  # "ok","error","timeout","memory","processes","output","stopped"
    stdout: str
    stderr: str
    output: list[OutputChunk]
    events: list[ProcessEvent]
    duration_ms: float
    stacks: list[Stack] = dataclasses.field(default_factory=list)  # every answer of every round


class Callbacks(Protocol):
    """What a run reports, on the run's thread. ``t`` is milliseconds since ``Runner.start``."""

    def on_started(self, info: StartedInfo) -> None: ...

    def on_output(self, stream: str, data: str, pid: int | None, process: str | None, t: float) -> None: ...

    def on_process(self, event: str, pid: int, ppid: int | None, name: str, t: float, exitcode: int | None) -> None: ...

    def on_stack(self, pid: int, process: str, text: str | None, t: float) -> None: ...

    def on_usage(self, t: float, cpu: float, memory: int) -> None: ...

    def on_input(self, pid: int, waiting: bool, t: float) -> None: ...

    def on_exit(self, code: int | None, reason: str, t: float) -> None: ...


class QuietCallbacks:
    """Callbacks that do nothing, for runs read through their RunResult instead."""

    def on_started(self, info: StartedInfo) -> None:
        pass

    def on_output(self, stream: str, data: str, pid: int | None, process: str | None, t: float) -> None:
        pass

    def on_process(self, event: str, pid: int, ppid: int | None, name: str, t: float, exitcode: int | None) -> None:
        pass

    def on_stack(self, pid: int, process: str, text: str | None, t: float) -> None:
        pass

    def on_usage(self, t: float, cpu: float, memory: int) -> None:
        pass

    def on_input(self, pid: int, waiting: bool, t: float) -> None:
        pass

    def on_exit(self, code: int | None, reason: str, t: float) -> None:
        pass
