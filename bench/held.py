"""The server under a benchmark and what it holds: its worker, the run cgroups, their processes,
the working dirs, fds and memory; and what of that no waiting sandbox explains (``leaks``), which
the soak (bench/soak.py) and the room (bench/load.py) both judge by.

Between bursts the warm pool keeps more sandboxes than at the start (engine/pool.py), each in a
run cgroup of its own with its waiting processes, so a count of processes or cgroups beside the
count before the runs would read a grown pool as a leak."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .common import server_process


@dataclasses.dataclass
class Server:
    url: str
    process: subprocess.Popen[bytes]
    worker: int  # gunicorn's one worker: the runs, the sandboxes and the runtime dir are its own
    cgroup_parents: list[Path]  # where the worker makes its runs' cgroups


@contextmanager
def serve(settings: dict[str, str] | None = None) -> Iterator[Server]:
    """``mpbook serve`` on a free loopback port with default settings (plus ``settings``)."""
    with server_process(settings, keep_settings=False) as served:
        master = served.process.pid
        worker = int(Path(f"/proc/{master}/task/{master}/children").read_text().split()[0])
        yield Server(served.url, served.process, worker, cgroup_parents(worker))


def proc_status(pid: int, field: str) -> int:
    """A number from /proc/<pid>/status ("VmRSS" in kB, "Threads"); 0 once the process is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def rss_mb(server: Server) -> float:
    """Resident memory of the server, gunicorn's arbiter and its worker, in MiB."""
    return round((proc_status(server.worker, "VmRSS") + proc_status(server.process.pid, "VmRSS")) / 1024, 1)


def cgroup_parents(pid: int) -> list[Path]:
    """Where server process ``pid`` makes its runs' cgroups, in every hierarchy (see server/cgroups.py):
    ``<hierarchy>/<its own cgroup>/mpbook`` in v1, ``<root>/mpbook`` in v2."""
    own: dict[str, str] = {}
    for line in Path(f"/proc/{pid}/cgroup").read_text().splitlines():
        _, controllers, path = line.split(":", 2)
        own.update({controller: path.lstrip("/") for controller in controllers.split(",")})
    parents = []
    for line in Path("/proc/self/mounts").read_text().splitlines():
        _, point, kind, options, *_ = line.split()
        if kind == "cgroup":
            parents += [Path(point) / own[c] / "mpbook" for c in options.split(",") if c in own][:1]
        elif kind == "cgroup2":
            parents.append(Path(point) / "mpbook")
    return parents


def run_cgroups(server: Server) -> list[Path]:
    """The cgroup dirs of the server's sandboxes, in every hierarchy (their names carry its pid)."""
    return sorted(p for parent in server.cgroup_parents for p in parent.glob(f"sandbox-{server.worker}-*"))


def processes_in_run_cgroups(server: Server) -> int:
    pids: set[int] = set()
    for directory in run_cgroups(server):
        try:
            pids.update(int(pid) for pid in (directory / "cgroup.procs").read_text().split())
        except OSError:
            pass  # removed meanwhile
    return len(pids)


def temp_dirs(worker: int) -> list[str]:
    """The worker's runtime and working dirs ("mpbook-<kind>-<pid>-...")."""
    return sorted(str(p) for p in Path(tempfile.gettempdir()).glob(f"mpbook-*-{worker}-*"))


def processes_using(worker: int) -> int:
    """Processes whose command line names the worker's runtime dir: its sandboxes, wherever they are."""
    marker = f"mpbook-runtime-{worker}-".encode()
    count = 0
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            if marker in cmdline.read_bytes():
                count += 1
        except OSError:
            pass
    return count


def sandboxes(worker: int) -> list[int]:
    """The worker's child processes: its sandboxes (bwrap's monitor, or the interpreter for basic)."""
    found: list[int] = []
    for children in Path(f"/proc/{worker}/task").glob("*/children"):
        try:
            found += [int(pid) for pid in children.read_text().split()]
        except OSError:
            pass  # a thread that just ended
    return found


def pipe_ends(pid: int) -> list[str]:
    """What each fd of ``pid`` points at ("pipe:[123]", "socket:[456]", a path)."""
    ends = []
    for fd in Path(f"/proc/{pid}/fd").iterdir() if Path(f"/proc/{pid}/fd").exists() else []:
        try:
            ends.append(os.readlink(fd))
        except OSError:
            pass
    return ends


def held(server: Server) -> dict[str, Any]:
    """What the server holds now: fds, resident memory, sandboxes, their cgroups and processes.

    Between bursts the pool keeps more warm sandboxes (engine/pool.py), each with four
    pipes to the worker: ``fds_beyond_sandboxes`` leaves those out, so that a grown pool
    does not read as a leak."""
    children = sandboxes(server.worker)
    theirs = {end for child in children for end in pipe_ends(child) if end.startswith("pipe:")}
    mine = pipe_ends(server.worker)
    cgroups: dict[str, int] = {}
    for directory in run_cgroups(server):
        try:
            count = len((directory / "cgroup.procs").read_text().split())
        except OSError:
            continue  # removed meanwhile
        cgroups[directory.name] = max(cgroups.get(directory.name, 0), count)
    return {"fds": len(mine), "fds_beyond_sandboxes": len([end for end in mine if end not in theirs]),
            "rss_mb": round(proc_status(server.worker, "VmRSS") / 1024, 1),
            "sandboxes": len(children), "run_cgroups": len(cgroups),
            "empty_run_cgroups": sum(1 for count in cgroups.values() if count == 0),
            "most_processes_in_a_sandbox": max(cgroups.values(), default=0),
            "sandbox_processes": processes_in_run_cgroups(server),
            "work_dirs": len([d for d in temp_dirs(server.worker) if "-run-" in d])}


def leaks(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """What the server holds that no waiting sandbox explains."""
    found = []
    if after["empty_run_cgroups"]:
        found.append(f"{after['empty_run_cgroups']} run cgroups without a process")
    if after["run_cgroups"] != after["sandboxes"]:
        found.append(f"{after['run_cgroups']} run cgroups for {after['sandboxes']} sandboxes")
    if after["most_processes_in_a_sandbox"] > before["most_processes_in_a_sandbox"]:
        found.append(f"a sandbox holds {after['most_processes_in_a_sandbox']} processes; a waiting one holds "
                     f"{before['most_processes_in_a_sandbox']}")
    if after["work_dirs"] > before["work_dirs"]:
        found.append(f"{after['work_dirs'] - before['work_dirs']} more working dirs than before the runs")
    return found
