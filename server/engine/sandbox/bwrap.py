"""The bubblewrap backend: namespaces, a read-only view of only what the interpreter needs, tmpfs."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
from collections.abc import Sequence
from pathlib import Path

from mpbook.engine.cgroups import Cgroups
from mpbook.engine.sandbox import apparmor, seccomp
from mpbook.engine.sandbox.base import (
    PATH,
    SANDBOX_HOME,
    SANDBOX_RUNTIME,
    SANDBOX_UID,
    Backend,
    Runtime,
    Sandbox,
    _signal,
)


class BwrapBackend(Backend):
    """bubblewrap: own user, pid, net, ipc, uts, mount (and cgroup) namespaces; nothing of
    the host but /usr, the interpreter and the runtime, read-only; tmpfs for the rest."""

    name = "bwrap"
    is_contained = True
    overhead = 2  # bwrap's monitor outside and its pid 1 inside
    tmp_enforcement = "tmpfs size (/tmp, /dev/shm and the working dir, each)"

    def __init__(self, cgroups: Cgroups | None, note: str = "", hardening: tuple[str, ...] = (),
                 filtered: bool = True, bwrap: str = "bwrap", python: str | None = None) -> None:
        super().__init__(cgroups, note, python)
        self.bwrap = bwrap  # the executable, as found on PATH by probe
        self.hardening = hardening
        self.filtered = filtered  # the seccomp filter (seccomp.py) is loaded into every run

    @classmethod
    def probe(cls, cgroups: Cgroups | None, python: str | None = None) -> BwrapBackend | str:
        """A working backend running ``python`` (default: the server's), or why bwrap cannot be used here."""
        bwrap = shutil.which("bwrap")
        if bwrap is None:
            return "bwrap is not installed"
        unfiltered = seccomp.available()  # builds the filter now, not at the first run
        problem = ""
        # --disable-userns needs bubblewrap 0.8; older ones still sandbox well without it.
        for hardening in (("--disable-userns",), ()):
            backend = cls(cgroups, unfiltered or "", hardening=hardening, filtered=unfiltered is None, bwrap=bwrap,
                          python=python)
            fds = backend.open_fds()
            try:
                argv, _, _ = backend.command(backend.runtime(), 2**20, {}, fds)
                argv[argv.index("-u"):] = ["-S", "-c", "pass"]
                done = subprocess.run(argv, capture_output=True, timeout=30, env={}, pass_fds=fds)
            except (OSError, subprocess.TimeoutExpired) as error:
                return f"bwrap failed to start: {error}"
            finally:
                for fd in fds:
                    os.close(fd)
            if done.returncode == 0:
                return backend
            problem = problem or done.stderr.decode(errors="replace").strip()
        return apparmor.explain(problem) or f"bwrap does not work here: {problem}"

    def open_fds(self) -> list[int]:
        return [seccomp.pipe()] if self.filtered else []

    def command(self, rt: Runtime, tmp_bytes: int, env: dict[str, str],
                fds: Sequence[int] = ()) -> tuple[list[str], str | None, Path | None]:
        argv = [
            self.bwrap, "--unshare-all", "--unshare-user", "--uid", str(SANDBOX_UID), "--gid", str(SANDBOX_UID),
            *self.hardening, "--cap-drop", "ALL", "--die-with-parent", "--new-session", "--hostname", "mpbook",
            "--clearenv",
        ]
        if fds:
            argv += ["--seccomp", str(fds[0])]  # loaded into the program's process after bwrap's setup
        for name, value in {**env, "HOME": str(SANDBOX_HOME)}.items():
            argv += ["--setenv", name, value]
        argv += ["--proc", "/proc", "--dev", "/dev", "--ro-bind", "/usr", "/usr"]
        for top in ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"):
            if os.path.islink(top):
                argv += ["--symlink", os.readlink(top), top]
            elif os.path.isdir(top):
                argv += ["--ro-bind", top, top]
        for prefix in rt.prefixes:
            if not prefix.is_relative_to("/usr"):
                argv += ["--ro-bind", str(prefix), str(prefix)]
        argv += ["--ro-bind", str(rt.root), str(SANDBOX_RUNTIME)]
        for tmpfs in ("/tmp", "/dev/shm", str(SANDBOX_HOME)):
            argv += ["--size", str(tmp_bytes), "--tmpfs", tmpfs]
        argv += [
            "--remount-ro", "/dev", "--remount-ro", "/", "--chdir", str(SANDBOX_HOME),
            str(SANDBOX_RUNTIME / "bin" / "python"), "-I", "-u", str(SANDBOX_RUNTIME / "boot.py"),
        ]
        return argv, "/", None  # cwd "/": bwrap's own environment ($PWD) is visible inside

    def enforcement(self, sandbox: Sandbox | None = None) -> dict[str, str]:
        return {**super().enforcement(sandbox), "system_calls": "seccomp filter (bwrap --seccomp)" if self.filtered
                else f"nothing ({self.note})"}

    def popen_env(self, env: dict[str, str]) -> dict[str, str]:
        return {"PATH": PATH}  # bwrap itself needs no more; --setenv gives the sandbox its own

    def _init_pid(self, sandbox: Sandbox) -> int | None:
        """Host pid of bwrap's pid 1 inside the sandbox: the only child of bwrap's monitor."""
        try:
            children = Path(f"/proc/{sandbox.pid}/task/{sandbox.pid}/children").read_text().split()
        except OSError:
            return None
        return int(children[0]) if children else None

    def infrastructure(self, sandbox: Sandbox) -> set[int]:
        return {sandbox.pid} | ({init} if (init := self._init_pid(sandbox)) else set())

    def scan(self, sandbox: Sandbox) -> set[int]:
        init = self._init_pid(sandbox)
        if init is None:
            return set()
        try:
            namespace = os.readlink(f"/proc/{init}/ns/pid")
        except OSError:
            return set()
        members = {sandbox.pid}
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    if os.readlink(f"/proc/{entry}/ns/pid") == namespace:
                        members.add(int(entry))
                except OSError:
                    pass
        return members

    def tasks(self, sandbox: Sandbox) -> int:
        # In its own user namespace the run's uid counts only the run's tasks (Linux 5.14+
        # counts RLIMIT_NPROC per user namespace); bwrap's monitor outside is not one.
        count = 0
        for pid in self.scan(sandbox) - {sandbox.pid}:
            try:
                count += len(os.listdir(f"/proc/{pid}/task"))
            except OSError:
                pass
        return count

    def kill(self, sandbox: Sandbox) -> None:
        # When pid 1 of a pid namespace dies, the kernel kills every process in it,
        # daemons included, and only then lets pid 1 be reaped. Killing bwrap's
        # monitor instead would reach pid 1 only through --die-with-parent.
        init = self._init_pid(sandbox)
        _signal(init if init is not None else sandbox.pid, signal.SIGKILL)

    def exit_code(self, returncode: int) -> int:
        # bwrap exits with 128 + N when the program died of signal N.
        return -(returncode - 128) if 128 < returncode < 128 + signal.NSIG else returncode
