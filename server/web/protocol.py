"""Every frame the server sends over the run socket (docs/protocol.md), and the words in them.

Each frame type is one row of ``FRAMES``: its ``type`` and the names of its
fields, in the order docs/protocol.md lists them (a test holds the two together).
The frequent frames have their own builders; a new frame type gets its row here
and is built with ``frame(type, **fields)``, which checks the fields against it.
The exit wording lives here and nowhere else: the page shows ``exit.message``.
"""

from __future__ import annotations

from typing import Any

from mpbook.engine.runs import Limits, StartedInfo

Frame = dict[str, Any]

FRAMES: dict[str, tuple[str, ...]] = {
    "hello": ("sandbox", "contained", "editing", "start_methods", "default_start_method", "python"),
    "queued": ("position",),
    "started": ("run", "example", "sandbox", "limits", "start_method", "python", "note"),
    "output": ("stream", "data", "t", "pid", "process"),
    "process": ("event", "pid", "ppid", "name", "t", "exitcode"),
    "stack": ("pid", "process", "text", "t"),
    "usage": ("t", "cpu", "memory"),
    "input": ("pid", "waiting", "t"),
    "exit": ("code", "reason", "t", "message"),
    "error": ("code", "message"),
    "pong": (),
    "check": ("exercise", "passed", "results", "seed"),
}

# The codes of an "error" frame: why the last client frame could not be honoured.
ERROR_CODES = ("bad_request", "unknown_example", "unknown_exercise", "too_large", "busy", "forbidden", "rate_limited",
               "not_running", "input_closed", "internal")


def frame(kind: str, **fields: Any) -> Frame:
    """A frame of type ``kind`` with exactly the fields its row of FRAMES names."""
    expected = FRAMES.get(kind)
    if expected is None:
        raise ValueError(f"no frame type {kind!r} in protocol.FRAMES")
    if set(fields) != set(expected):
        raise ValueError(f"a {kind!r} frame has the fields {expected}, not {tuple(fields)}")
    return {"type": kind, **fields}


def hello(sandbox: str, contained: bool, editing: bool, start_methods: tuple[str, ...],
          default_start_method: str, python: str) -> Frame:
    """The first frame of every connection; ``python`` is the version that runs readers' programs."""
    return {"type": "hello", "sandbox": sandbox, "contained": contained, "editing": editing,
            "start_methods": list(start_methods), "default_start_method": default_start_method, "python": python}


def queued(position: int) -> Frame:
    return {"type": "queued", "position": position}


def started(info: StartedInfo, example: str, start_method: str | None) -> Frame:
    """The run is starting; ``start_method`` is the one asked for, else the platform's default."""
    return {"type": "started", "run": info.run_id, "example": example, "sandbox": info.backend,
            "limits": info.limits, "start_method": start_method or info.start_method, "python": info.python,
            "note": f"This run's memory and process limits hold for each process, not the run as a whole: {info.note}."
            if info.note else ""}


def output(stream: str, data: str, t: float, pid: int | None, process: str | None) -> Frame:
    return {"type": "output", "stream": stream, "data": data, "t": round(t, 1), "pid": pid, "process": process}


def process(event: str, pid: int, ppid: int | None, name: str, t: float, exitcode: int | None) -> Frame:
    return {"type": "process", "event": event, "pid": pid, "ppid": ppid, "name": name, "t": round(t, 1),
            "exitcode": exitcode}


def stack(pid: int, process: str, text: str | None, t: float) -> Frame:
    """One process's stack (``text`` None: it did not answer within the grace)."""
    return {"type": "stack", "pid": pid, "process": process, "text": text, "t": round(t, 1)}


def usage(t: float, cpu: float, memory: int) -> Frame:
    """Cores the run kept busy over the last interval, and the memory it holds."""
    return {"type": "usage", "t": round(t, 1), "cpu": cpu, "memory": memory}


def waiting_for_input(pid: int, waiting: bool, t: float) -> Frame:
    """Process ``pid`` blocks reading its stdin (``waiting``), or has read."""
    return {"type": "input", "pid": pid, "waiting": waiting, "t": round(t, 1)}


def exit_frame(code: int | None, reason: str, t: float, limits: Limits) -> Frame:
    """The run is over: how, in ``reason`` and in plain words for the page's status line."""
    return {"type": "exit", "code": code, "reason": reason, "t": round(t, 1),
            "message": exit_message(reason, limits)}


def left_queue() -> Frame:
    """The exit frame of a run stopped before it left the queue."""
    return {"type": "exit", "code": None, "reason": "stopped", "t": 0, "message": "Stopped by you before it started"}


def error(code: str, message: str) -> Frame:
    """The last client frame could not be honoured, for ``message`` (plain words)."""
    if code not in ERROR_CODES:
        raise ValueError(f"no error code {code!r} in protocol.ERROR_CODES")
    return {"type": "error", "code": code, "message": message}


def pong() -> Frame:
    return {"type": "pong"}


def check(exercise: str, passed: bool, results: list[dict[str, Any]], seed: int) -> Frame:
    """The last frame of a Check: one {"name", "passed", "message"} per check, and the delays' seed."""
    return {"type": "check", "exercise": exercise, "passed": passed, "results": results, "seed": seed}


def exit_message(reason: str, limits: Limits) -> str:
    """How a run ended, as the page's status line says it (the page adds the exit code and the time)."""
    messages = {
        "ok": "Finished",
        "error": "Exited with an error",
        "timeout": f"Stopped after {limits.wall_seconds:g} s wall time",
        "memory": f"Stopped: the run used more than its memory ({limits.memory_bytes // 2**20} MiB)",
        "processes": f"Stopped: too many processes (limit {limits.processes})",
        "output": f"Output cut after {limits.output_bytes // 1024} KiB",
        "stopped": "Stopped by you",
    }
    return messages.get(reason, f"Ended ({reason})")
