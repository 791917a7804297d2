"""Inside a run: every process's stack (asked for, and before a timeout or a Stop), the CPU and
memory samples, and the reader's input on stdin. Real sandboxes (bwrap where usable)."""

from __future__ import annotations

import itertools
import os
import re
import threading
import time
from typing import Any

import pytest

from helpers import JOIN_BEFORE_GET, backend_or_skip
from mpbook.engine import stacks
from mpbook.engine.runner import InputRefused, Limits, QuietCallbacks, Run, Runner, RunRequest
from mpbook.engine.sandbox import Backend

LIMITS = Limits(wall_seconds=20, memory_bytes=256 * 2**20, processes=64, output_bytes=64 * 2**10)


@pytest.fixture(scope="module", params=["bwrap", "basic"])
def backend(request: pytest.FixtureRequest) -> Backend:
    return backend_or_skip(request.param, python=os.environ.get("MPBOOK_PYTHON") or None)


class Recorder(QuietCallbacks):
    """Remembers the calls the tests look at; ``said(text)`` waits for a line of output."""

    def __init__(self) -> None:
        self.calls: list[tuple[Any, ...]] = []
        self.changed = threading.Condition()

    def _add(self, *call: Any) -> None:
        with self.changed:
            self.calls.append(call)
            self.changed.notify_all()

    def on_output(self, stream: str, data: str, pid: int | None, process: str | None, t: float) -> None:
        self._add("output", data)

    def on_stack(self, pid: int, process: str, text: str | None, t: float) -> None:
        self._add("stack", pid, process, text)

    def on_usage(self, t: float, cpu: float, memory: int) -> None:
        self._add("usage", t, cpu, memory)

    def on_input(self, pid: int, waiting: bool, t: float) -> None:
        self._add("input", pid, waiting)

    def on_exit(self, code: int | None, reason: str, t: float) -> None:
        self._add("exit", code, reason, t)

    def wait_for(self, kind: str, match: Any = None, timeout: float = 30) -> tuple[Any, ...]:
        """The first call of ``kind`` (whose second item equals ``match``, if given)."""
        with self.changed:
            found: list[tuple[Any, ...]] = []

            def seen() -> bool:
                found[:] = [c for c in self.calls if c[0] == kind and (match is None or c[1] == match)][:1]
                return bool(found)

            assert self.changed.wait_for(seen, timeout), f"no {kind} {match!r} in {self.calls}"
            return found[0]

    def said(self, text: str, timeout: float = 30) -> None:
        """Wait until the output so far contains ``text`` (a line may come in pieces on a busy machine)."""
        with self.changed:
            assert self.changed.wait_for(lambda: text in "".join(c[1] for c in self.calls if c[0] == "output"),
                                         timeout), f"no {text!r} in {self.calls}"

    def of(self, kind: str) -> list[tuple[Any, ...]]:
        with self.changed:
            return [c for c in self.calls if c[0] == kind]


def start(runner: Runner, source: str, method: str | None = None, wall: float = 20,
          interactive: bool = False) -> tuple[Run, Recorder]:
    recorder = Recorder()
    request = RunRequest({"main.py": source.encode()}, start_method=method, interactive=interactive,
                         limits=Limits(**{**LIMITS.as_dict(), "wall_seconds": wall}))  # type: ignore[arg-type]
    return runner.start(request, recorder), recorder


def by_process(answers: list[stacks.Stack]) -> dict[str, str | None]:
    return {answer.process: answer.text for answer in answers}




@pytest.mark.parametrize("method", ["fork", "spawn", "forkserver"])
def test_join_before_get_shows_the_parent_in_join_and_the_child_in_its_feeder(runner: Runner, method: str) -> None:
    run, recorder = start(runner, JOIN_BEFORE_GET, method)
    recorder.said("joining\n")
    deadline = time.monotonic() + 10
    while True:  # until the child has put its item and waits for the feeder thread
        answers = by_process(run.stacks())
        child = answers.get("Process-1") or ""
        if ("in send_bytes" in child and "in _finalize_join" in child) or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    main = answers["MainProcess"] or ""
    assert re.search(r'multiprocessing/process\.py", line \d+ in join', main), main
    assert re.search(r'main\.py", line 11 in <module>\n    p\.join\(\)', main), main
    assert "'QueueFeederThread'" in child and re.search(r"in send_bytes\n(.*\n)*.*queues\.py\", line \d+ in _feed",
                                                          child), child
    assert "in _finalize_join" in child, child  # its main thread waits for the feeder at exit
    assert "sitecustomize" not in main + child and "boot.py" not in main + child
    run.stop()
    assert run.wait(10) and run.result.reason == "stopped"
    # Stop asked once more, on its own: the frames came before the exit.
    processes = [c[2] for c in recorder.calls if c[0] == "stack"]
    assert {"MainProcess", "Process-1"} <= set(processes)
    assert recorder.calls[-1][0] == "exit"


DEAD_HOLDER = """\
import multiprocessing as mp, os

def hold(lock):
    lock.acquire()
    os._exit(0)  # dies holding it

if __name__ == "__main__":
    lock = mp.Lock()
    p = mp.Process(target=hold, args=(lock,))
    p.start()
    p.join()
    print("waiting", flush=True)
    with lock:
        print("never")
"""


def test_a_lock_held_by_a_dead_process_shows_the_waiter_in_acquire(runner: Runner) -> None:
    run, recorder = start(runner, DEAD_HOLDER, wall=3)
    recorder.said("waiting\n")
    assert run.wait(15)
    result = run.result
    assert result.reason == "timeout"
    [main] = [s for s in result.stacks if s.process == "MainProcess"]
    assert main.text and re.search(r'synchronize\.py", line \d+ in __enter__\n  File ".*main\.py", line 13 in '
                                   r'<module>\n    with lock:', main.text), main.text
    # The timeout's own round: its frames before the exit frame.
    kinds = [c[0] for c in recorder.calls if c[0] != "usage"]
    assert kinds[-2:] == ["stack", "exit"], kinds


@pytest.mark.parametrize("kind", ["blocks the signal", "spins in C"])
def test_a_process_that_cannot_answer_is_reported_and_does_not_delay_the_end(runner: Runner, kind: str) -> None:
    if kind == "blocks the signal":
        source = ("import signal, time\n"
                  f"signal.pthread_sigmask(signal.SIG_BLOCK, {{{stacks.stack_signal()}}})\n"
                  "print('ready', flush=True)\ntime.sleep(60)\n")
    else:  # one long C call, which never reaches the interpreter's check for signals
        source = "print('ready', flush=True)\nsum(range(10**12))\n"
    run, recorder = start(runner, source, wall=2)
    recorder.said("ready\n")
    assert run.wait(2 + stacks.GRACE_SECONDS + 3)
    result = run.result
    assert result.reason == "timeout"
    assert [(s.process, s.text) for s in result.stacks] == [("MainProcess", None)]
    # The silent process was given up at the grace, and the end came then: it did not wait
    # for the process (which never answers). The slack is for a loaded machine, not a timing.
    [silent] = result.stacks
    assert silent.t >= 2000 and result.duration_ms - silent.t < 3000, (silent.t, result.duration_ms)
    assert result.duration_ms < (2 + stacks.GRACE_SECONDS + 3) * 1000, result.duration_ms


def test_stacks_of_a_program_without_children_and_of_an_ended_run(runner: Runner) -> None:
    run, recorder = start(runner, "import time\nprint('up', flush=True)\ntime.sleep(30)\n")
    recorder.said("up\n")
    [answer] = run.stacks()
    assert answer.process == "MainProcess" and "line 3 in <module>\n    time.sleep(30)" in (answer.text or "")
    run.stop()
    assert run.wait(10)
    assert run.stacks() == [] and not run.request_stacks()


def test_a_second_stop_does_not_wait_for_the_stacks(runner: Runner) -> None:
    run, recorder = start(runner, "import signal, time\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\n"
                                  "print('up', flush=True)\ntime.sleep(30)\n")
    recorder.said("up\n")
    run.stop()
    run.stop()
    assert run.wait(10) and run.result.reason == "stopped"


BUSY = """\
import multiprocessing as mp, time

def spin(seconds):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        pass
    print(time.process_time(), flush=True)

if __name__ == "__main__":
    block = bytearray(64 * 2**20)  # touched: resident
    ps = [mp.Process(target=spin, args=(1.2,)) for _ in range(2)]
    for p in ps:
        p.start()
    for p in ps:
        p.join()
"""


def test_usage_counts_busy_cores_and_resident_memory(runner: Runner) -> None:
    run, recorder = start(runner, BUSY)
    assert run.wait(20) and run.result.reason == "ok"
    samples = recorder.of("usage")
    assert len(samples) >= 8, samples  # about every 100 ms over more than a second
    times = [t for _, t, _, _ in samples]
    # Never faster than the sampling period; how much slower depends on the machine's load (not asserted).
    assert all(b - a >= 50 for a, b in itertools.pairwise(times)), times
    # Cores busy over time add up to the CPU time the children say they used (however
    # loaded the machine is, which decides how many cores they got).
    used = sum(float(line) for line in run.result.stdout.split())
    counted = sum(cpu * (b - a) / 1000 for (_, a, _, _), (_, b, cpu, _) in itertools.pairwise(samples))
    assert 0.7 * used <= counted <= used + 0.5, (used, counted, samples)
    assert max(memory for _, _, _, memory in samples) > 64 * 2**20, samples
    assert all(c[0] != "usage" for c in recorder.calls[recorder.calls.index(recorder.of("exit")[0]):])


ECHO = """\
import sys
print("name?", flush=True)
name = input()
print(f"hello {name}", flush=True)
print(repr(sys.stdin.read()))
"""


def test_input_reaches_the_main_process_and_eof_ends_it(runner: Runner) -> None:
    run, recorder = start(runner, ECHO, interactive=True)
    recorder.said("name?\n")
    recorder.wait_for("input")  # it says it waits
    run.write_input(b"Ada\n")
    recorder.said("hello Ada\n")
    run.write_input(b"rest")
    run.close_input()
    recorder.said("'rest'\n")
    assert run.wait(10) and run.result.reason == "ok"
    waits = [c[2] for c in recorder.of("input")]
    assert waits[:2] == [True, False], waits
    with pytest.raises(InputRefused) as refused:
        run.write_input(b"late\n")
    assert refused.value.closed


def test_input_has_a_cap_and_children_read_end_of_file(runner: Runner) -> None:
    source = ("import multiprocessing as mp, time\n"
              "def child():\n"
              "    try:\n        input()\n    except EOFError:\n        print('child: EOFError', flush=True)\n"
              "if __name__ == '__main__':\n"
              "    p = mp.Process(target=child)\n    p.start()\n    p.join()\n    time.sleep(30)\n")
    run, recorder = start(runner, source, interactive=True)
    recorder.said("child: EOFError\n")
    with pytest.raises(InputRefused) as refused:
        run.write_input(b"x" * (LIMITS.input_bytes + 1))
    assert not refused.value.closed and "KiB" in str(refused.value)
    run.close_input()
    with pytest.raises(InputRefused):
        run.write_input(b"more")
    run.stop()
    assert run.wait(10)


def test_a_run_that_is_not_interactive_reads_end_of_file(runner: Runner) -> None:
    run, recorder = start(runner, "print(repr(input()))\n")
    assert run.wait(10)
    assert "EOFError" in "".join(c[1] for c in recorder.of("output"))
    with pytest.raises(InputRefused):
        run.write_input(b"x\n")


def test_records_a_program_makes_up_are_bounded(runner: Runner) -> None:
    """The record fd is the program's to write on: made-up stack pieces and input waits cost the server little."""
    source = ("import os, time\nfrom mpbook_wire import encode, INPUT, STACK, MORE, WAITING, READ, ENV\n"
              "fd = int(os.environ[ENV].split(':')[0])\n"
              "for n in range(2000):\n"
              "    os.write(fd, encode(STACK, MORE, os.getpid(), b'MainProcess', b'x' * 4000))\n"
              "    os.write(fd, encode(STACK, MORE, 100000 + n, b'fake', b'y' * 4000))\n"
              "    os.write(fd, encode(INPUT, WAITING if n % 2 else READ, 100000 + n, b'fake', b''))\n"
              "print('flooded', flush=True)\ntime.sleep(30)\n")
    run, recorder = start(runner, source)
    recorder.said("flooded\n")
    [answer] = run.stacks()  # the real answer comes, whatever the program wrote before
    assert answer.text is not None and "time.sleep(30)" in answer.text
    assert len(recorder.of("input")) <= 64
    run.stop()
    assert run.wait(10)
