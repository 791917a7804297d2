"""A short room (the load script, bench/load.py, as a command) against the real server, and each
run in a cpu cgroup of its own."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from helpers import ROOT
from mpbook.engine.cgroups import CgroupFS, Cgroups
from mpbook.engine.runner import Limits, QuietCallbacks, Runner, RunRequest
from mpbook.engine.sandbox import choose_backend


@pytest.mark.slow
def test_a_room_of_thirty_runs_everything_and_leaves_nothing() -> None:
    done = subprocess.run([sys.executable, "-m", "bench.load", "--clients", "30", "--rounds", "1", "--timeout", "300",
                           "--json"], cwd=ROOT, capture_output=True, text=True, timeout=600, check=True)
    results = json.loads(done.stdout)
    room = results["rounds"][0]
    assert room["client_failure_count"] == 0, room["client_failures"]
    assert room["runs"] == {"expected": 60, "ok": 60, "other_exit": [], "refused": [], "lost": 0}
    # Two slots on this machine: most readers waited, and were told where they stood.
    assert room["queue"]["max_position"] >= 10 and room["queue"]["position_frames"] >= 30
    # The pool grows after a burst (engine/pool.py): what is left is judged by what no waiting sandbox explains.
    assert room["after"]["left"] == []
    assert results["after_stop"] == {"run_cgroups": [], "temp_dirs": [], "sandbox_processes": 0}


def test_each_run_has_a_cpu_cgroup_of_its_own() -> None:
    """Fair shares come from one cpu cgroup per run; how fair, in time, is measured by
    ``python -m bench.load --fair-cpu`` (a benchmark, not a timed test)."""
    backend = choose_backend("auto")
    if backend.cgroups is None or "cpu" not in backend.cgroups.parents:
        pytest.skip("no writable cpu cgroup controller on this machine")
    parent = backend.cgroups.parents["cpu"]
    runner = Runner(backend, warm=0)
    started = threading.Event()

    class Callbacks(QuietCallbacks):
        def on_output(self, *args: object) -> None:
            started.set()
        def on_exit(self, *args: object) -> None:
            started.set()

    try:
        ours = f"sandbox-{os.getpid()}-"  # other servers may be making cgroups beside ours
        before = {d.name for d in parent.iterdir() if d.name.startswith(ours)}
        run = runner.start(RunRequest(files={"main.py": b"import time\nprint('up')\ntime.sleep(30)\n"},
                                      limits=Limits(wall_seconds=20)), Callbacks())
        assert started.wait(10)
        mine = [d for d in parent.iterdir() if d.name.startswith(ours) and d.name not in before]
        assert len(mine) == 1 and (mine[0] / "cgroup.procs").read_text().split()
        run.stop()
        assert run.wait(10)
        assert not mine[0].exists()
    finally:
        runner.close()


class V1Hierarchies(CgroupFS):
    """Plain dirs as v1 hierarchies: a cgroup made there comes with its cgroup.procs, as the
    kernel's does (detection makes and removes a child to see that a parent is usable)."""

    def mkdir(self, path: Path) -> None:
        path.mkdir()
        (path / "cgroup.procs").touch()

    def rmdir(self, path: Path) -> None:
        (path / "cgroup.procs").unlink()
        path.rmdir()


def test_the_cpu_controller_is_used_when_the_machine_has_one(tmp_path: Path) -> None:
    for hierarchy in ("pids", "memory/box", "cpu"):
        (tmp_path / hierarchy).mkdir(parents=True)
    fs = V1Hierarchies()
    mounts = tmp_path / "mounts"
    own = tmp_path / "cgroup"
    lines = [f"cgroup {tmp_path / name} cgroup rw,relatime,{name} 0 0" for name in ("pids", "memory", "cpu")]
    mounts.write_text("\n".join(lines) + "\n")
    own.write_text("3:cpu:/\n2:memory:/box\n1:pids:/\n")
    found = Cgroups.detect(str(mounts), str(own), fs)
    assert found is not None and found.version == 1
    assert found.parents == {"pids": tmp_path / "pids" / "mpbook", "memory": tmp_path / "memory" / "box" / "mpbook",
                             "cpu": tmp_path / "cpu" / "mpbook"}
    assert not [p for p in tmp_path.rglob("sandbox-*")]  # every probe removed
    mounts.write_text("\n".join(lines[:2]) + "\n")  # no cpu controller: runs still run, without fair shares
    assert set(Cgroups.detect(str(mounts), str(own), fs).parents) == {"pids", "memory"}  # type: ignore[union-attr]
