"""What the page promises about output (docs/sandbox.md, "What the page shows"), checked
through the runner's callbacks: lines of processes printing at the same moment arrive
whole, each tagged with its process, and a spawn child's lines arrive as it prints them,
not when it exits."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest

from mpbook.engine.runner import Limits, OutputChunk, QuietCallbacks, Runner, RunRequest, RunResult, as_shown
from mpbook.engine.sandbox import choose_backend

LIMITS = Limits(wall_seconds=20, memory_bytes=256 * 2**20, processes=64, output_bytes=256 * 2**10)

# Four children wait at a barrier, then print 200 numbered lines each as fast as they can.
SIMULTANEOUS = """
import multiprocessing

def chatter(barrier):
    barrier.wait()
    name = multiprocessing.current_process().name
    for i in range(200):
        print(name, i, 'the quick brown fox jumps over the lazy dog')

if __name__ == '__main__':
    barrier = multiprocessing.Barrier(4)
    children = [multiprocessing.Process(target=chatter, args=(barrier,)) for _ in range(4)]
    for p in children:
        p.start()
    for p in children:
        p.join()
"""

# The child prints, sleeps half a second, prints again.
PAUSE = """
import multiprocessing
import time

def child():
    print('first')
    time.sleep(0.5)
    print('second')

if __name__ == '__main__':
    p = multiprocessing.Process(target=child)
    p.start()
    p.join()
"""


class Chunks(QuietCallbacks):
    """Every output chunk the runner reports, with its time, and the time of the exit."""

    def __init__(self) -> None:
        self.chunks: list[tuple[str, str, str | None, float]] = []
        self.exit_t: float | None = None
        self.done = threading.Event()

    def on_output(self, stream: str, data: str, pid: int | None, process: str | None, t: float) -> None:
        self.chunks.append((stream, data, process, t))

    def on_exit(self, code: int | None, reason: str, t: float) -> None:
        self.exit_t = t
        self.done.set()


@pytest.fixture(scope="module")
def runner() -> Iterator[Runner]:
    runner = Runner(choose_backend("auto"), warm=0)
    yield runner
    runner.close()


def run(runner: Runner, source: str, method: str) -> tuple[Chunks, RunResult]:
    chunks = Chunks()
    handle = runner.start(RunRequest({"main.py": source.encode()}, start_method=method, limits=LIMITS), chunks)
    assert handle.wait(30), "the run did not end"
    return chunks, handle.result


@pytest.mark.parametrize("method", ["fork", "spawn"])
def test_lines_of_processes_printing_at_once_arrive_whole(runner: Runner, method: str) -> None:
    chunks, result = run(runner, SIMULTANEOUS, method)
    assert result.reason == "ok", result.stderr
    stdout = [(data, process) for stream, data, process, _ in chunks.chunks if stream == "stdout"]
    # Each chunk is one process's: one whole line, or (when the process was held up
    # between print()'s two writes for longer than the runner waits) the start of one
    # that its next chunk completes.
    assert all(data.count("\n") <= 1 and data.rstrip("\n").count("\n") == 0 for data, _ in stdout)
    split = sum(not data.endswith("\n") for data, _ in stdout)
    assert len(stdout) == 800 + split, f"{len(stdout)} chunks for 800 lines, {split} of them split"
    # The page joins a split line again (RunResult.stdout is the text as it shows it).
    lines = result.stdout.splitlines(keepends=True)
    assert len(lines) == 800
    by_process: dict[str, list[int]] = {}
    for line in lines:
        name, number, rest = line.split(" ", 2)
        assert rest == "the quick brown fox jumps over the lazy dog\n", f"not one whole line: {line!r}"
        by_process.setdefault(name, []).append(int(number))
    assert sorted(by_process) == ["Process-1", "Process-2", "Process-3", "Process-4"]
    assert all(numbers == list(range(200)) for numbers in by_process.values()), "a process's lines out of order"
    assert all(data.split(" ", 1)[0] == process for data, process in stdout if data.startswith("Process-")), \
        "a line tagged with another process"


def test_a_spawn_childs_lines_arrive_as_it_prints_them(runner: Runner) -> None:
    chunks, result = run(runner, PAUSE, "spawn")
    assert result.reason == "ok", result.stderr
    lines: dict[str, Any] = {data: (process, t) for stream, data, process, t in chunks.chunks if stream == "stdout"}
    assert set(lines) == {"first\n", "second\n"}
    (first_by, first_t), (second_by, second_t) = lines["first\n"], lines["second\n"]
    assert first_by == second_by == "Process-1"
    assert chunks.exit_t is not None
    # The child sleeps 0.5 s between its lines: the first must be reported before that
    # pause is over, not held back until the child (or the run) ends.
    assert second_t - first_t >= 400, f"first at {first_t:.0f} ms, second at {second_t:.0f} ms"
    assert chunks.exit_t - first_t >= 400, f"first at {first_t:.0f} ms, exit at {chunks.exit_t:.0f} ms"


def test_a_split_line_is_shown_whole_after_the_lines_printed_meanwhile() -> None:
    chunks = [OutputChunk("stdout", "run", 1, "A", 1.0), OutputChunk("stdout", "other\n", 2, "B", 2.0),
              OutputChunk("stderr", "oops\n", 1, "A", 2.5), OutputChunk("stdout", "ning\n", 1, "A", 3.0),
              OutputChunk("stdout", "tail", 2, "B", 4.0)]
    assert as_shown(chunks, "stdout") == "running\nother\ntail"
    assert as_shown(chunks, "stderr") == "oops\n"
