"""A run whose cgroup cannot be made or joined goes on under rlimits and says so; rlimit hits
are reported as ``memory`` and ``processes``; the warm-pool refill backs off when starts fail."""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

import pytest

from helpers import wait_until
from mpbook.engine import runner as runner_module
from mpbook.engine.cgroups import CgroupFS, Cgroups
from mpbook.engine.runner import Limits, Runner, RunRequest, StartedInfo, run_to_completion
from mpbook.engine.sandbox import Backend, BasicBackend, BwrapBackend, Sandbox, SandboxError, choose_backend


class Refusing(CgroupFS):
    """A cgroup tree where this user may not make cgroups (a root server's parent)."""

    def mkdir(self, path: Path) -> None:
        raise PermissionError(13, "Permission denied", str(path))


class Unjoinable(CgroupFS):
    """Cgroups can be made, but no process can be written into them."""

    def mkdir(self, path: Path) -> None:
        path.mkdir(parents=True)
        (path / "cgroup.procs").mkdir()  # the trampoline's echo fails: "Is a directory"

    def rmdir(self, path: Path) -> None:
        (path / "cgroup.procs").rmdir()
        path.rmdir()


def backends() -> list[str]:
    return ["bwrap", "basic"]


def make_backend(kind: str, cgroups: Cgroups | None) -> Backend:
    if kind == "basic":
        return BasicBackend(cgroups)
    try:
        found = choose_backend("bwrap", use_cgroups=False)
    except SandboxError as error:
        pytest.skip(f"bubblewrap cannot be used here: {error}")
    assert isinstance(found, BwrapBackend)
    return BwrapBackend(cgroups, hardening=found.hardening, filtered=found.filtered, bwrap=found.bwrap)


class Recorder(runner_module.QuietCallbacks):
    def __init__(self) -> None:
        self.info: StartedInfo | None = None

    def on_started(self, info: StartedInfo) -> None:
        self.info = info


@pytest.mark.parametrize("kind", backends())
@pytest.mark.parametrize(("fs", "words"), [(Refusing(), "could not be made"), (Unjoinable(), "could not be joined")])
def test_a_run_goes_on_under_rlimits_when_its_cgroup_fails(kind: str, fs: CgroupFS, words: str, tmp_path: Path,
                                                           caplog: pytest.LogCaptureFixture) -> None:
    cgroups = Cgroups(1, {"pids": tmp_path / "pids" / "mpbook", "memory": tmp_path / "memory" / "mpbook"}, fs)
    runner = Runner(make_backend(kind, cgroups), warm=0)
    try:
        with caplog.at_level(logging.WARNING):
            recorders = [Recorder() for _ in range(2)]
            runs = [runner.start(RunRequest({"main.py": b"print('hi')\n"}), recorder) for recorder in recorders]
            for run in runs:
                assert run.wait(30)
    finally:
        runner.close()
    assert [(run.result.reason, run.result.stdout) for run in runs] == [("ok", "hi\n")] * 2
    for recorder in recorders:
        assert recorder.info is not None and not recorder.info.cgroup
        assert words in recorder.info.note
        assert recorder.info.enforcement["memory_bytes"].startswith("RLIMIT_AS (each process) (the run's cgroup")
    warnings = [r for r in caplog.records if words in r.getMessage()]
    assert len(warnings) == 1  # once, not once a run


@pytest.mark.parametrize("kind", backends())
def test_without_a_cgroup_a_memory_bomb_ends_for_memory(kind: str) -> None:
    runner = Runner(make_backend(kind, None), warm=0)
    limits = Limits(memory_bytes=96 * 2**20, wall_seconds=10)
    child = (
        "import multiprocessing as mp\n"
        "def eat():\n"
        "    x = []\n"
        "    while True:\n"
        "        x.append(bytearray(2**20))\n"
        "if __name__ == '__main__':\n"
        "    p = mp.Process(target=eat)\n"
        "    p.start()\n"
        "    p.join()\n"
        "    raise SystemExit(p.exitcode)\n"
    )
    try:
        hog = b"x = []\nwhile True:\n    x.append(bytearray(2**20))\n"
        main = run_to_completion(runner, RunRequest({"main.py": hog}, limits=limits))
        spread = run_to_completion(runner, RunRequest({"main.py": child.encode()}, limits=limits))
        # Printing the word is not running out of memory.
        honest = run_to_completion(runner, RunRequest({"main.py": b"print('MemoryError')\nraise SystemExit(3)\n"},
                                                      limits=limits))
    finally:
        runner.close()
    assert (main.reason, main.stderr.splitlines()[-1]) == ("memory", "MemoryError")
    assert spread.reason == "memory" and "MemoryError" in spread.stderr
    assert honest.reason == "error"


class Failing(BasicBackend):
    """A backend whose sandboxes cannot start, until told otherwise."""

    def __init__(self) -> None:
        super().__init__(None)
        self.calls = 0
        self.broken = True
        self.lock = threading.Lock()

    def launch(self, tmp_bytes: int) -> Sandbox:
        with self.lock:
            self.calls += 1
        if self.broken:
            raise OSError(13, "Permission denied")
        return super().launch(tmp_bytes)


def test_the_refill_backs_off_and_logs_one_traceback(monkeypatch: pytest.MonkeyPatch,
                                                     caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setattr(runner_module, "REFILL_BACKOFF_FIRST", 0.05)
    monkeypatch.setattr(runner_module, "REFILL_BACKOFF_MAX", 0.4)
    backend = Failing()
    with caplog.at_level(logging.WARNING, logger="mpbook.engine.runner"):
        runner = Runner(backend, warm=1)
        try:
            time.sleep(1.5)  # 0.05 + 0.1 + 0.2 + 0.4 + 0.4 + ...: about 6 tries; at a fixed 0.05 s, 30
            tries = backend.calls
            backend.broken = False
            wait_until(lambda: runner._pool, 10, 0.05, "the pool filled once starts worked again")
        finally:
            runner.close()
    assert 3 <= tries <= 8
    tracebacks = [r for r in caplog.records if r.exc_info]
    assert len(tracebacks) == 1
    assert any("start again" in r.getMessage() for r in caplog.records)


