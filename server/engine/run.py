"""One run: a program in one sandbox, from sending it the program to its last byte of output.

A run reads three pipes until every process of it is gone: the record pipe
(tagged output, process events, stack dumps and input waits; wire.py's format,
written by runtime/sitecustomize.py) and the untagged fds 1 and 2, and turns
them into output chunks (output.py) and process events. It enforces the wall
time and the output cap, and ends the run when a cgroup limit is hit. On the
way it samples the run's CPU and memory (usage.py), asks its processes for their
stacks when asked and before ending a run for its time or a Stop (stacks.py),
and passes the reader's input to the main process's stdin.
"""

from __future__ import annotations

import logging
import marshal
import os
import selectors
import signal
import threading
import time
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from mpbook.engine import stacks, usage, wire
from mpbook.engine.output import Output, Piece
from mpbook.engine.processes import Processes
from mpbook.engine.rlimit_watch import RlimitWatch
from mpbook.engine.runs import (
    Callbacks,
    InputRefused,
    OutputChunk,
    ProcessEvent,
    RunnerError,
    RunRequest,
    RunResult,
    StartedInfo,
)
from mpbook.engine.sandbox import Sandbox
from mpbook.engine.stacks import Round, Stack

if TYPE_CHECKING:
    from mpbook.engine.runner import Runner

log = logging.getLogger(__name__)

STOP_GRACE_SECONDS = 0.5  # between the polite SIGINT of stop() and SIGKILL
DRAIN_SECONDS = 2.0  # to read what is left in the pipes once the run is over
INPUT_PROCESSES_MAX = 64  # processes whose waits for input are reported (a run has at most that many)
TICK_SECONDS = 0.05  # how often a run checks its clock and its cgroup
STREAMS = {wire.STDOUT: "stdout", wire.STDERR: "stderr"}


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
        self._output = Output(request.limits.output_bytes, self._now, self._on_chunk, lambda: self._end("output"))
        self._processes = Processes(self._now, self._on_event, self._output.flush_process)
        self._records = bytearray()
        self._rounds_open = True  # until the run's thread stops reading the pipes
        self._wanted: list[stacks.Round] = []  # asked for, not started yet
        self._round: stacks.Round | None = None  # signalled, collecting answers
        self._ending = False  # a round that ends the run is under way: the next stop() is at once
        self._stacks: list[Stack] = []
        self._waiting: dict[int, bool] = {}  # pid -> blocked reading stdin, as last reported
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
        ended: Sandbox | None = None  # every process gone; to be closed after the exit is reported
        try:
            sandbox = self._sandbox or self._runner.backend.launch(self.request.limits.tmp_bytes)
            with self._lock:
                self._sandbox = sandbox
            try:
                code = self._run(sandbox)
                ended = sandbox
            except BaseException:
                try:
                    sandbox.kill()
                    sandbox.finish()
                finally:
                    sandbox.close()
                raise
        except Exception as error:
            log.exception("run %s failed", self.id)
            self._deliver([("stderr", None, None, f"\n[the sandbox failed: {error}]\n".encode())])
            self._reason = self._reason or "error"
        self._finish(code, ended)

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
                self._watch.memory_hit(c.data for c in self._output.chunks if c.stream == "stderr"):
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
            names = {pid: name for pid, (_, name) in self._processes.alive.items()}
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
                pieces: list[Piece] = []
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
                self._output.flush(older_than=TICK_SECONDS * 1000)
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

    def _parse_records(self) -> list[Piece]:
        """Output pieces from the complete records buffered so far; process events are reported here."""
        pieces: list[Piece] = []
        for record in wire.decode(self._records):
            kind, stream, pid, name, data = record.kind, record.stream, record.pid, record.name, record.data
            if kind == wire.OUTPUT and stream in STREAMS:
                pieces.append((STREAMS[stream], pid, name, data))
            elif kind == wire.STACK:
                answer = self._round.piece(pid, name, data, stream == wire.LAST, self._now()) if self._round else None
                if answer is not None:
                    self._report_stack(answer)
            elif kind == wire.INPUT and self._waiting.get(pid) != (stream == wire.WAITING) and \
                    (pid in self._waiting or len(self._waiting) < INPUT_PROCESSES_MAX):
                # Only changes are reported: a program that writes such records itself
                # (it can) cannot flood the page with them beyond one per read.
                self._waiting[pid] = stream == wire.WAITING
                self._deliver(pieces)
                pieces = []
                self._call("on_input", pid, stream == wire.WAITING, self._now())
            elif kind in (wire.START, wire.EXIT):
                self._deliver(pieces)  # keep output and events in the order they were written
                pieces = []
                self._processes.record(kind, pid, name, data)
        return pieces

    def _on_event(self, item: ProcessEvent) -> None:
        self._call("on_process", item.event, item.pid, item.ppid, item.name, item.t, item.exitcode)

    def _deliver(self, pieces: list[Piece]) -> None:
        self._output.deliver(pieces, ending=self._reason is not None)

    def _on_chunk(self, chunk: OutputChunk) -> None:
        self._call("on_output", chunk.stream, chunk.data, chunk.pid, chunk.process, chunk.t)
        if not self._settled:
            self._runner._printed(self)

    def _finish(self, code: int | None, ended: Sandbox | None = None) -> None:
        """Flush the decoders, close the books on every process, report the end; then release
        ``ended`` (fds, working dir, cgroup), whose processes are all gone: the reader's slot
        and exit frame need not wait for that."""
        self._close_rounds()  # if the sandbox failed before its pipes were read
        self._output.finish()
        self._processes.close(code)
        reason = self._reason or "error"
        t = self._now()
        self._result = RunResult(
            exit_code=code, reason=reason,
            stdout=self._output.text("stdout"), stderr=self._output.text("stderr"),
            output=self._output.chunks, events=self._processes.events, duration_ms=t, stacks=self._stacks,
        )
        self._runner._finished(self)
        try:
            self._call("on_exit", code, reason, t)
        finally:
            try:
                if ended is not None:
                    ended.close()
            finally:
                self._done.set()
