"""Asking the processes of a run for their stacks, and collecting the answers.

The runtime (runtime/sitecustomize.py) answers ``stack_signal()`` in every
Python process of a run by writing its threads' stacks as STACK records on the
record pipe. A round signals every process that catches that signal (its
``SigCgt`` in /proc says so: other programs, whose default action for the
signal is to die, are never sent it), then gathers the records by pid until each
has answered or the grace is over. What did not answer is reported as such.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from mpbook.engine import wire
from mpbook.engine.runtime.sitecustomize import stack_signal

GRACE_SECONDS = 0.5  # how long a round waits: answers take milliseconds when idle, 100 ms and more when busy


@dataclass(frozen=True)
class Stack:
    """One process's answer. ``pid`` is the pid the program sees (as in output frames)."""

    pid: int
    process: str  # its multiprocessing name, or "resource tracker", "forkserver"
    text: str | None  # faulthandler's layout; None: it did not answer within the grace
    t: float  # ms since the run started


@dataclass(frozen=True)
class Target:
    """A process to ask: its host pid (to signal) and the pid it sees."""

    host_pid: int
    pid: int


def targets(host_pids: set[int]) -> list[Target]:
    """The live processes among ``host_pids`` that catch the stack signal, oldest pid first."""
    bit = 1 << (stack_signal() - 1)
    found = []
    for host_pid in sorted(host_pids):
        try:
            status = Path(f"/proc/{host_pid}/status").read_text()
        except OSError:
            continue  # gone meanwhile
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        if fields.get("State", "").split()[:1] in (["Z"], ["X"]):
            continue
        if not int(fields.get("SigCgt", "0").strip(), 16) & bit:
            continue
        # NSpid lists the pid in each pid namespace, innermost last: what the program sees.
        pid = int((fields.get("NSpid") or fields.get("Pid", str(host_pid))).split()[-1])
        found.append(Target(host_pid, pid))
    return found


def ask(found: list[Target]) -> list[Target]:
    """Send the stack signal to each target; those it reached."""
    signum = stack_signal()
    reached = []
    for target in found:
        try:
            os.kill(target.host_pid, signum)
            reached.append(target)
        except (ProcessLookupError, PermissionError):
            pass
    return reached


@dataclass
class Round:
    """One request for stacks, from the moment the processes were signalled to the last answer."""

    then: tuple[str, bool] | None = None  # end the run afterwards: (reason, polite)
    asked: dict[int, str] = field(default_factory=dict)  # pid -> name known so far
    deadline: float = 0.0  # time.monotonic()
    answers: list[Stack] = field(default_factory=list)
    done: threading.Event = field(default_factory=threading.Event)
    _pieces: dict[int, bytearray] = field(default_factory=dict)

    def start(self, found: list[Target], names: dict[int, str]) -> None:
        self.asked = {target.pid: names.get(target.pid, "process") for target in found}
        self.deadline = time.monotonic() + GRACE_SECONDS

    def piece(self, pid: int, name: str, data: bytes, last: bool, t: float) -> Stack | None:
        """Take one STACK record; the process's whole answer once its last piece came."""
        if pid not in self.asked or any(answer.pid == pid for answer in self.answers):
            return None  # started after the signals went out, answering twice, or made up by the program
        buffer = self._pieces.setdefault(pid, bytearray())
        if len(buffer) < wire.STACK_BYTES:  # the runtime cuts a dump there; more is not from it
            buffer += data[:wire.STACK_BYTES - len(buffer)]
        if not last:
            return None
        del self._pieces[pid]
        stack = Stack(pid, name, buffer.decode("utf-8", "replace"), t)
        self.answers.append(stack)
        return stack

    def complete(self) -> bool:
        return len(self.answers) >= len(self.asked)

    def silent(self, t: float) -> list[Stack]:
        """Every asked process that has not answered, as a Stack without text."""
        answered = {answer.pid for answer in self.answers}
        missing = [Stack(pid, name, None, t) for pid, name in self.asked.items() if pid not in answered]
        self.answers += missing
        return missing
