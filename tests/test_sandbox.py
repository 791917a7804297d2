"""Sandbox backends: detection, the bwrap command, the runtime venv, per-run cgroups."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from helpers import backend_or_skip, wait_until
from mpbook.engine.cgroups import Cgroups
from mpbook.engine.sandbox import (
    CGROUP_TRAMPOLINE,
    SANDBOX_HOME,
    BasicBackend,
    BwrapBackend,
    SandboxError,
    _reap_stale_dirs,
    choose_backend,
    runtime,
)

REPO = Path(__file__).resolve().parent.parent


def test_unknown_backend_is_refused() -> None:
    with pytest.raises(ValueError, match="auto, bwrap or basic"):
        choose_backend("docker")


def test_basic_backend_says_it_contains_nothing() -> None:
    backend = choose_backend("basic")
    assert (backend.name, backend.is_contained) == ("basic", False)


def test_without_bwrap_auto_falls_back_to_basic_and_forcing_bwrap_fails(monkeypatch: pytest.MonkeyPatch,
                                                                        tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    backend = choose_backend("auto", use_cgroups=False)
    assert backend.name == "basic" and "not installed" in backend.note
    with pytest.raises(SandboxError, match="not installed"):
        choose_backend("bwrap", use_cgroups=False)


def bwrap_or_skip() -> BwrapBackend:
    backend = backend_or_skip("bwrap")
    assert isinstance(backend, BwrapBackend)
    return backend


def test_auto_picks_bwrap_where_it_works() -> None:
    bwrap_or_skip()
    backend = choose_backend("auto")
    assert (backend.name, backend.is_contained) == ("bwrap", True)


def test_bwrap_command_shows_only_what_the_interpreter_needs() -> None:
    backend = bwrap_or_skip()
    rt = runtime()
    given = {"PATH": "/usr/bin", "LANG": "C.UTF-8", "MPBOOK_RECORDS": "3:1"}
    argv, cwd, workdir = backend.command(rt, 5 * 2**20, given)
    assert (cwd, workdir) == ("/", None)
    joined = " ".join(argv)
    for flag in ("--unshare-all", "--unshare-user", "--die-with-parent", "--new-session", "--clearenv",
                 "--proc /proc", "--dev /dev", "--cap-drop ALL", "--remount-ro /", "--hostname mpbook"):
        assert flag in joined
    for tmpfs in ("/tmp", "/dev/shm", str(SANDBOX_HOME)):
        assert f"--size {5 * 2**20} --tmpfs {tmpfs}" in joined
    sources = [argv[i + 1] for i, arg in enumerate(argv) if arg in ("--ro-bind", "--bind")]
    allowed = {"/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", str(rt.root),
               *map(str, rt.prefixes)}
    assert set(sources) <= allowed
    assert "--bind" not in argv  # nothing of the host is writable
    assert not any(s.startswith("/etc") or s == "/root" or s.startswith(str(REPO)) for s in sources)
    env = {argv[i + 1]: argv[i + 2] for i, arg in enumerate(argv) if arg == "--setenv"}
    assert env == {**given, "HOME": str(SANDBOX_HOME)}


def test_runtime_venv_loads_sitecustomize_in_every_interpreter() -> None:
    rt = runtime()
    assert rt.interpreter == Path(os.path.realpath(sys.executable))
    assert (rt.root / "bin" / "python").resolve() == rt.interpreter
    assert f"home = {rt.interpreter.parent}" in (rt.root / "pyvenv.cfg").read_text()
    assert list((rt.root / "lib").glob("python3.*/site-packages/__pycache__/sitecustomize.*.pyc"))
    probe = "import sys; print('sitecustomize' in sys.modules, sys.prefix)"
    done = subprocess.run([str(rt.python), "-I", "-c", probe], capture_output=True, text=True, env={}, check=True)
    assert done.stdout == f"True {rt.root}\n"


@pytest.fixture
def cgroups() -> Cgroups:
    found = Cgroups.detect()
    if found is None:
        pytest.skip("no writable cgroup here")
    return found


def test_cgroup_limits_a_process_then_kills_it_and_goes_away(cgroups: Cgroups) -> None:
    cgroup = cgroups.create()
    try:
        cgroup.set_limits(64 * 2**20, 8)
        if "pids" in cgroup.by_controller:
            assert (cgroup.by_controller["pids"] / "pids.max").read_text().strip() == "8"
        if "memory" in cgroup.by_controller and cgroups.version == 1:
            limit = cgroup.by_controller["memory"] / "memory.limit_in_bytes"
            assert int(limit.read_text()) == 64 * 2**20
            cgroup.set_limits(128 * 2**20, 8)  # raising keeps memory <= memory+swap
            assert int(limit.read_text()) == 128 * 2**20
        sleeper = subprocess.Popen(["/bin/sh", "-c", CGROUP_TRAMPOLINE, "t", *map(str, cgroup.procs_files), "--",
                                    "sleep", "30"])
        wait_until(lambda: sleeper.pid in cgroup.pids(), 5, 0.01, "the sleeper in its cgroup")
        assert cgroup.pids() == {sleeper.pid}
        assert cgroup.kill()
        assert sleeper.wait(5) == -signal.SIGKILL
        assert cgroup.limit_hit() is None
    finally:
        cgroup.remove()
    assert not any(d.exists() for d in cgroup.dirs)


def test_cgroup_reports_the_process_limit(cgroups: Cgroups) -> None:
    if "pids" not in cgroups.parents:
        pytest.skip("no pids controller")
    cgroup = cgroups.create()
    try:
        cgroup.set_limits(64 * 2**20, 2)
        done = subprocess.run(["/bin/sh", "-c", CGROUP_TRAMPOLINE, "t", *map(str, cgroup.procs_files), "--",
                               "sh", "-c", "true & true & true & wait"], capture_output=True, timeout=10)
        assert done.returncode != 0 or done.stderr
        assert cgroup.limit_hit() == "processes"
    finally:
        cgroup.kill()
        cgroup.remove()


def test_stale_cgroups_of_dead_servers_are_reaped(cgroups: Cgroups) -> None:
    # Its server pid is above pid_max: never alive.
    orphan = [parent / "sandbox-999999999-deadbeef" for parent in dict.fromkeys(cgroups.parents.values())]
    for directory in orphan:
        directory.mkdir()
    cgroups.reap_stale()
    assert not any(d.exists() for d in orphan)


def test_basic_backend_workdir_is_removed_after_close() -> None:
    sandbox = BasicBackend(None).launch(2**20)
    assert sandbox.workdir is not None and sandbox.workdir.is_dir()
    sandbox.kill()
    sandbox.finish()
    sandbox.close()
    assert not sandbox.workdir.exists()


def test_dirs_of_dead_servers_are_reaped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    dead = tmp_path / "mpbook-run-999999999-abc"  # above pid_max: never alive
    mine = tmp_path / f"mpbook-run-{os.getpid()}-abc"
    dead.mkdir()
    mine.mkdir()
    _reap_stale_dirs()
    assert not dead.exists() and mine.exists()
