"""One cgroup per run: memory and process limits for the whole run, a kill switch, and
the reason a run was cut short.

RLIMIT_NPROC does not bind root and RLIMIT_AS counts each process alone, so a
cgroup is what stops a fork bomb or a memory bomb spread over many processes.
Supports cgroup v1 (a ``pids`` and a ``memory`` hierarchy, as on this machine)
and v2 (one hierarchy). Runs' cgroups live under ``<own cgroup>/mpbook`` in v1,
so they stay inside whatever confines the server, and under ``<root>/mpbook`` in
v2, where the server's own cgroup cannot have child controllers while it holds
processes.
"""

from __future__ import annotations

import errno
import os
import signal
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

PARENT = "mpbook"
CONTROLLERS = ("pids", "memory")
# Used when the machine has them: every run's cgroup gets the same CPU weight, so a run
# that starts many busy processes shares the cores as one run, not as many; and
# (v1's cpuacct; v2 counts in cpu.stat always) the run's CPU time, for engine/usage.py.
SHARING = ("cpu", "cpuacct")


def _read_counter(path: Path, key: str) -> int:
    """The value of ``key`` in a "key value" per line file such as memory.events; 0 if absent."""
    try:
        for line in path.read_text().splitlines():
            name, _, value = line.partition(" ")
            if name == key:
                return int(value)
    except OSError:
        pass
    return 0


@dataclass(frozen=True)
class Cgroups:
    """Where runs' cgroups are made, and how."""

    version: int
    parents: dict[str, Path]  # controller -> parent dir; in v2 every controller shares one

    @classmethod
    def detect(cls, mounts: str = "/proc/self/mounts", own: str = "/proc/self/cgroup") -> Cgroups | None:
        """The writable cgroup setup of this machine, or None if there is none we may use."""
        try:
            mount_lines = Path(mounts).read_text().splitlines()
            own_lines = Path(own).read_text().splitlines()
        except OSError:
            return None
        v1: dict[str, Path] = {}
        v2: Path | None = None
        for line in mount_lines:
            _, point, kind, options, *_ = line.split()
            if kind == "cgroup":
                for controller in CONTROLLERS + SHARING:
                    if controller in options.split(","):
                        v1[controller] = Path(point)
            elif kind == "cgroup2":
                v2 = Path(point)
        paths = {}
        for line in own_lines:
            _, controllers, path = line.split(":", 2)
            for controller in controllers.split(","):
                paths[controller] = path.lstrip("/")
        found = None
        parents = {c: v1[c] / paths.get(c, "") / PARENT for c in CONTROLLERS + SHARING if c in v1}
        required = {c: p for c, p in parents.items() if c in CONTROLLERS}
        if required:
            if _usable(required.values()):
                found = cls(1, {**required, **{c: p for c, p in parents.items() if c in SHARING and _usable([p])}})
        elif v2 is not None and _has_controllers(v2):
            parent = v2 / PARENT
            if _usable([parent]) and _enable_controllers(v2, CONTROLLERS) and _enable_controllers(parent, CONTROLLERS):
                shared = [c for c in SHARING if _enable_controllers(v2, (c,)) and _enable_controllers(parent, (c,))]
                found = cls(2, {c: parent for c in CONTROLLERS + tuple(shared)})
        if found is not None:
            found.reap_stale()
        return found

    def create(self) -> RunCgroup:
        """A new, empty cgroup for one sandbox; its name carries this server's pid (see reap_stale)."""
        name = f"sandbox-{os.getpid()}-{uuid.uuid4().hex[:12]}"
        dirs = []
        for parent in dict.fromkeys(self.parents.values()):  # v2: one dir for all controllers
            for attempt in range(3):
                try:
                    # Another runner may remove an empty parent at any time: retry.
                    os.makedirs(parent, exist_ok=True)
                    (parent / name).mkdir()
                    break
                except FileNotFoundError:
                    if attempt == 2:
                        raise
            dirs.append(parent / name)
        return RunCgroup(self.version, {c: p / name for c, p in self.parents.items()}, dirs)

    def reap_stale(self) -> None:
        """Kill and remove the cgroups of servers that died without cleaning up."""
        for parent in dict.fromkeys(self.parents.values()):
            for child in parent.glob("sandbox-*-*"):
                owner = child.name.split("-")[1]
                if owner.isdigit() and not os.path.exists(f"/proc/{owner}"):
                    stale = RunCgroup(self.version, {}, [child])
                    stale.kill(timeout=1)
                    try:
                        stale.remove(timeout=1)
                    except OSError:
                        pass

    def processes(self) -> int:
        """Processes in this server's run cgroups, warm sandboxes included (for the status page)."""
        total = 0
        for child in self.parents["pids"].glob(f"sandbox-{os.getpid()}-*"):
            try:
                total += len((child / "cgroup.procs").read_text().split())
            except OSError:
                pass  # the run ended and its cgroup went meanwhile
        return total

    def release(self) -> None:
        """Remove the parent dirs if no run uses them any more."""
        for parent in dict.fromkeys(self.parents.values()):
            try:
                parent.rmdir()
            except OSError:
                pass


def _usable(parents: Iterable[Path]) -> bool:
    try:
        for parent in parents:
            os.makedirs(parent, exist_ok=True)
        return True
    except OSError:
        return False


def _has_controllers(directory: Path) -> bool:
    try:
        return set(CONTROLLERS) <= set((directory / "cgroup.controllers").read_text().split())
    except OSError:
        return False


def _enable_controllers(directory: Path, controllers: tuple[str, ...]) -> bool:
    try:
        (directory / "cgroup.subtree_control").write_text(" ".join(f"+{c}" for c in controllers))
        return True
    except OSError:
        return False


class RunCgroup:
    """The cgroup of one run (in v1, one dir per controller)."""

    def __init__(self, version: int, by_controller: dict[str, Path], dirs: list[Path]) -> None:
        self.version = version
        self.by_controller = by_controller
        self.dirs = dirs

    @property
    def procs_files(self) -> list[Path]:
        """Write a pid to each of these to place the process in the run's cgroup."""
        return [d / "cgroup.procs" for d in self.dirs]

    def set_limits(self, memory_bytes: int, processes: int) -> None:
        """Limit the whole run (every process in the cgroup) to ``memory_bytes`` and ``processes`` tasks."""
        if "pids" in self.by_controller:
            (self.by_controller["pids"] / "pids.max").write_text(str(processes))
        if "memory" not in self.by_controller:
            return
        memory = self.by_controller["memory"]
        if self.version == 2:
            (memory / "memory.max").write_text(str(memory_bytes))
            (memory / "memory.swap.max").write_text("0")
            return
        # v1 keeps memory.limit <= memsw.limit (memory + swap) at every step.
        swap = memory / "memory.memsw.limit_in_bytes"
        order = [memory / "memory.limit_in_bytes", swap]
        if int(order[0].read_text()) < memory_bytes:
            order.reverse()
        for path in order:
            if path.exists():
                path.write_text(str(memory_bytes))

    def pids(self) -> set[int]:
        """Every process in the run's cgroup (host pids)."""
        try:
            return {int(line) for line in self.procs_files[0].read_text().split()}
        except OSError:
            return set()

    def kill(self, timeout: float = 5.0) -> bool:
        """SIGKILL every process in the cgroup until it is empty; False if it would not empty."""
        kill_file = self.dirs[0] / "cgroup.kill"
        deadline = time.monotonic() + timeout
        while True:
            pids = self.pids()
            if not pids:
                return True
            if self.version == 2 and kill_file.exists():
                kill_file.write_text("1")
            else:
                for pid in pids:
                    try:
                        os.kill(pid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.005)

    def limit_hit(self) -> str | None:
        """"memory" if the OOM killer struck in this cgroup, "processes" if a fork hit pids.max."""
        if "memory" in self.by_controller:
            memory = self.by_controller["memory"]
            events = memory / ("memory.events" if self.version == 2 else "memory.oom_control")
            if _read_counter(events, "oom_kill"):
                return "memory"
        if "pids" in self.by_controller and _read_counter(self.by_controller["pids"] / "pids.events", "max"):
            return "processes"
        return None

    def remove(self, timeout: float = 2.0) -> None:
        """Delete the cgroup; its processes must be gone (rmdir waits briefly for exiting ones)."""
        deadline = time.monotonic() + timeout
        for directory in self.dirs:
            while True:
                try:
                    directory.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError as error:
                    if error.errno != errno.EBUSY or time.monotonic() > deadline:
                        raise
                    time.sleep(0.005)
