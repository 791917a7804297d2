"""The basic backend: for a machine without bubblewrap. It contains nothing, and says so."""

from __future__ import annotations

import os
import signal
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from mpbook.engine.sandbox.base import Backend, Runtime, Sandbox, _signal


class BasicBackend(Backend):
    """No containment: own session, temp working dir, cleared environment, rlimits.

    For a laptop without bubblewrap. Programs can read the user's files and use
    the network; a process that leaves the session survives the run."""

    name = "basic"
    is_contained = False

    def command(self, rt: Runtime, tmp_bytes: int, env: dict[str, str],
                fds: Sequence[int] = ()) -> tuple[list[str], str | None, Path | None]:
        workdir = Path(tempfile.mkdtemp(prefix=f"mpbook-run-{os.getpid()}-"))
        env["HOME"] = str(workdir)
        return [str(rt.python), "-I", "-u", str(rt.root / "boot.py")], str(workdir), workdir

    def scan(self, sandbox: Sandbox) -> set[int]:
        """Processes of the sandbox's session (Linux /proc; elsewhere just the main process)."""
        if not os.path.isdir("/proc"):
            return {sandbox.pid} if sandbox.popen.poll() is None else set()
        members = set()
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    stat = Path(f"/proc/{entry}/stat").read_text()
                except OSError:
                    continue
                fields = stat[stat.rindex(")") + 2:].split()
                if int(fields[3]) == sandbox.pid and fields[0] != "Z":  # session id
                    members.add(int(entry))
        return members

    def kill(self, sandbox: Sandbox) -> None:
        try:
            os.killpg(sandbox.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        for pid in self.scan(sandbox):
            _signal(pid, signal.SIGKILL)

    def kill_leftovers(self, sandbox: Sandbox) -> None:
        # The session, or the cgroup if there is one: it holds even processes that left the session.
        deadline = time.monotonic() + 5
        while sandbox.members() - {sandbox.pid} and time.monotonic() < deadline:
            sandbox.kill()
            time.sleep(0.005)

    def nproc_limit(self, processes: int) -> int | None:
        # RLIMIT_NPROC counts all of the user's processes, not only the run's.
        if os.geteuid() == 0 or not os.path.isdir("/proc"):
            return None
        uid = os.geteuid()
        mine = 0
        for entry in os.listdir("/proc"):
            try:
                mine += entry.isdigit() and os.stat(f"/proc/{entry}").st_uid == uid
            except OSError:
                pass
        return mine + processes
