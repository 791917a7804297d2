"""One cgroup per run: memory and process limits for the whole run, a kill switch, and
the reason a run was cut short.

RLIMIT_NPROC does not bind root and RLIMIT_AS counts each process alone, so a
cgroup is what stops a fork bomb or a memory bomb spread over many processes.
Supports cgroup v1 (a ``pids`` and a ``memory`` hierarchy, as on this machine)
and v2 (one hierarchy). Runs' cgroups live under ``<own cgroup>/mpbook`` in v1,
so they stay inside whatever confines the server. In v2 they live under
``<root>/mpbook`` where the server may write there (root), or else under a
delegated cgroup (``systemd-run --user --scope -p Delegate=yes``): the server
moves itself into a leaf ``<delegated>/mpbook-server``, since a v2 cgroup that
holds processes cannot give controllers to its children, and makes runs under
``<delegated>/mpbook``. A place counts as usable only once a child cgroup was
made and removed there. Every file operation goes through ``CgroupFS``, which the
tests replace with a fake tree that keeps the kernel's rules.
"""

from __future__ import annotations

import errno
import os
import signal
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

PARENT = "mpbook"
SERVER_LEAF = "mpbook-server"  # v2, delegated: where the server's own processes go
CONTROLLERS = ("pids", "memory")
# Used when the machine has them: every run's cgroup gets the same CPU weight, so a run
# that starts many busy processes shares the cores as one run, not as many; and
# (v1's cpuacct; v2 counts in cpu.stat always) the run's CPU time, for engine/usage.py.
SHARING = ("cpu", "cpuacct")


class CgroupFS:
    """The cgroup filesystem, as this module touches it."""

    def read(self, path: Path) -> str:
        return path.read_text()

    def write(self, path: Path, text: str) -> None:
        with open(path, "w") as file:  # one write(2): cgroupfs takes each write as one command
            file.write(text)

    def mkdir(self, path: Path) -> None:
        path.mkdir()

    def rmdir(self, path: Path) -> None:
        path.rmdir()


REAL = CgroupFS()


def _read_counter(fs: CgroupFS, path: Path, key: str) -> int:
    """The value of ``key`` in a "key value" per line file such as memory.events; 0 if absent."""
    try:
        for line in fs.read(path).splitlines():
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
    fs: CgroupFS = field(default=REAL, compare=False, repr=False)

    @classmethod
    def detect(cls, mounts: str = "/proc/self/mounts", own: str = "/proc/self/cgroup",
               fs: CgroupFS = REAL) -> Cgroups | None:
        """The usable cgroup setup of this machine, or None if there is none we may use."""
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
            for controller in controllers.split(",") if controllers else [""]:
                paths[controller] = path.lstrip("/")
        found = None
        parents = {c: v1[c] / paths.get(c, "") / PARENT for c in CONTROLLERS + SHARING if c in v1}
        required = {c: p for c, p in parents.items() if c in CONTROLLERS}
        if required:
            if all(_usable(fs, p) for p in required.values()):
                shared = {c: p for c, p in parents.items() if c in SHARING and _usable(fs, p)}
                found = cls(1, {**required, **shared}, fs)
        elif v2 is not None:
            found = _detect_v2(cls, fs, v2, v2 / paths.get("", ""))
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
                    if _ensure(self.fs, parent) and self.version == 2:
                        # A v2 parent made anew gives its children no controllers until told to.
                        _enable(self.fs, parent, tuple(self.parents))
                    self.fs.mkdir(parent / name)
                    break
                except FileNotFoundError:
                    if attempt == 2:
                        raise
            dirs.append(parent / name)
        return RunCgroup(self.version, {c: p / name for c, p in self.parents.items()}, dirs, self.fs)

    def reap_stale(self) -> None:
        """Kill and remove the cgroups of servers that died without cleaning up."""
        for parent in dict.fromkeys(self.parents.values()):
            for child in parent.glob("sandbox-*-*"):
                owner = child.name.split("-")[1]
                if owner.isdigit() and not os.path.exists(f"/proc/{owner}"):
                    stale = RunCgroup(self.version, {}, [child], self.fs)
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
                total += len(self.fs.read(child / "cgroup.procs").split())
            except OSError:
                pass  # the run ended and its cgroup went meanwhile
        return total

    def release(self) -> None:
        """Remove the parent dirs if no run uses them any more."""
        for parent in dict.fromkeys(self.parents.values()):
            try:
                self.fs.rmdir(parent)
            except OSError:
                pass


def _detect_v2(cls: type[Cgroups], fs: CgroupFS, root: Path, own: Path) -> Cgroups | None:
    """v2: runs under <root>/mpbook if we may, else under our delegated cgroup."""
    places = [(root, root / PARENT)]
    if own != root:
        delegated = own.parent if own.name == SERVER_LEAF else own
        places.append((delegated, delegated / PARENT))
    for top, parent in places:
        if not set(CONTROLLERS) <= _controllers(fs, top):
            continue
        if top != root and not _leave(fs, top, own):
            continue
        if _enable(fs, top, CONTROLLERS) and _usable(fs, parent) and _enable(fs, parent, CONTROLLERS):
            shared = [c for c in SHARING if c in _controllers(fs, top) and _enable(fs, top, (c,))
                      and _enable(fs, parent, (c,))]
            return cls(2, {c: parent for c in CONTROLLERS + tuple(shared)}, fs)
    return None


def _leave(fs: CgroupFS, top: Path, own: Path) -> bool:
    """Move the processes of delegated cgroup ``top`` into its leaf SERVER_LEAF, so that
    ``top`` may give controllers to its children (v2's no-internal-processes rule)."""
    leaf = top / SERVER_LEAF
    try:
        _ensure(fs, leaf)
        for pid in fs.read(top / "cgroup.procs").split():
            fs.write(leaf / "cgroup.procs", pid)
        return True
    except OSError:
        return False


def _ensure(fs: CgroupFS, directory: Path) -> bool:
    """Make ``directory`` unless it exists; True if it was made now."""
    try:
        fs.mkdir(directory)
        return True
    except FileExistsError:
        return False


def _usable(fs: CgroupFS, parent: Path) -> bool:
    """Whether runs' cgroups can be made under ``parent``: make one there and remove it.

    A parent that exists is not yet usable: another user (root's server) may own it."""
    probe = parent / f"sandbox-{os.getpid()}-probe{uuid.uuid4().hex[:8]}"  # reaped if rmdir fails
    try:
        _ensure(fs, parent)
        fs.mkdir(probe)
    except OSError:
        return False
    try:
        return os.access(probe / "cgroup.procs", os.W_OK)
    finally:
        try:
            fs.rmdir(probe)
        except OSError:
            pass


def _controllers(fs: CgroupFS, directory: Path) -> set[str]:
    try:
        return set(fs.read(directory / "cgroup.controllers").split())
    except OSError:
        return set()


def _enable(fs: CgroupFS, directory: Path, controllers: tuple[str, ...]) -> bool:
    try:
        fs.write(directory / "cgroup.subtree_control", " ".join(f"+{c}" for c in controllers))
        return True
    except OSError:
        return False


class RunCgroup:
    """The cgroup of one run (in v1, one dir per controller)."""

    def __init__(self, version: int, by_controller: dict[str, Path], dirs: list[Path], fs: CgroupFS = REAL) -> None:
        self.version = version
        self.by_controller = by_controller
        self.dirs = dirs
        self.fs = fs

    @property
    def procs_files(self) -> list[Path]:
        """Write a pid to each of these to place the process in the run's cgroup."""
        return [d / "cgroup.procs" for d in self.dirs]

    def holds(self, pid: int) -> bool:
        """Whether ``pid`` has joined every controller's cgroup (the last one is written last)."""
        try:
            return str(pid) in self.fs.read(self.procs_files[-1]).split()
        except OSError:
            return False

    def set_limits(self, memory_bytes: int, processes: int) -> None:
        """Limit the whole run (every process in the cgroup) to ``memory_bytes`` and ``processes`` tasks."""
        fs = self.fs
        if "pids" in self.by_controller:
            fs.write(self.by_controller["pids"] / "pids.max", str(processes))
        if "memory" not in self.by_controller:
            return
        memory = self.by_controller["memory"]
        if self.version == 2:
            fs.write(memory / "memory.max", str(memory_bytes))
            if (memory / "memory.swap.max").exists():  # absent without swap accounting
                fs.write(memory / "memory.swap.max", "0")
            return
        # v1 keeps memory.limit <= memsw.limit (memory + swap) at every step.
        swap = memory / "memory.memsw.limit_in_bytes"
        order = [memory / "memory.limit_in_bytes", swap]
        if int(fs.read(order[0])) < memory_bytes:
            order.reverse()
        for path in order:
            if path.exists():
                fs.write(path, str(memory_bytes))

    def pids(self) -> set[int]:
        """Every process in the run's cgroup (host pids)."""
        try:
            return {int(line) for line in self.fs.read(self.procs_files[0]).split()}
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
            if self.version == 2 and kill_file.exists():  # cgroup.kill: Linux 5.14
                self.fs.write(kill_file, "1")
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
            if _read_counter(self.fs, events, "oom_kill"):
                return "memory"
        if "pids" in self.by_controller and _read_counter(self.fs, self.by_controller["pids"] / "pids.events", "max"):
            return "processes"
        return None

    def remove(self, timeout: float = 2.0) -> None:
        """Delete the cgroup; its processes must be gone (rmdir waits briefly for exiting ones)."""
        deadline = time.monotonic() + timeout
        for directory in self.dirs:
            while True:
                try:
                    self.fs.rmdir(directory)
                    break
                except FileNotFoundError:
                    break
                except OSError as error:
                    if error.errno != errno.EBUSY or time.monotonic() > deadline:
                        raise
                    time.sleep(0.005)
