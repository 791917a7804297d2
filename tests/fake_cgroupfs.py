"""A cgroup v2 tree in a temp dir that keeps the kernel's rules, for testing the v2 code.

This machine's controllers all sit in v1 hierarchies, so a real v2 tree with
controllers cannot be had here. The fake keeps what cgroups.py relies on, as
Documentation/admin-guide/cgroup-v2.rst states it:

- ``cgroup.controllers`` of a child lists what its parent's ``cgroup.subtree_control``
  enables, and a child has a controller's interface files (``pids.max``,
  ``pids.events``, ``memory.max``, ``memory.events``, ``memory.swap.max``,
  ``cpu.weight``) only then; enabling a controller later adds them to existing children;
- ``+c`` in ``cgroup.subtree_control`` needs ``c`` in the cgroup's own ``cgroup.controllers``
  (else ENOENT), and a non-root cgroup that holds processes cannot enable any (EBUSY:
  no internal processes);
- writing a pid to ``cgroup.procs`` moves it out of every other cgroup; a cgroup that
  enables controllers for its children cannot take processes (EBUSY);
  ``cgroup.procs`` lists only processes that are alive;
- ``cgroup.procs`` leaves out zombies; ``cgroup.kill`` SIGKILLs every process of the cgroup and its descendants;
- ``rmdir`` fails with EBUSY while the cgroup has processes or children; files cannot be created;
- who may write: root anywhere; otherwise only under a delegated cgroup (as
  ``systemd-run --user --scope -p Delegate=yes`` makes it): the delegated cgroup's own
  ``cgroup.procs`` and ``cgroup.subtree_control``, and everything below it.
"""

from __future__ import annotations

import errno
import os
import shutil
import signal
from pathlib import Path

from mpbook.engine.cgroups import CgroupFS

FILES = {
    "pids": {"pids.max": "max\n", "pids.current": "0\n", "pids.events": "max 0\n"},
    "memory": {"memory.max": "max\n", "memory.current": "0\n", "memory.swap.max": "max\n",
               "memory.events": "low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\noom_group_kill 0\n"},
    "cpu": {"cpu.weight": "100\n", "cpu.max": "max 100000\n"},
}
CORE = ("cgroup.controllers", "cgroup.subtree_control", "cgroup.procs", "cgroup.kill", "cgroup.events")


def _alive(pid: int) -> bool:
    """Alive and not a zombie: an exited task leaves its cgroup at once (cgroup_exit), before it is reaped."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rindex(")") + 2] != "Z"


class FakeCgroupFS(CgroupFS):
    """The v2 rules over a plain directory tree rooted at ``root``."""

    def __init__(self, root: Path, controllers: str = "cpu memory pids", as_root: bool = True,
                 delegated: tuple[Path, ...] = ()) -> None:
        self.root = root
        self.as_root = as_root
        self.delegated = delegated
        root.mkdir(parents=True, exist_ok=True)
        for name, text in {"cgroup.controllers": controllers + "\n", "cgroup.subtree_control": "\n",
                           "cgroup.procs": ""}.items():
            (root / name).write_text(text)

    # -- making a tree for a test (no permission checks) --------------------------------
    def make(self, path: Path, procs: tuple[int, ...] = ()) -> Path:
        """Create cgroup ``path`` (and its parents) as the system would, holding ``procs``."""
        if not path.exists():
            self.make(path.parent)
            self._create(path)
        for pid in procs:
            self._move(path, pid)
        return path

    # -- what cgroups.py calls ----------------------------------------------------------
    def read(self, path: Path) -> str:
        if path.name == "cgroup.procs":
            return "".join(f"{pid}\n" for pid in self._procs(path.parent))
        return path.read_text()

    def write(self, path: Path, text: str) -> None:
        if not path.is_file():
            raise PermissionError(errno.EACCES, "cgroupfs files cannot be created", str(path))
        self._may_write(path)
        directory = path.parent
        if path.name == "cgroup.subtree_control":
            self._subtree_control(directory, text.split())
        elif path.name == "cgroup.procs":
            if directory != self.root and self._enabled(directory):
                raise OSError(errno.EBUSY, "cgroup enables controllers for its children", str(path))
            self._move(directory, int(text))
        elif path.name == "cgroup.kill":
            for cgroup in [directory, *[p.parent for p in directory.rglob("cgroup.procs")]]:
                for pid in self._procs(cgroup):
                    os.kill(pid, signal.SIGKILL)
        else:
            path.write_text(text)

    def mkdir(self, path: Path) -> None:
        if path.exists():
            raise FileExistsError(errno.EEXIST, "File exists", str(path))
        if not (path.parent / "cgroup.controllers").is_file():
            raise FileNotFoundError(errno.ENOENT, "No such file or directory", str(path))
        self._may_change(path.parent)
        self._create(path)

    def rmdir(self, path: Path) -> None:
        if not path.is_dir():
            raise FileNotFoundError(errno.ENOENT, "No such file or directory", str(path))
        self._may_change(path.parent)
        if self._procs(path) or any(child.is_dir() for child in path.iterdir()):
            raise OSError(errno.EBUSY, "Device or resource busy", str(path))
        shutil.rmtree(path)

    # -- the rules ----------------------------------------------------------------------
    def _create(self, path: Path) -> None:
        path.mkdir()
        available = self._enabled(path.parent)
        for name in CORE:
            (path / name).write_text(" ".join(available) + "\n" if name == "cgroup.controllers" else "")
        for controller in available:
            self._add_files(path, controller)

    @staticmethod
    def _add_files(path: Path, controller: str) -> None:
        for name, text in FILES.get(controller, {}).items():
            if not (path / name).exists():
                (path / name).write_text(text)

    def _enabled(self, directory: Path) -> list[str]:
        return (directory / "cgroup.subtree_control").read_text().split()

    def _subtree_control(self, directory: Path, words: list[str]) -> None:
        own = (directory / "cgroup.controllers").read_text().split()
        enabled = self._enabled(directory)
        for word in words:
            sign, controller = word[0], word[1:]
            if sign not in "+-" or controller not in own:
                raise FileNotFoundError(errno.ENOENT, f"controller {controller!r} is not available", str(directory))
            if sign == "+" and directory != self.root and self._procs(directory):
                raise OSError(errno.EBUSY, "a cgroup with processes cannot enable controllers", str(directory))
            if sign == "+" and controller not in enabled:
                enabled.append(controller)
            elif sign == "-" and controller in enabled:
                enabled.remove(controller)
        (directory / "cgroup.subtree_control").write_text(" ".join(enabled) + "\n")
        for child in directory.iterdir():
            if (child / "cgroup.controllers").is_file():
                (child / "cgroup.controllers").write_text(" ".join(enabled) + "\n")
                for controller in enabled:
                    self._add_files(child, controller)

    def _procs(self, directory: Path) -> list[int]:
        try:
            pids = [int(word) for word in (directory / "cgroup.procs").read_text().split()]
        except (OSError, ValueError):
            return []
        return [pid for pid in pids if _alive(pid)]

    def _move(self, directory: Path, pid: int) -> None:
        for procs in self.root.rglob("cgroup.procs"):
            if procs.parent != directory:
                kept = [p for p in self._procs(procs.parent) if p != pid]
                procs.write_text("".join(f"{p}\n" for p in kept))
        here = [p for p in self._procs(directory) if p != pid]
        (directory / "cgroup.procs").write_text("".join(f"{p}\n" for p in [*here, pid]))

    def _may_write(self, path: Path) -> None:
        if self.as_root:
            return
        for top in self.delegated:
            below = path.parent.is_relative_to(top) and path.parent != top
            own = path.parent == top and path.name in ("cgroup.procs", "cgroup.subtree_control")
            if below or own:
                return
        raise PermissionError(errno.EACCES, "Permission denied", str(path))

    def _may_change(self, directory: Path) -> None:
        if not self.as_root and not any(directory.is_relative_to(top) for top in self.delegated):
            raise PermissionError(errno.EACCES, "Permission denied", str(directory))
