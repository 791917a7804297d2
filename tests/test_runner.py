"""The runner: tagged output, process events, tracebacks as Python prints them, exit codes,
stop(), warm and cold sandboxes, concurrent runs. Runs real sandboxes (bwrap where usable)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from helpers import backend_or_skip, wait_until
from mpbook.engine.runner import (
    Limits,
    QuietCallbacks,
    Runner,
    RunRequest,
    RunResult,
    SourceTooLarge,
    StartedInfo,
    run_to_completion,
)
from mpbook.engine.sandbox import Backend, choose_backend

LIMITS = Limits(wall_seconds=20, memory_bytes=256 * 2**20, processes=64, output_bytes=64 * 2**10)
PYTHON = os.path.realpath(sys.executable)


@pytest.fixture(scope="module", params=["bwrap", "basic"])
def backend(request: pytest.FixtureRequest) -> Backend:
    return backend_or_skip(request.param)


def run(runner: Runner, source: str, start_method: str | None = None, **files: bytes) -> RunResult:
    request = RunRequest({"main.py": source.encode(), **files}, start_method=start_method, limits=LIMITS)
    return run_to_completion(runner, request)


class Recorder(QuietCallbacks):
    """Callbacks that remember every call, in order."""

    def __init__(self) -> None:
        self.calls: list[tuple[Any, ...]] = []
        self.output = threading.Event()
        self.exited = threading.Event()

    def on_started(self, info: StartedInfo) -> None:
        self.calls.append(("started", info))

    def on_output(self, stream: str, data: str, pid: int | None, process: str | None, t: float) -> None:
        self.calls.append(("output", stream, data, pid, process, t))
        self.output.set()

    def on_process(self, event: str, pid: int, ppid: int | None, name: str, t: float, exitcode: int | None) -> None:
        self.calls.append(("process", event, pid, ppid, name, exitcode))

    def on_exit(self, code: int | None, reason: str, t: float) -> None:
        self.calls.append(("exit", code, reason, t))
        self.exited.set()


def main_pid(result: RunResult) -> int:
    [start] = [e for e in result.events if e.event == "start" and e.ppid is None]
    assert start.name == "MainProcess"
    return start.pid


def test_hello_world_is_tagged_with_the_main_process(runner: Runner) -> None:
    result = run(runner, 'print("hi")\n')
    assert (result.exit_code, result.reason, result.stdout, result.stderr) == (0, "ok", "hi\n", "")
    pid = main_pid(result)
    assert {(c.pid, c.process) for c in result.output} == {(pid, "MainProcess")}
    assert [(e.event, e.pid, e.exitcode) for e in result.events] == [("start", pid, None), ("exit", pid, 0)]


def test_callbacks_come_in_order_and_on_exit_once(runner: Runner) -> None:
    recorder = Recorder()
    run_ = runner.start(RunRequest({"main.py": b"print('a')\nprint('b')\n"}, limits=LIMITS), recorder)
    assert run_.wait(30)
    kinds = [call[0] for call in recorder.calls]
    assert kinds[0] == "started" and kinds[-1] == "exit" and kinds.count("exit") == 1
    info = recorder.calls[0][1]
    assert info.run_id == run_.id and info.backend == runner.backend.name
    assert info.limits == LIMITS.as_dict() and set(info.limits) <= set(info.enforcement)
    assert "".join(c[2] for c in recorder.calls if c[0] == "output") == "a\nb\n"
    assert run_.result.exit_code == 0


CHILDREN = """
import multiprocessing as mp, os, sys
from concurrent.futures import ProcessPoolExecutor

def hello(label):
    print(label, mp.current_process().name, os.getpid(), flush=True)

if __name__ == "__main__":
    print("start method", mp.get_start_method())
    p = mp.Process(target=hello, args=("process",))
    p.start(); p.join()
    named = mp.Process(target=hello, args=("named",), name="worker")
    named.start(); named.join()
    with ProcessPoolExecutor(1) as pool:
        pool.submit(hello, "executor").result()
    with mp.Pool(1) as pool:
        pool.apply(hello, ("pool",))
"""

POOL_NAMES = {"fork": ("ForkProcess-3", "ForkPoolWorker-4"), "spawn": ("SpawnProcess-3", "SpawnPoolWorker-4"),
              "forkserver": ("ForkServerProcess-3", "ForkServerPoolWorker-4")}


@pytest.mark.parametrize("method", ["fork", "spawn", "forkserver"])
def test_children_are_named_and_reported_under_every_start_method(runner: Runner, method: str) -> None:
    result = run(runner, CHILDREN, start_method=method)
    assert (result.exit_code, result.reason, result.stderr) == (0, "ok", "")
    pid = main_pid(result)
    executor_name, pool_name = POOL_NAMES[method]
    lines = result.stdout.splitlines()
    assert lines[0] == f"start method {method}"
    labels = {line.split()[0]: line.split()[1:] for line in lines[1:]}
    assert [labels[k][0] for k in ("process", "named", "executor", "pool")] == \
        ["Process-1", "worker", executor_name, pool_name]
    starts = {e.name: e for e in result.events if e.event == "start"}
    exits = {e.name: e for e in result.events if e.event == "exit"}
    for label, (name, child_pid) in labels.items():
        assert starts[name].pid == int(child_pid) and starts[name].ppid == pid
        assert name in exits
        # The child's output carries its own pid and name.
        assert any(c.pid == int(child_pid) and c.process == name and label in c.data for c in result.output)
    assert exits["Process-1"].exitcode == 0 and exits["worker"].exitcode == 0
    assert exits["MainProcess"].exitcode == 0


def test_program_may_still_choose_its_start_method(runner: Runner) -> None:
    source = "import multiprocessing as mp\nmp.set_start_method('spawn')\nprint(mp.get_start_method())\n"
    assert run(runner, source, start_method="fork").stdout == "spawn\n"


def test_main_runs_like_python_main_py(runner: Runner) -> None:
    source = (
        "import sys\n"
        "def f(x: int) -> None: pass\n"
        "print(f.__annotations__)\n"
        "print(sorted(globals()), __file__.endswith('/main.py'), sys.argv)\n"
        "print(sys.path[0] == __import__('os').getcwd(), __name__, sys.stdin.read() == '')\n"
    )
    stdout, _, _ = python_main(source)
    assert run(runner, source).stdout == stdout


def test_files_beside_main_are_importable(runner: Runner) -> None:
    result = run(runner, "import helper\nhelper.greet()\n", **{"helper.py": b"def greet():\n    print('hello')\n",
                                                             "data/x.txt": b"x"})
    assert (result.stdout, result.exit_code) == ("hello\n", 0)


def python_main(source: str) -> tuple[str, str, int]:
    """What ``python main.py`` prints and returns, outside any sandbox."""
    with tempfile.TemporaryDirectory() as directory:
        Path(directory, "main.py").write_text(source)
        done = subprocess.run([PYTHON, "main.py"], cwd=directory, capture_output=True, text=True, timeout=30,
                              stdin=subprocess.DEVNULL,
                              env={"PATH": os.environ.get("PATH", ""), "LANG": "C.UTF-8"})
    return done.stdout, done.stderr, done.returncode


def without_dirs(text: str) -> str:
    return re.sub(r'File "[^"]*/main\.py"', 'File "main.py"', text)


@pytest.mark.parametrize("source", [
    "def f(x):\n    return 1 / x\n\ndef g():\n    return f(0)\n\nprint('before')\ng()\n",
    "try:\n    {}['k']\nexcept KeyError as e:\n    raise ValueError('bad') from e\n",
    "try:\n    int('x')\nexcept ValueError:\n    [][1]\n",
    "print('unclosed'\n",
    "def f():\n  x = 1\n    y = 2\n",
    "import sys\nsys.exit(3)\n",
    "import sys\nsys.exit('a message')\n",
    "raise SystemExit\n",
    "raise KeyboardInterrupt\n",
    "import os\nos._exit(7)\n",
    "import sys\nprint('é', file=sys.stderr)\nraise RuntimeError('ünïcode')\n",
], ids=["traceback", "chained-cause", "chained-context", "syntax-error", "indentation-error", "exit-3",
        "exit-message", "system-exit", "keyboard-interrupt", "os-exit", "unicode"])
def test_errors_and_exit_codes_match_python_main_py(runner: Runner, source: str) -> None:
    stdout, stderr, code = python_main(source)
    result = run(runner, source)
    assert (result.stdout, without_dirs(result.stderr), result.exit_code) == (stdout, without_dirs(stderr), code)
    assert result.reason == ("ok" if code == 0 else "error")


def test_utf8_split_across_writes_and_invalid_bytes(runner: Runner) -> None:
    source = (
        "import os, sys\n"
        "data = 'héllo € 😀\\n'.encode()\n"
        "for i in range(len(data)):\n"
        "    sys.stdout.buffer.write(data[i:i + 1])\n"
        "os.write(1, 'ü'.encode()[:1])\n"
        "os.write(1, 'ü'.encode()[1:] + b' \\xff\\xfe end\\n')\n"
    )
    result = run(runner, source)
    assert result.exit_code == 0
    tagged = "".join(c.data for c in result.output if c.pid is not None)
    untagged = "".join(c.data for c in result.output if c.pid is None)
    assert tagged == "héllo € 😀\n"
    assert untagged == "ü \ufffd\ufffd end\n"


def test_output_below_sys_stdout_is_forwarded_untagged(runner: Runner) -> None:
    source = "import os, subprocess\nos.write(2, b'raw\\n')\nsubprocess.run(['echo', 'from echo'])\n"
    result = run(runner, source)
    assert result.stderr == "raw\n" and result.stdout == "from echo\n"
    assert all(c.pid is None and c.process is None for c in result.output)


def wait_for_output(recorder: Recorder, text: str, timeout: float = 20) -> None:
    wait_until(lambda: text in "".join(c[2] for c in list(recorder.calls) if c[0] == "output"), timeout,
               what=f"output {text!r}")


def test_stop_interrupts_politely(runner: Runner) -> None:
    source = ("import time\ntry:\n    print('ready', flush=True)\n    time.sleep(30)\n"
              "except KeyboardInterrupt:\n    print('cleaned up')\n")
    recorder = Recorder()
    run_ = runner.start(RunRequest({"main.py": source.encode()}, limits=LIMITS), recorder)
    wait_for_output(recorder, "ready\n")
    run_.stop()
    assert run_.wait(10)
    assert run_.result.reason == "stopped"
    assert run_.result.stdout == "ready\ncleaned up\n" and run_.result.exit_code == 0


def test_stop_kills_a_program_that_ignores_signals(runner: Runner) -> None:
    source = (
        "import multiprocessing as mp, signal, time\n"
        "def stubborn(who):\n"
        "    signal.signal(signal.SIGINT, signal.SIG_IGN)\n"
        "    signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
        "    print(who, 'ready', flush=True)\n"
        "    while True:\n"
        "        time.sleep(0.01)\n"
        "if __name__ == '__main__':\n"
        "    mp.Process(target=stubborn, args=('child',)).start()\n"
        "    stubborn('main')\n"
    )
    recorder = Recorder()
    run_ = runner.start(RunRequest({"main.py": source.encode()}, limits=LIMITS), recorder)
    # Both ignore signals before stop(): a SIGINT that came earlier would end the child with code 1.
    wait_for_output(recorder, "child ready\n")
    wait_for_output(recorder, "main ready\n")
    run_.stop()
    assert run_.wait(10)  # well inside the 20 s wall time: SIGKILL after the grace period ended it
    assert (run_.result.reason, run_.result.exit_code) == ("stopped", None)
    # The child that never said goodbye is closed off with an unknown exit code.
    exits = {e.name: e.exitcode for e in run_.result.events if e.event == "exit"}
    assert exits == {"Process-1": None, "MainProcess": None}


@pytest.mark.parametrize("warm", [0, 1])
def test_warm_and_cold_sandboxes_both_run(backend: Backend, warm: int) -> None:
    runner = Runner(backend, warm=warm)
    try:
        if warm:
            wait_until(lambda: runner._pool, 20, what="a warm sandbox")
        recorder = Recorder()
        run_ = runner.start(RunRequest({"main.py": b"print('hi')\n"}, limits=LIMITS), recorder)
        assert run_.wait(30)
        assert recorder.calls[0][1].warm == bool(warm)
        assert run_.result.stdout == "hi\n"
        second = run_to_completion(runner, RunRequest({"main.py": b"print('again')\n"}, limits=LIMITS))
        assert second.stdout == "again\n"
    finally:
        runner.close()


def test_a_silent_run_does_not_keep_the_pool_empty(backend: Backend) -> None:
    # The refill waits for a starting run's first output, but only for a moment.
    runner = Runner(backend, warm=1)
    try:
        wait_until(lambda: runner._pool, 20, what="a warm sandbox")
        silent = runner.start(RunRequest({"main.py": b"import time\ntime.sleep(5)\n"}, limits=LIMITS), Recorder())
        # The pool refills while the silent run still runs (it sleeps 5 s and prints nothing).
        wait_until(lambda: runner._pool, 4, what="the pool refilled during a silent run")
        recorder = Recorder()
        second = runner.start(RunRequest({"main.py": b"print('hi')\n"}, limits=LIMITS), recorder)
        assert second.wait(30)
        assert recorder.calls[0][1].warm
        silent.stop()
        assert silent.wait(30)
    finally:
        runner.close()


def test_concurrent_runs_from_many_threads(runner: Runner) -> None:
    def one(i: int) -> RunResult:
        return run(runner, f"import multiprocessing as mp\nprint({i})\n")

    with ThreadPoolExecutor(6) as pool:
        results = list(pool.map(one, range(12)))
    assert [r.stdout for r in results] == [f"{i}\n" for i in range(12)]
    assert {r.reason for r in results} == {"ok"}


def test_requests_are_checked(runner: Runner) -> None:
    with pytest.raises(ValueError, match="main.py"):
        RunRequest({"other.py": b""})
    for path in ("/etc/passwd", "../up.py", "a/../../b.py", ""):
        with pytest.raises(ValueError, match="relative path"):
            RunRequest({"main.py": b"", path: b""})
    with pytest.raises(ValueError, match="start method"):
        RunRequest({"main.py": b""}, start_method="thread")
    with pytest.raises(SourceTooLarge):
        runner.start(RunRequest({"main.py": b"#" * 2000}, limits=Limits(source_bytes=1000)), Recorder())


def test_output_comes_one_line_per_chunk(runner: Runner) -> None:
    source = (
        "import sys, time\n"
        "print('a', 1, 'b', 2)\n"
        "for c in 'xyz':\n"
        "    sys.stdout.write(c)\n"
        "    sys.stdout.flush()\n"
        "print()\n"
        "print('one\\ntwo')\n"
        "print('partial', end='', flush=True)\n"
        "time.sleep(0.5)\n"
        "print(' line')\n"
    )
    result = run(runner, source)
    assert [c.data for c in result.output] == ["a 1 b 2\n", "xyz\n", "one\n", "two\n", "partial", " line\n"]
    # A partial line is not held back for long.
    assert result.output[5].t - result.output[4].t > 300


def test_partial_line_is_reported_before_the_same_process_writes_to_the_other_stream(runner: Runner) -> None:
    result = run(runner, "import sys\nprint('Result:', end=' ')\nprint('oops', file=sys.stderr)\n")
    assert [(c.stream, c.data) for c in result.output] == [("stdout", "Result: "), ("stderr", "oops\n")]


def test_without_cgroups_limits_fall_back_to_rlimits(backend: Backend) -> None:
    bare = type(backend)(None) if backend.name == "basic" else choose_backend(backend.name, use_cgroups=False)
    runner = Runner(bare, warm=0)
    try:
        recorder = Recorder()
        limits = Limits(wall_seconds=20, memory_bytes=128 * 2**20)
        run_ = runner.start(RunRequest({"main.py": b"x = bytearray(512 * 2**20)\n"}, limits=limits), recorder)
        assert run_.wait(30)
        info = recorder.calls[0][1]
        assert not info.cgroup and info.enforcement["memory_bytes"] == "RLIMIT_AS (each process)"
        # RLIMIT_AS hit: reported as memory
        assert (run_.result.reason, run_.result.stderr.splitlines()[-1]) == ("memory", "MemoryError")
    finally:
        runner.close()
