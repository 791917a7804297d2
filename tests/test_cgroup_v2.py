"""The cgroup v2 code against a fake v2 tree that keeps the kernel's rules (fake_cgroupfs.py):
detection as root and in a delegated cgroup, limits, the reasons a run ends, kill, removal,
reaping; and whole runs whose cgroup is in the fake tree."""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from fake_cgroupfs import FakeCgroupFS
from mpbook.engine.cgroups import SERVER_LEAF, Cgroups
from mpbook.engine.runner import Limits, QuietCallbacks, Runner, RunRequest
from mpbook.engine.sandbox import CGROUP_TRAMPOLINE, BwrapBackend, SandboxError, choose_backend

SCOPE = "user.slice/user-1000.slice/user@1000.service/app.slice/run-mpbook.scope"


def machine(tmp_path: Path, own: str) -> tuple[str, str]:
    """A /proc/self/mounts and a /proc/self/cgroup of a v2-only machine (as Debian 12, Ubuntu 24.04)."""
    mounts, cgroup = tmp_path / "mounts", tmp_path / "cgroup"
    mounts.write_text(f"proc /proc proc rw 0 0\ncgroup2 {tmp_path / 'fs'} cgroup2 rw,nsdelegate 0 0\n")
    cgroup.write_text(f"0::/{own}\n")
    return str(mounts), str(cgroup)


@pytest.fixture
def sleeper() -> Iterator[subprocess.Popen[bytes]]:
    process = subprocess.Popen(["sleep", "60"])
    yield process
    process.kill()
    process.wait()


def test_as_root_runs_go_under_the_root_mpbook_cgroup(tmp_path: Path) -> None:
    fs = FakeCgroupFS(tmp_path / "fs")
    fs.make(tmp_path / "fs" / "system.slice" / "mpbook.service", (os.getpid(),))
    found = Cgroups.detect(*machine(tmp_path, "system.slice/mpbook.service"), fs=fs)
    assert found is not None and found.version == 2
    assert set(found.parents) == {"pids", "memory", "cpu"}
    assert set(found.parents.values()) == {tmp_path / "fs" / "mpbook"}
    assert fs.read(tmp_path / "fs" / "cgroup.subtree_control").split() == ["pids", "memory", "cpu"]
    assert fs.read(tmp_path / "fs" / "mpbook" / "cgroup.subtree_control").split() == ["pids", "memory", "cpu"]


def test_a_delegated_scope_moves_the_server_into_a_leaf_and_runs_beside_it(tmp_path: Path) -> None:
    scope = tmp_path / "fs" / SCOPE
    fs = FakeCgroupFS(tmp_path / "fs", as_root=False, delegated=(scope,))
    fs._subtree_control(tmp_path / "fs", ["+pids", "+memory", "+cpu"])  # what systemd sets up for Delegate=yes
    for level in range(1, len(Path(SCOPE).parts)):
        fs.make(tmp_path / "fs" / Path(*Path(SCOPE).parts[:level]))
        fs._subtree_control(tmp_path / "fs" / Path(*Path(SCOPE).parts[:level]), ["+pids", "+memory", "+cpu"])
    fs.make(scope, (os.getpid(),))
    found = Cgroups.detect(*machine(tmp_path, SCOPE), fs=fs)
    assert found is not None and found.version == 2
    assert set(found.parents.values()) == {scope / "mpbook"}
    assert fs.read(scope / SERVER_LEAF / "cgroup.procs").split() == [str(os.getpid())]
    assert fs.read(scope / "cgroup.procs") == ""
    # Found again by the next server process of the same scope, now that it lives in the leaf.
    again = Cgroups.detect(*machine(tmp_path, f"{SCOPE}/{SERVER_LEAF}"), fs=fs)
    assert again is not None and set(again.parents.values()) == {scope / "mpbook"}


def test_an_undelegated_user_session_has_no_cgroups(tmp_path: Path) -> None:
    fs = FakeCgroupFS(tmp_path / "fs", as_root=False)
    fs._subtree_control(tmp_path / "fs", ["+pids", "+memory"])
    fs.make(tmp_path / "fs" / "user.slice" / "session-1.scope", (os.getpid(),))
    assert Cgroups.detect(*machine(tmp_path, "user.slice/session-1.scope"), fs=fs) is None


def test_an_existing_parent_that_cannot_take_a_child_is_not_usable(tmp_path: Path) -> None:
    # The bug of issue #12: root's server left <root>/mpbook; a user's server saw it exist.
    fs = FakeCgroupFS(tmp_path / "fs")
    fs._subtree_control(tmp_path / "fs", ["+pids", "+memory"])
    fs.make(tmp_path / "fs" / "mpbook")
    fs.as_root = False
    assert Cgroups.detect(*machine(tmp_path, "user.slice"), fs=fs) is None


def test_without_the_pids_and_memory_controllers_there_are_no_cgroups(tmp_path: Path) -> None:
    fs = FakeCgroupFS(tmp_path / "fs", controllers="cpu io")
    assert Cgroups.detect(*machine(tmp_path, ""), fs=fs) is None


@pytest.fixture
def v2(tmp_path: Path) -> tuple[FakeCgroupFS, Cgroups]:
    fs = FakeCgroupFS(tmp_path / "fs")
    found = Cgroups.detect(*machine(tmp_path, ""), fs=fs)
    assert found is not None
    return fs, found


def test_a_run_cgroup_limits_reports_kills_and_goes(v2: tuple[FakeCgroupFS, Cgroups],
                                                   sleeper: subprocess.Popen[bytes]) -> None:
    fs, cgroups = v2
    cgroup = cgroups.create()
    directory = cgroup.dirs[0]
    assert cgroup.dirs == [directory] and set(cgroup.by_controller.values()) == {directory}
    assert fs.read(directory / "cgroup.controllers").split() == ["pids", "memory", "cpu"]
    fs.write(directory / "cgroup.procs", str(sleeper.pid))
    assert cgroup.holds(sleeper.pid) and cgroup.pids() == {sleeper.pid}
    cgroup.set_limits(96 * 2**20, 26)
    assert [fs.read(directory / name).strip() for name in ("memory.max", "memory.swap.max", "pids.max")] == \
        [str(96 * 2**20), "0", "26"]
    assert fs.read(directory / "cpu.weight").strip() == "100"  # every run weighs the same
    assert cgroup.limit_hit() is None
    (directory / "pids.events").write_text("max 3\n")
    assert cgroup.limit_hit() == "processes"
    (directory / "memory.events").write_text("low 0\nhigh 0\nmax 9\noom 1\noom_kill 1\noom_group_kill 0\n")
    assert cgroup.limit_hit() == "memory"
    with pytest.raises(OSError):
        cgroup.remove(timeout=0.05)  # EBUSY: it still holds a process
    assert cgroup.kill(timeout=5)  # by cgroup.kill
    assert sleeper.wait(5) == -signal.SIGKILL
    cgroup.remove()
    assert not directory.exists()
    cgroups.release()
    assert not (fs.root / "mpbook").exists()
    # A parent made anew (after release, or after another runner removed it) gives controllers again.
    again = cgroups.create()
    assert (again.dirs[0] / "pids.max").exists() and (again.dirs[0] / "memory.max").exists()
    again.remove()


def test_stale_run_cgroups_are_killed_and_removed(v2: tuple[FakeCgroupFS, Cgroups],
                                                  sleeper: subprocess.Popen[bytes]) -> None:
    fs, cgroups = v2
    stale = fs.root / "mpbook" / "sandbox-999999999-deadbeef"  # above pid_max: its server is gone
    fs.make(stale, (sleeper.pid,))
    mine = cgroups.create()
    cgroups.reap_stale()
    assert sleeper.wait(5) == -signal.SIGKILL and not stale.exists()
    assert mine.dirs[0].exists()
    mine.remove()


def test_the_trampoline_joins_a_v2_cgroup(v2: tuple[FakeCgroupFS, Cgroups]) -> None:
    _, cgroups = v2
    cgroup = cgroups.create()
    try:
        done = subprocess.run(["/bin/sh", "-c", CGROUP_TRAMPOLINE, "t", *map(str, cgroup.procs_files), "--",
                               "sh", "-c", "cat /proc/self/stat > /dev/null; echo joined"],
                              capture_output=True, text=True, timeout=10)
        assert done.stdout == "joined\n"
    finally:
        cgroup.kill()
        cgroup.remove()


class Oom(QuietCallbacks):
    """Plays the kernel's part: once the program says it is ready, the cgroup's OOM counter moves."""

    def __init__(self, run_dir: list[Path], event: tuple[str, str]) -> None:
        self.run_dir = run_dir
        self.event = event

    def on_output(self, stream: str, data: str, pid: int | None, process: str | None, t: float) -> None:
        if data == "ready\n":
            name, text = self.event
            (self.run_dir[0] / name).write_text(text)


@pytest.mark.parametrize(("event", "reason"), [(("memory.events", "oom 1\noom_kill 1\n"), "memory"),
                                               (("pids.events", "max 1\n"), "processes")])
def test_a_run_in_a_v2_cgroup_ends_for_the_limit_its_cgroup_reports(v2: tuple[FakeCgroupFS, Cgroups],
                                                                    event: tuple[str, str], reason: str) -> None:
    fs, cgroups = v2
    try:
        found = choose_backend("bwrap", use_cgroups=False)
    except SandboxError as error:
        pytest.skip(f"bubblewrap cannot be used here: {error}")
    assert isinstance(found, BwrapBackend)
    backend = BwrapBackend(cgroups, hardening=found.hardening, filtered=found.filtered, bwrap=found.bwrap)
    runner = Runner(backend, warm=0)
    run_dir: list[Path] = []
    original = cgroups.create

    def create():  # type: ignore[no-untyped-def]
        made = original()
        run_dir.append(made.dirs[0])
        return made

    object.__setattr__(cgroups, "create", create)
    try:
        run = runner.start(RunRequest({"main.py": b"import time\nprint('ready', flush=True)\ntime.sleep(30)\n"},
                                      limits=Limits(wall_seconds=20)), Oom(run_dir, event))
        assert run.wait(30)
    finally:
        runner.close()
    assert run.result.reason == reason  # not "timeout": the limit ended it, long before the wall time
    assert not run_dir[0].exists()  # the run's cgroup was removed
