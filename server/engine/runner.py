"""The process manager: runs readers' programs in sandboxes and streams what they do.

Knows nothing of the web: a run reports through ``Callbacks``, on its own thread.
Each run takes a pre-started sandbox from a small warm pool (or starts one),
sends it the program, then reads three pipes until every process of the run is
gone: the record pipe (tagged output, process events, stack dumps and input
waits, see runtime/sitecustomize.py) and the untagged fds 1 and 2. It enforces
the wall time, the output cap, and ends the run when a cgroup limit is hit. On
the way it samples the run's CPU and memory (usage.py), asks its processes for
their stacks when asked and before ending a run for its time or a Stop
(stacks.py), and passes the reader's input to the main process's stdin.
"""

from __future__ import annotations

import codecs
import dataclasses
import logging
import marshal
import os
import re
import selectors
import signal
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any, Protocol

from mpbook.engine import pool, stacks, usage, wire
from mpbook.engine.rlimit_watch import RlimitWatch
from mpbook.engine.sandbox import Backend, Sandbox
from mpbook.engine.stacks import Round, Stack

log = logging.getLogger(__name__)

START_METHODS = ("fork", "spawn", "forkserver")
# Why a run ended; docs/protocol.md says what each means.
REASONS = ("ok", "error", "timeout", "memory", "processes", "output", "stopped")
STOP_GRACE_SECONDS = 0.5  # between the polite SIGINT of stop() and SIGKILL
DRAIN_SECONDS = 2.0  # to read what is left in the pipes once the run is over
TICK_SECONDS = 0.05  # how often a run checks its clock and its cgroup
REFILL_BACKOFF_FIRST = 1.0  # seconds before the refill tries again after a failed start, doubling
REFILL_BACKOFF_MAX = 60.0
SETTLE_SECONDS = 0.05  # longest a refill waits for starting runs (see Runner._refill)
STREAMS = {wire.STDOUT: "stdout", wire.STDERR: "stderr"}


@dataclass(frozen=True)
class Limits:
    """What one run may use. Every field is enforced; docs/sandbox.md says by what."""

    wall_seconds: float = 10.0
    cpu_seconds: int = 10
    memory_bytes: int = 256 * 2**20  # whole run
    processes: int = 64  # whole run, processes+threads
    output_bytes: int = 256 * 2**10  # stdout+stderr streamed
    file_bytes: int = 8 * 2**20  # RLIMIT_FSIZE
    open_files: int = 256
    source_bytes: int = 64 * 2**10  # total size of files sent
    tmp_bytes: int = 32 * 2**20  # /tmp, /dev/shm and working dir tmpfs sizes, each
    input_bytes: int = 64 * 2**10  # the reader's input to stdin, in all

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


class Runner:
    """Starts runs; keeps ``warm`` sandboxes started ahead, with tmpfs of ``tmp_bytes``, and up to
    ``most`` after a burst of runs (pool.py; ``warm=0``: none). Thread-safe.

    A run whose ``Limits.tmp_bytes`` differs from the pool's shape starts its own
    sandbox, and the pool re-warms in the new shape."""

    def __init__(self, backend: Backend, warm: int = 1, tmp_bytes: int = Limits.tmp_bytes,
                 most: int | None = None) -> None:
        self.backend = backend
        self.warm = max(0, warm)
        self._demand = pool.Demand(self.warm, self.warm if most is None else most)
        self._pool: list[Sandbox] = []
        self._shape = tmp_bytes  # tmpfs size is fixed when a sandbox starts
        self._changed = threading.Condition()
        self._closed = False
        self._runs: set[Run] = set()
        # bwrap's --die-with-parent follows the thread that started it, so warm
        # sandboxes are started by one thread that lives as long as the pool.
        self._refiller = threading.Thread(target=self._refill, name="mpbook-warm", daemon=True)
        if self.warm:
            self._refiller.start()

    def start(self, request: RunRequest, callbacks: Callbacks) -> Run:
        """Start ``request`` and return at once; its output flows on the run's thread."""
        with self._changed:
            if self._closed:
                raise RunnerError("The runner is closed.")
            sandbox, stale = self._take(request.limits.tmp_bytes)
            self._demand.started(time.monotonic())
            run = Run(self, request, callbacks, sandbox)
            self._runs.add(run)
            self._changed.notify_all()
        for old in stale:
            _discard(old)
        run._thread.start()
        return run

    def close(self) -> None:
        """Stop every run, kill the warm sandboxes, release the cgroup parent."""
        with self._changed:
            self._closed = True
            waiting, self._pool = self._pool, []
            runs = list(self._runs)
            self._changed.notify_all()
        for sandbox in waiting:
            _discard(sandbox)
        for run in runs:
            run._end("stopped")
        for run in runs:
            run.wait(DRAIN_SECONDS + 10)
        if self._refiller.is_alive():
            self._refiller.join()
        if self.backend.cgroups is not None:
            self.backend.cgroups.release()

    def _take(self, tmp_bytes: int) -> tuple[Sandbox | None, list[Sandbox]]:
        """A live warm sandbox of the right shape, and the sandboxes to discard (lock held)."""
        if tmp_bytes != self._shape:
            # Requests changed shape: re-warm for the new one.
            self._shape, stale, self._pool = tmp_bytes, self._pool, []
            return None, stale
        stale = []
        while self._pool:
            sandbox = self._pool.pop(0)
            if sandbox.popen.poll() is None:
                return sandbox, stale
            stale.append(sandbox)
        return None, stale

    def _refill(self) -> None:
        failures, backoff = 0, REFILL_BACKOFF_FIRST
        while True:
            with self._changed:
                while not self._closed and len(self._pool) >= (target := self._demand.target(time.monotonic())):
                    if len(self._pool) > target:  # the burst is long past: let the extra sandboxes go
                        stale, self._pool = self._pool[target:], self._pool[:target]
                        self._changed.release()
                        try:
                            for sandbox in stale:
                                _discard(sandbox)
                        finally:
                            self._changed.acquire()
                    self._changed.wait(pool.MEMORY_SECONDS / 4)
                # Starting a sandbox keeps a core busy for tens of milliseconds. Runs
                # that just started need the cores for their first output, which is
                # what the reader waits for: let them print (or end) first, for at
                # most SETTLE_SECONDS, so that a stream of runs cannot starve the pool.
                deadline = time.monotonic() + SETTLE_SECONDS
                while not self._closed and (pause := min(self._starting(), deadline - time.monotonic())) > 0:
                    self._changed.wait(pause)
                if self._closed:
                    return
                shape = self._shape
            try:
                sandbox = self.backend.launch(shape)
            except Exception as error:
                # The traceback once; then one line at each (doubling) wait, up to REFILL_BACKOFF_MAX.
                if failures == 0:
                    log.exception("could not start a warm sandbox; retrying in %g s", backoff)
                else:
                    log.warning("still cannot start a warm sandbox (%d tries): %s; retrying in %g s",
                                failures + 1, error, backoff)
                failures += 1
                with self._changed:
                    self._changed.wait(backoff)
                backoff = min(backoff * 2, REFILL_BACKOFF_MAX)
                continue
            if failures:
                log.warning("warm sandboxes start again after %d failed tries", failures)
            failures, backoff = 0, REFILL_BACKOFF_FIRST
            with self._changed:
                keep = not self._closed and shape == self._shape
                if keep:
                    self._pool.append(sandbox)
            if not keep:
                _discard(sandbox)

    def _starting(self) -> float:
        """Seconds until no run is still starting: every run has printed, ended or had
        SETTLE_SECONDS (lock held)."""
        now = time.perf_counter()
        return max((run._t0 + SETTLE_SECONDS - now for run in self._runs if not run._settled), default=0.0)

    def _printed(self, run: Run) -> None:
        """``run`` has printed: it no longer holds back the refill."""
        with self._changed:
            run._settled = True
            self._changed.notify_all()

    def _finished(self, run: Run) -> None:
        with self._changed:
            self._runs.discard(run)
            self._changed.notify_all()


def _discard(sandbox: Sandbox) -> None:
    """Kill an unused sandbox and release everything it holds."""
    sandbox.kill()
    try:
        sandbox.finish()
    finally:
        sandbox.close()


class Run:
    """One program running in one sandbox. ``stop()`` and ``wait()`` may be called from any thread."""

    def __init__(self, runner: Runner, request: RunRequest, callbacks: Callbacks, sandbox: Sandbox | None) -> None:
        self.id = uuid.uuid4().hex[:12]
        self.request = request
        self._runner = runner
        self._callbacks = callbacks
        self._sandbox = sandbox
        self._warm = sandbox is not None
        self._t0 = time.perf_counter()
        self._settled = False  # has printed (set under the runner's lock; see Runner._refill)
        self._lock = threading.Lock()
        self._reason: str | None = None  # why the runner ended the run, first one wins
        self._kill_at: float | None = None
        self._main_alive_at_kill = False
        self._done = threading.Event()
        self._result: RunResult | None = None
        self._output: list[OutputChunk] = []
        self._events: list[ProcessEvent] = []
        self._output_left = request.limits.output_bytes
        self._decoders: dict[tuple[str, int | None], codecs.IncrementalDecoder] = {}
        self._partials: dict[tuple[str, int | None], tuple[str | None, str, float]] = {}  # name, text, t
        self._started: dict[int, tuple[int | None, str]] = {}  # pid -> (ppid, name), until it exits
        self._records = bytearray()
        self._rounds_open = True  # until the run's thread stops reading the pipes
        self._wanted: list[stacks.Round] = []  # asked for, not started yet
        self._round: stacks.Round | None = None  # signalled, collecting answers
        self._ending = False  # a round that ends the run is under way: the next stop() is at once
        self._stacks: list[Stack] = []
        self._input: bytearray | None = bytearray() if request.interactive else None  # until sent
        self._input_left = request.limits.input_bytes
        self._watch: RlimitWatch  # set when the run starts (_run)
        self._thread = threading.Thread(target=self._main, name=f"mpbook-run-{self.id}", daemon=True)

    def stop(self) -> None:
        """Ctrl-C for the run: first every process's stack (within stacks.GRACE_SECONDS), then
        SIGINT to its processes, SIGKILL to all after a grace period. A second stop() does not wait."""
        if not self._ask(stacks.Round(then=("stopped", True))):
            self._end("stopped", polite=True)

    def stacks(self, timeout: float = stacks.GRACE_SECONDS + 1) -> list[Stack]:
        """Ask every live process of the run for its stack; the answers (each also reported to
        ``on_stack``), with ``text=None`` for a process that did not answer in the grace."""
        request = stacks.Round()
        if not self._ask(request):
            return []
        request.done.wait(timeout)
        return list(request.answers)

    def request_stacks(self) -> bool:
        """Ask for the stacks without waiting; they come to ``on_stack``. False if the run is over."""
        return self._ask(stacks.Round())

    def _ask(self, request: Round) -> bool:
        """Queue a round for the run's thread; False if the run is over (or, for a round that
        ends the run, if one is already under way)."""
        with self._lock:
            if self._reason is not None or not self._rounds_open or (request.then and self._ending):
                return False
            self._ending = self._ending or request.then is not None
            self._wanted.append(request)
            return True

    def write_input(self, data: bytes) -> None:
        """Pass the reader's ``data`` to the main process's stdin (an interactive run's)."""
        with self._lock:
            sandbox = self._sandbox
            if not self.request.interactive or self._reason is not None or self._done.is_set():
                raise InputRefused("The run is over; it takes no more input.", closed=True)
            if self._input_left < 0:
                raise InputRefused("The program's input is closed.", closed=True)
            if len(data) > self._input_left:
                limit = self.request.limits.input_bytes
                raise InputRefused(f"A run takes at most {limit // 1024} KiB of input.", closed=False)
            self._input_left -= len(data)
            if self._input is not None:  # the program has not been sent yet
                self._input += data
                return
            assert sandbox is not None
            try:
                written = sandbox.write_input(data)
            except BlockingIOError:
                written = 0
            except (OSError, ValueError):
                self._input_left = -1
                raise InputRefused("The program's input is closed: its main process has ended.", closed=True) from None
        if written < len(data):
            raise InputRefused(f"The program is not reading its input; {len(data) - written} bytes were not sent.",
                               closed=False)

    def close_input(self) -> None:
        """End of file on the main process's stdin."""
        with self._lock:
            if not self.request.interactive or self._input_left < 0 or self._done.is_set():
                raise InputRefused("The program's input is already closed.", closed=True)
            self._input_left = -1
            if self._input is None and self._sandbox is not None:
                self._sandbox.close_input()

    def wait(self, timeout: float | None = None) -> bool:
        """True once the run is over (``on_exit`` was called)."""
        return self._done.wait(timeout)

    @property
    def result(self) -> RunResult:
        if self._result is None:
            raise RunnerError("The run has not ended yet.")
        return self._result

    def _now(self) -> float:
        return (time.perf_counter() - self._t0) * 1000

    def _end(self, reason: str, polite: bool = False) -> None:
        """End the run for ``reason`` (the first reason given wins)."""
        with self._lock:
            if self._reason is not None:
                return
            self._reason = reason
            sandbox = self._sandbox
            self._kill_at = time.monotonic() + (STOP_GRACE_SECONDS if polite else 0)
        if sandbox is not None and polite:
            sandbox.interrupt()

    def _call(self, name: str, *args: Any) -> None:
        """Report to the callback ``name``; callbacks written before it existed just miss it."""
        callback: Callable[..., None] | None = getattr(self._callbacks, name, None)
        if callback is None:
            return
        try:
            callback(*args)
        except Exception:
            log.exception("run %s: callback %s failed", self.id, name)

    def _main(self) -> None:
        code: int | None = None
        try:
            sandbox = self._sandbox or self._runner.backend.launch(self.request.limits.tmp_bytes)
            with self._lock:
                self._sandbox = sandbox
            try:
                code = self._run(sandbox)
            except BaseException:
                sandbox.kill()
                sandbox.finish()
                raise
            finally:
                sandbox.close()
        except Exception as error:
            log.exception("run %s failed", self.id)
            self._deliver([("stderr", None, None, f"\n[the sandbox failed: {error}]\n".encode())])
            self._reason = self._reason or "error"
        self._finish(code)

    def _run(self, sandbox: Sandbox) -> int | None:
        limits = self.request.limits
        backend = self._runner.backend
        cgroup = sandbox.cgroup
        if cgroup is not None:
            cgroup.set_limits(limits.memory_bytes, limits.processes + backend.overhead)
        memory_by_cgroup = cgroup is not None and "memory" in cgroup.by_controller
        rt = backend.runtime()
        self._call("on_started", StartedInfo(
            run_id=self.id, backend=backend.name, contained=backend.is_contained, cgroup=cgroup is not None,
            warm=self._warm, start_method=self.request.start_method or rt.default_start_method,
            limits=limits.as_dict(), enforcement=backend.enforcement(sandbox), python=rt.version,
            note=sandbox.cgroup_problem,
        ))
        nproc = backend.nproc_limit(limits.processes)
        self._watch = RlimitWatch(sandbox, nproc if cgroup is None or "pids" not in cgroup.by_controller else None,
                                  not memory_by_cgroup)
        if self._reason is None:
            sandbox.send(marshal.dumps({  # format 4: what every supported Python reads
                "files": {path: data.encode() if isinstance(data, str) else bytes(data)
                          for path, data in self.request.files.items()},
                "start_method": self.request.start_method,
                "jitter": self.request.jitter,
                "limits": {"cpu": limits.cpu_seconds, "fsize": limits.file_bytes, "nofile": limits.open_files,
                           "nproc": nproc,
                           "as": None if memory_by_cgroup else limits.memory_bytes},
            }, 4), keep_input=self.request.interactive)
        self._send_early_input(sandbox)
        self._pump(sandbox)
        code = sandbox.finish()
        hit = cgroup.limit_hit() if cgroup else None
        if hit is None and code not in (0, -signal.SIGXCPU) and \
                self._watch.memory_hit(c.data for c in self._output if c.stream == "stderr"):
            hit = "memory"
        if self._reason is None:
            self._reason = hit or ("timeout" if code == -signal.SIGXCPU else "ok" if code == 0 else "error")
        return None if self._main_alive_at_kill else code

    def _send_early_input(self, sandbox: Sandbox) -> None:
        """Write the input that came before the program was sent (an interactive run's)."""
        with self._lock:
            early, self._input = self._input, None
            if early is None:
                return
            try:
                if early:
                    sandbox.write_input(bytes(early))  # within input_bytes, which a pipe holds
                if self._input_left < 0:
                    sandbox.close_input()
            except (OSError, ValueError):
                pass  # the sandbox died; the run will see it end

    def _serve_stacks(self, sandbox: Sandbox, now: float) -> None:
        """Finish the round in progress once all answered or its grace is over; start the next."""
        current = self._round
        if current is not None and (current.complete() or now >= current.deadline):
            for stack in current.silent(self._now()):
                self._report_stack(stack)
            self._round = None
            current.done.set()
            if current.then is not None:
                self._end(*current.then)
        if self._round is None and self._wanted:
            with self._lock:
                request = self._wanted.pop(0)
            names = {pid: name for pid, (_, name) in self._started.items()}
            request.start(stacks.ask(stacks.targets(sandbox.members() - sandbox.backend.infrastructure(sandbox))),
                          names)
            self._round = request
            if request.complete():  # nobody to ask
                self._serve_stacks(sandbox, now)

    def _report_stack(self, stack: Stack) -> None:
        self._stacks.append(stack)
        self._call("on_stack", stack.pid, stack.process, stack.text, stack.t)

    def _close_rounds(self) -> None:
        """The run is over: answer every waiting request with what it has."""
        with self._lock:
            pending, self._wanted = self._wanted, []
            self._rounds_open = False
        for request in ([self._round] if self._round else []) + pending:
            for stack in request.silent(self._now()):
                self._report_stack(stack)
            request.done.set()
        self._round = None

    def _pump(self, sandbox: Sandbox) -> None:
        """Read the sandbox's pipes until every writer is gone, enforcing the limits."""
        assert sandbox.popen.stdout is not None and sandbox.popen.stderr is not None
        streams = {sandbox.records: None, sandbox.popen.stdout.fileno(): "stdout",
                   sandbox.popen.stderr.fileno(): "stderr"}

        selector = selectors.DefaultSelector()
        for fd in streams:
            selector.register(fd, selectors.EVENT_READ)
        # The wall clock runs from Runner.start, like the times reported.
        wall_deadline = time.monotonic() + self.request.limits.wall_seconds - self._now() / 1000
        drain_deadline: float | None = None  # set once the run is over but pipes are still open
        killed = False
        timed_out = False
        meter = usage.Meter(sandbox.cgroup, sandbox.members)
        next_sample = time.monotonic()
        try:
            while selector.get_map():
                ready = selector.select(TICK_SECONDS)
                pieces: list[tuple[str, int | None, str | None, bytes]] = []
                for key, _ in ready:
                    data = os.read(key.fd, 65536)
                    stream = streams[key.fd]
                    if not data:
                        selector.unregister(key.fd)
                    elif stream is None:
                        self._records += data
                        pieces += self._parse_records()
                    else:
                        pieces.append((stream, None, None, data))
                self._deliver(pieces)
                self._flush_partials(older_than=TICK_SECONDS * 1000)
                now = time.monotonic()
                if drain_deadline is None:
                    self._serve_stacks(sandbox, now)
                    if now >= next_sample:
                        next_sample = max(next_sample + usage.INTERVAL_SECONDS, now)
                        sample = meter.sample(now)
                        if sample is not None:
                            self._call("on_usage", self._now(), round(sample[0], 2), sample[1])
                if now >= wall_deadline and not timed_out:
                    # Who waits for whom is why a program hangs: ask first, end after the answers.
                    timed_out = True
                    if not self._ask(stacks.Round(then=("timeout", False))):
                        self._end("timeout")
                if now >= wall_deadline + stacks.GRACE_SECONDS + TICK_SECONDS:
                    self._end("timeout")
                hit = sandbox.cgroup.limit_hit() if sandbox.cgroup else None
                if hit is None and self._reason is None and self._watch.processes_hit(now):
                    hit = "processes"
                if hit:
                    self._end(hit)
                if not killed and self._kill_at is not None and now >= self._kill_at:
                    killed = True
                    self._main_alive_at_kill = sandbox.popen.poll() is None
                    sandbox.kill()
                if drain_deadline is None and (killed or sandbox.popen.poll() is not None):
                    # Processes that left the session (basic backend) may hold the pipes open.
                    sandbox.backend.kill_leftovers(sandbox)
                    drain_deadline = now + DRAIN_SECONDS
                if drain_deadline is not None and now >= drain_deadline:
                    break
        finally:
            selector.close()
            self._close_rounds()

    def _parse_records(self) -> list[tuple[str, int | None, str | None, bytes]]:
        """Output pieces from the complete records buffered so far; process events are reported here."""
        pieces: list[tuple[str, int | None, str | None, bytes]] = []
        for record in wire.decode(self._records):
            kind, stream, pid, name, data = record.kind, record.stream, record.pid, record.name, record.data
            if kind == wire.OUTPUT and stream in STREAMS:
                pieces.append((STREAMS[stream], pid, name, data))
            elif kind == wire.STACK:
                answer = self._round.piece(pid, name, data, stream == wire.LAST, self._now()) if self._round else None
                if answer is not None:
                    self._report_stack(answer)
            elif kind == wire.INPUT:
                self._deliver(pieces)
                pieces = []
                self._call("on_input", pid, stream == wire.WAITING, self._now())
            elif kind in (wire.START, wire.EXIT):
                self._deliver(pieces)  # keep output and events in the order they were written
                pieces = []
                self._process_event(kind, pid, name, data)
        return pieces

    def _process_event(self, kind: int, pid: int, name: str, data: bytes) -> None:
        first, _, method = data.decode("ascii", "replace").partition(" ")
        number = int(first) if first.strip().lstrip("-").isdigit() else None
        if kind == wire.START:
            self._started[pid] = (number, name)
            self._event("start", pid, number, name, None, method or None)
        elif pid in self._started:
            for stream in STREAMS.values():
                if (stream, pid) in self._partials:
                    self._flush_partials((stream, pid))
            ppid, _ = self._started.pop(pid)
            self._event("exit", pid, ppid, name, number)

    def _event(self, event: str, pid: int, ppid: int | None, name: str, exitcode: int | None,
               method: str | None = None) -> None:
        item = ProcessEvent(event, pid, ppid, name, self._now(), exitcode, method)
        self._events.append(item)
        self._call("on_process", event, pid, ppid, name, item.t, exitcode)

    def _deliver(self, pieces: list[tuple[str, int | None, str | None, bytes]]) -> None:
        """Coalesce adjacent pieces from one writer, cut at the output limit, decode, report."""
        merged: list[list[Any]] = []
        for stream, pid, name, data in pieces:
            if merged and merged[-1][:3] == [stream, pid, name]:
                merged[-1][3] += data
            else:
                merged.append([stream, pid, name, data])
        cut = False
        for stream, pid, name, data in merged:
            if self._output_left <= 0:
                break
            if len(data) > self._output_left:
                data, cut = data[:self._output_left], True
            self._output_left -= len(data)
            decoder = self._decoders.setdefault((stream, pid), codecs.getincrementaldecoder("utf-8")("replace"))
            self._write(stream, pid, name, decoder.decode(data))
        if cut or (self._output_left <= 0 and merged and self._reason is None):
            self._output_left = 0
            self._flush_partials()
            limit = self.request.limits.output_bytes
            size = f"{limit // 1024} KiB" if limit % 1024 == 0 else f"{limit} bytes"
            self._emit("stderr", f"\n[output cut: the run printed more than {size}]\n", None, None)
            self._end("output")

    def _write(self, stream: str, pid: int | None, name: str | None, text: str) -> None:
        """Report whole lines, one chunk each; hold a trailing partial line for a moment.

        A print() reaches the pipe as several writes that may arrive in separate
        reads; holding the partial line keeps a printed line in one chunk."""
        other = ("stderr" if stream == "stdout" else "stdout", pid)
        if other in self._partials:
            self._flush_partials(other)  # keep this writer's streams in order
        held = self._partials.pop((stream, pid), None)
        since = held[2] if held else self._now()
        lines = ((held[1] if held else "") + text).split("\n")
        for line in lines[:-1]:
            self._emit(stream, line + "\n", pid, name, since)
            since = self._now()
        if lines[-1]:
            self._partials[(stream, pid)] = (name, lines[-1], since)

    def _flush_partials(self, key: tuple[str, int | None] | None = None, older_than: float = 0) -> None:
        """Report held partial lines: the one of ``key``, or all held for ``older_than`` ms or more."""
        now = self._now()
        for held_key in [key] if key else list(self._partials):
            name, text, since = self._partials[held_key]
            if now - since >= older_than:
                del self._partials[held_key]
                self._emit(held_key[0], text, held_key[1], name, since)

    def _emit(self, stream: str, text: str, pid: int | None, name: str | None, t: float | None = None) -> None:
        if text:
            chunk = OutputChunk(stream, text, pid, name, self._now() if t is None else t)
            self._output.append(chunk)
            self._call("on_output", stream, text, pid, name, chunk.t)
            if not self._settled:
                self._runner._printed(self)

    def _finish(self, code: int | None) -> None:
        """Flush the decoders, close the books on every process, report the end."""
        self._close_rounds()  # if the sandbox failed before its pipes were read
        if self._output_left > 0:
            for (stream, pid), decoder in self._decoders.items():
                held = self._partials.get((stream, pid))
                self._write(stream, pid, held[0] if held else None, decoder.decode(b"", True))
        self._flush_partials()
        for pid, (ppid, name) in list(self._started.items()):
            self._event("exit", pid, ppid, name, code if ppid is None else None)
        self._started.clear()
        reason = self._reason or "error"
        t = self._now()
        self._result = RunResult(
            exit_code=code, reason=reason,
            stdout=as_shown(self._output, "stdout"), stderr=as_shown(self._output, "stderr"),
            output=self._output, events=self._events, duration_ms=t, stacks=self._stacks,
        )
        self._runner._finished(self)
        try:
            self._call("on_exit", code, reason, t)
        finally:
            self._done.set()


def as_shown(chunks: list[OutputChunk], stream: str) -> str:
    """One stream's text as the page shows it: every process's lines whole, in the order they began.

    A partial line reported after its delay (Run._write) is continued by the next chunk
    of the same process, even when other processes' lines were reported in between;
    the page's output.js joins them the same way."""
    lines: list[list[str]] = []
    open_lines: dict[int | None, list[str]] = {}
    for chunk in chunks:
        if chunk.stream != stream:
            continue
        for piece in re.findall(r"[^\n]*\n|[^\n]+", chunk.data):
            line = open_lines.pop(chunk.pid, None)
            if line is None:
                line = []
                lines.append(line)
            line.append(piece)
            if not piece.endswith("\n"):
                open_lines[chunk.pid] = line
    return "".join("".join(line) for line in lines)


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


def run_to_completion(runner: Runner, request: RunRequest) -> RunResult:
    """Run ``request`` and wait for its result (for tests and the command line)."""
    run = runner.start(request, QuietCallbacks())
    run.wait()
    return run.result
