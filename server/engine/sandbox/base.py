"""What every sandbox backend shares: the runtime venv, a started Sandbox, the Backend base.

A sandbox is an interpreter from the runtime venv started ahead of its program,
blocked reading the program on stdin (runtime/boot.py), with stdout and stderr on
pipes and the record pipe (runtime/sitecustomize.py) on a passed fd.
"""

from __future__ import annotations

import atexit
import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from mpbook.engine import wire
from mpbook.engine.cgroups import Cgroups, RunCgroup

log = logging.getLogger(__name__)

RUNTIME_SOURCES = Path(__file__).resolve().parent.parent / "runtime"
WIRE_SOURCE = Path(wire.__file__)
SANDBOX_RUNTIME = Path("/opt/mpbook")  # where bwrap shows the runtime venv
SANDBOX_HOME = Path("/home/mpbook")  # the working dir inside bwrap (a tmpfs)
SANDBOX_UID = 65534  # "nobody" inside the user namespace
PATH = "/usr/local/bin:/usr/bin:/bin"
# sh writes its own pid to each cgroup.procs file given before "--", then execs the rest.
CGROUP_TRAMPOLINE = 'for f; do [ "$f" = -- ] && break; echo $$ > "$f" || exit 125; shift; done; shift; exec "$@"'


class SandboxError(RuntimeError):
    """A sandbox could not be set up."""


@dataclass(frozen=True)
class Runtime:
    """A venv made for the interpreter that runs readers' programs: our sitecustomize in
    every interpreter of a run.

    pyvenv.cfg + a bin/python symlink + site-packages/sitecustomize.py start with
    ``-I`` almost as fast as ``-I -S``, and spawn and forkserver children, which
    exec ``sys.executable`` with the same flags, load it too.
    """

    root: Path
    interpreter: Path  # the real binary, symlinks resolved
    prefixes: tuple[Path, ...]  # what the interpreter reads: its stdlib, its shared libraries
    version: str  # its platform.python_version(), e.g. "3.12.1"
    default_start_method: str  # what multiprocessing uses there when a run asks for none

    @property
    def python(self) -> Path:
        return self.root / "bin" / "python"


_runtimes: dict[Path, Runtime] = {}
_runtime_lock = threading.Lock()

# Run once by the chosen interpreter itself (-I -S: nothing but its standard library),
# so that the venv matches its version: it lays out site-packages, copies in the
# modules given as "source=name" and compiles them with its own bytecode (sandboxes
# see them read-only), and reports what the server needs to know.
_PROBE = """
import json, multiprocessing, os, platform, py_compile, shutil, sys
root, modules = sys.argv[1], sys.argv[2:]
site = os.path.join(root, "lib", "python%d.%d" % sys.version_info[:2], "site-packages")
os.makedirs(site)
for module in modules:
    source, name = module.rsplit("=", 1)
    shutil.copy2(source, os.path.join(site, name))
    py_compile.compile(os.path.join(site, name), doraise=True)
# Debian's python3 has a sitecustomize of its own in the standard library, which comes first
# on sys.path: this .pth (read by site before it imports sitecustomize) puts ours first.
with open(os.path.join(site, "00-mpbook-first.pth"), "w") as pth:
    pth.write("import sys; sys.path.insert(0, sys.path.pop(sys.path.index(sitedir)))\\n")
print(json.dumps({"version": platform.python_version(), "executable": os.path.realpath(sys.executable),
                  "prefixes": sorted({os.path.realpath(p) for p in (sys.base_prefix, sys.base_exec_prefix)}),
                  "start_method": multiprocessing.get_start_method()}))
"""


def runtime(python: str | os.PathLike[str] | None = None) -> Runtime:
    """The runtime venv for ``python`` (default: the server's own interpreter), built on
    first use, removed when this server process exits. Raises SandboxError when
    ``python`` does not run."""
    interpreter = Path(os.path.realpath(python or sys.executable))
    with _runtime_lock:
        if interpreter not in _runtimes:
            _runtimes[interpreter] = _build_runtime(interpreter)
        return _runtimes[interpreter]


def _build_runtime(interpreter: Path) -> Runtime:
    _reap_stale_dirs()
    root = Path(tempfile.mkdtemp(prefix=f"mpbook-runtime-{os.getpid()}-"))
    atexit.register(_remove_runtime, root, os.getpid())
    root.chmod(0o755)
    found, problem = None, ""
    try:
        modules = [f"{RUNTIME_SOURCES / 'sitecustomize.py'}=sitecustomize.py",
                   f"{WIRE_SOURCE}=mpbook_wire.py"]  # the record format sitecustomize writes
        done = subprocess.run([str(interpreter), "-I", "-S", "-c", _PROBE, str(root), *modules],
                              capture_output=True, text=True, timeout=60, env={"PATH": PATH})
        if done.returncode == 0:
            found = json.loads(done.stdout)
        else:
            problem = (done.stderr.strip().splitlines() or [f"exit code {done.returncode}"])[-1]
    except (OSError, subprocess.TimeoutExpired, ValueError) as error:
        problem = str(error)
    if found is None:
        shutil.rmtree(root, ignore_errors=True)
        raise SandboxError(f"the interpreter {interpreter} cannot run readers' programs: {problem}")
    (root / "pyvenv.cfg").write_text(
        f"home = {Path(found['executable']).parent}\ninclude-system-site-packages = false\n"
        f"version = {found['version']}\n"
    )
    (root / "bin").mkdir()
    (root / "bin" / "python").symlink_to(found["executable"])
    shutil.copy2(RUNTIME_SOURCES / "boot.py", root)
    return Runtime(root, Path(found["executable"]), tuple(Path(p) for p in found["prefixes"]), found["version"],
                   found["start_method"])


def reap_leftovers() -> None:
    """Remove the runtime and working dirs, and the run cgroups, of server processes that are gone.

    A worker that was killed cannot clean up after itself; the process that
    started it calls this when it exits."""
    _reap_stale_dirs()
    Cgroups.detect()  # which reaps stale run cgroups as it looks


def _reap_stale_dirs() -> None:
    """Remove the runtime and working dirs of servers that died without cleaning up.

    Their names carry the pid of the server that made them ("mpbook-run-<pid>-...")."""
    for path in Path(tempfile.gettempdir()).glob("mpbook-*-*-*"):
        owner = path.name.split("-")[2]
        if owner.isdigit() and not _alive(int(owner)):
            shutil.rmtree(path, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    return True


def _remove_runtime(root: Path, creator: int) -> None:
    if os.getpid() == creator:  # not in a forked child that exits normally
        shutil.rmtree(root, ignore_errors=True)


class Sandbox:
    """One started sandbox: its process, its pipes, its cgroup; used for one run, then closed."""

    def __init__(self, backend: Backend, popen: subprocess.Popen[bytes], records: int,
                 cgroup: RunCgroup | None, workdir: Path | None) -> None:
        self.backend = backend
        self.popen = popen
        self.records = records  # read end of the record pipe
        self.cgroup = cgroup
        self.workdir = workdir  # a host dir to delete after the run (basic backend)
        self.cgroup_problem = ""  # why the sandbox has no cgroup although the backend has cgroups
        self.id = uuid.uuid4().hex[:12]

    @property
    def pid(self) -> int:
        return self.popen.pid

    def send(self, message: bytes, keep_input: bool = False) -> None:
        """Give boot.py its control message (length-prefixed); then close its stdin, or keep
        it open, not blocking, for the program's input (``write_input``)."""
        assert self.popen.stdin is not None
        try:
            self.popen.stdin.write(len(message).to_bytes(4, "little") + message)
            if keep_input:
                os.set_blocking(self.popen.stdin.fileno(), False)
            else:
                self.popen.stdin.close()
        except BrokenPipeError:
            self.popen.stdin.close()  # the sandbox died; the run will see it end

    def write_input(self, data: bytes) -> int:
        """Write what the pipe to the program's stdin takes now; the bytes written.

        Raises BlockingIOError when the pipe is full (the program is not reading)
        and OSError (BrokenPipeError, ValueError) when its stdin is gone."""
        assert self.popen.stdin is not None
        if self.popen.stdin.closed:
            raise BrokenPipeError("the program's input is closed")
        return os.write(self.popen.stdin.fileno(), data)

    def close_input(self) -> None:
        """End of file on the program's stdin."""
        if self.popen.stdin is not None:
            self.popen.stdin.close()

    def members(self) -> set[int]:
        """Host pids of every process of this sandbox that still exists."""
        return self.cgroup.pids() if self.cgroup else self.backend.scan(self)

    def interrupt(self) -> None:
        """SIGINT to the program's processes, as Ctrl-C in a terminal would."""
        for pid in self.members() - self.backend.infrastructure(self):
            _signal(pid, signal.SIGINT)

    def kill(self) -> None:
        """SIGKILL to every process of the sandbox, at once."""
        self.backend.kill(self)
        if self.cgroup:
            self.cgroup.kill(timeout=0)

    def finish(self, timeout: float = 5.0) -> int:
        """Kill what is left, wait until every process is gone; the main process's exit code."""
        self.backend.kill_leftovers(self)
        try:
            code = self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            code = self.popen.wait(timeout)
        if self.cgroup and not self.cgroup.kill(timeout):
            raise SandboxError(f"processes of sandbox {self.id} would not die")
        return self.backend.exit_code(code)

    def close(self) -> None:
        """Release what is left: fds, the working dir, the cgroup. Every process must be gone."""
        for stream in (self.popen.stdin, self.popen.stdout, self.popen.stderr):
            if stream is not None:
                stream.close()
        os.close(self.records)
        if self.workdir is not None:
            shutil.rmtree(self.workdir, ignore_errors=True)
        if self.cgroup is not None:
            self.cgroup.remove()


def _signal(pid: int, sig: int) -> None:
    try:
        os.kill(pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


class Backend:
    """How sandboxes are made. Subclasses: BwrapBackend, BasicBackend."""

    name = "?"
    is_contained = False
    overhead = 0  # processes of the sandbox machinery itself, counted by the cgroup
    tmp_enforcement = "nothing (the host's /tmp)"

    def __init__(self, cgroups: Cgroups | None, note: str = "", python: str | None = None) -> None:
        self.cgroups = cgroups
        self.note = note  # why this backend, in plain words
        self.python = python or None  # the interpreter that runs readers' programs; None: the server's
        self._cgroup_problems: set[str] = set()  # already logged

    def runtime(self) -> Runtime:
        """The runtime venv of this backend's interpreter."""
        return runtime(self.python)

    def launch(self, tmp_bytes: int) -> Sandbox:
        """Start a sandbox; it waits for its control message (see boot.py).

        If the run's cgroup cannot be made or joined, the sandbox starts without
        one (rlimits alone) and ``Sandbox.cgroup_problem`` says why; it never fails for that."""
        cgroup, problem = None, ""
        if self.cgroups is not None:
            try:
                cgroup = self.cgroups.create()
            except OSError as error:
                problem = self._cgroup_failed(f"the run's cgroup could not be made: {error}")
        sandbox = self._start(tmp_bytes, cgroup)
        if cgroup is not None and not self._joined(sandbox, cgroup):
            assert sandbox.popen.stderr is not None
            said = sandbox.popen.stderr.read().decode(errors="replace").strip()
            sandbox.finish()
            sandbox.close()
            problem = self._cgroup_failed(f"the run's cgroup could not be joined: {said or 'no reason given'}")
            sandbox = self._start(tmp_bytes, None)
        sandbox.cgroup_problem = problem
        return sandbox

    def _cgroup_failed(self, problem: str) -> str:
        """Log a cgroup failure (once for each kind: made, joined); the words for the run."""
        kind = problem.partition(":")[0]
        if kind not in self._cgroup_problems:
            self._cgroup_problems.add(kind)
            log.warning("%s; the run goes on under rlimits alone", problem)
        return problem

    @staticmethod
    def _joined(sandbox: Sandbox, cgroup: RunCgroup, timeout: float = 5.0) -> bool:
        """Wait until the trampoline has put the sandbox in its cgroup; False if it gave up (exit 125)."""
        deadline = time.monotonic() + timeout
        while not cgroup.holds(sandbox.pid):
            if sandbox.popen.poll() is not None:
                return False
            if time.monotonic() > deadline:
                return True  # a slow machine: the trampoline has not failed, so it will join
            time.sleep(0.0005)
        return True

    def _start(self, tmp_bytes: int, cgroup: RunCgroup | None) -> Sandbox:
        rt = self.runtime()
        workdir = None
        read, write = os.pipe()
        extra: list[int] = []
        try:
            extra = self.open_fds()
            env = {"PATH": PATH, "LANG": "C.UTF-8", wire.ENV: f"{write}:{os.fstat(write).st_ino}"}
            argv, cwd, workdir = self.command(rt, tmp_bytes, env, extra)
            if cgroup is not None:
                # Join the cgroup before bwrap forks, so that nothing of the run escapes it.
                argv = ["/bin/sh", "-c", CGROUP_TRAMPOLINE, "mpbook-cgroup", *map(str, cgroup.procs_files), "--", *argv]
            popen = subprocess.Popen(
                argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, bufsize=0,
                pass_fds=(write, *extra), cwd=cwd, env=self.popen_env(env), start_new_session=not self.is_contained,
            )
        except BaseException:
            os.close(read)
            if workdir is not None:
                shutil.rmtree(workdir, ignore_errors=True)
            if cgroup is not None:
                cgroup.remove()
            raise
        finally:
            for fd in (write, *extra):
                os.close(fd)
        return Sandbox(self, popen, read, cgroup, workdir)

    def open_fds(self) -> list[int]:
        """Fds the command reads as it starts (made for each launch; closed once it has started)."""
        return []

    def command(self, rt: Runtime, tmp_bytes: int, env: dict[str, str],
                fds: Sequence[int] = ()) -> tuple[list[str], str | None, Path | None]:
        """argv, cwd for Popen, and a host dir to delete after the run; ``fds`` come from open_fds."""
        raise NotImplementedError

    def popen_env(self, env: dict[str, str]) -> dict[str, str]:
        """The environment Popen starts the command with."""
        return env

    def infrastructure(self, sandbox: Sandbox) -> set[int]:
        """Host pids of the sandbox's machinery, never sent polite signals."""
        return set()

    def scan(self, sandbox: Sandbox) -> set[int]:
        """The sandbox's processes, found without a cgroup."""
        raise NotImplementedError

    def kill(self, sandbox: Sandbox) -> None:
        raise NotImplementedError

    def tasks(self, sandbox: Sandbox) -> int:
        """What RLIMIT_NPROC counts for the run: here, every process and thread of this user."""
        uid, count = os.getuid(), 0
        for entry in os.listdir("/proc"):
            try:
                if entry.isdigit() and os.stat(f"/proc/{entry}").st_uid == uid:
                    count += len(os.listdir(f"/proc/{entry}/task"))
            except OSError:
                pass
        return count

    def kill_leftovers(self, sandbox: Sandbox) -> None:
        """After the main process ended: kill what it left running."""

    def exit_code(self, returncode: int) -> int:
        """The main process's exit code, negative for a signal (as in subprocess)."""
        return returncode

    def nproc_limit(self, processes: int) -> int | None:
        """RLIMIT_NPROC for the run, or None where it would not work."""
        return None if os.geteuid() == 0 else processes + self.overhead

    def enforcement(self, sandbox: Sandbox | None = None) -> dict[str, str]:
        """What enforces each limit (of ``sandbox``'s run, or of runs in general), in plain words."""
        if sandbox is not None:
            controllers = set(sandbox.cgroup.by_controller) if sandbox.cgroup else set()
        else:
            controllers = set(self.cgroups.parents) if self.cgroups else set()
        why = f" ({sandbox.cgroup_problem})" if sandbox is not None and sandbox.cgroup_problem else ""
        memory = "cgroup (whole run)" if "memory" in controllers else f"RLIMIT_AS (each process){why}"
        processes = "cgroup pids.max (whole run)" if "pids" in controllers \
            else ("RLIMIT_NPROC" if os.geteuid() != 0 else "nothing (root without cgroups)") + why
        return {
            "wall_seconds": "runner timer", "cpu_seconds": "RLIMIT_CPU (each process)", "memory_bytes": memory,
            "processes": processes, "output_bytes": "runner", "file_bytes": "RLIMIT_FSIZE",
            "open_files": "RLIMIT_NOFILE (each process)", "source_bytes": "runner",
            "tmp_bytes": self.tmp_enforcement, "input_bytes": "runner",
            "system_calls": "nothing (the basic backend filters none)",
        }
