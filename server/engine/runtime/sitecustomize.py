"""Tag the output of every process of a sandboxed run, and report its processes.

``site`` imports this module in every interpreter started from the runtime venv:
the run's main process, and (because they exec the same interpreter with the same
flags) multiprocessing's spawn and forkserver children. When the environment
names a record pipe, ``sys.stdout`` and ``sys.stderr`` become unbuffered text
streams whose writes travel as framed records: who wrote (pid, multiprocessing
name), to which stream, what. Each record is one ``os.write`` of at most
PIPE_BUF bytes, which POSIX makes atomic on a pipe, so records from concurrent
processes never interleave. Bytes written below ``sys.stdout`` (``os.write(1,
...)``, subprocesses) still go to fds 1 and 2 and reach the runner untagged.

The record format is engine/wire.py's, copied beside this file as ``mpbook_wire``.
The server imports this module too (for ``stack_signal``); without the
environment variable it installs nothing.

It also lets the runner ask any process of the run for its stack: the signal
``stack_signal()`` (a real-time signal, whose default action a program of this
book never meets) runs ``_answer_stacks``, which writes every thread's Python
stack, in faulthandler's layout, as STACK records. A Python-level handler runs
in the main thread between bytecodes (blocking waits such as ``join``, a lock's
``acquire`` or ``Queue.get`` retry after running it), so a process that blocks
the signal, replaced the handler, or computes inside one long C call does not
answer; the runner reports it as not answering. Fork children inherit the
handler; spawn and forkserver children install it here again.
"""

from __future__ import annotations

import _signal
import _thread
import io
import os
import sys

TYPE_CHECKING = False  # typing costs milliseconds at every interpreter start; checkers know this name
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Sequence
    from importlib.machinery import ModuleSpec
    from multiprocessing.process import BaseProcess
    from types import FrameType, ModuleType

try:  # in the runtime venv, where sandbox/base.py puts engine/wire.py
    import mpbook_wire as wire  # type: ignore[import-not-found]  # exists only in the runtime venv
except ImportError:  # imported by the server (engine/stacks.py reads stack_signal)
    from mpbook.engine import wire
FRAMES_MAX = 100  # per thread, as faulthandler
JITTER_ENV = "MPBOOK_JITTER"  # the seed of the delays a Check injects at synchronisation points
JITTER_CHANCE = 0.2  # of a pause at each synchronisation point
JITTER_MAX = 0.002  # longest pause, in seconds

_fd = -1
_home = "\0"  # the run's working directory, where the reader's files are (set by _install)
_jitter_seed: str | None = None
_jitter_rngs: dict[int, object] = {}  # pid -> random.Random: each process draws its own


def _current_name() -> str:
    # Only ask multiprocessing if the program imported it: importing it here
    # would slow down every program that does not use it.
    process = sys.modules.get("multiprocessing.process")
    return process.current_process().name if process else "MainProcess"


def emit(kind: int, stream: int, data: bytes, name: str | None = None) -> None:
    """Write ``data`` as records, split so that each fits in one atomic write."""
    raw_name = (_current_name() if name is None else name).encode("utf-8", "replace")[:wire.NAME_MAX]
    pid = os.getpid()
    size = wire.room(raw_name)
    for start in range(0, max(len(data), 1), size):
        os.write(_fd, wire.encode(kind, stream, pid, raw_name, data[start:start + size]))


def stack_signal() -> int:
    """The signal that asks a process of a run for its stack (the runner sends it)."""
    return int(_signal.SIGRTMIN) + 6


def _special_name() -> str | None:
    """multiprocessing's helper processes call themselves MainProcess; say what they are."""
    argv = getattr(sys, "orig_argv", [])
    command = argv[argv.index("-c") + 1] if "-c" in argv[:-1] else ""
    for module, name in (("resource_tracker", "resource tracker"), ("forkserver", "forkserver")):
        if f"multiprocessing.{module} import main" in command:
            return name
    return None


def format_stacks(interrupted: object = None) -> str:
    """Every thread's Python stack, most recent call first, in faulthandler's layout, with thread
    names and, under the frames of the reader's own files, their source line (as a traceback has).

    ``interrupted`` is the frame a signal handler interrupted: shown for the
    current thread in place of the handler's own frames."""
    threading = sys.modules.get("threading")
    names = {ident: thread.name for ident, thread in getattr(threading, "_active", {}).items()}
    current = _thread.get_ident()
    own = (__file__, os.path.join(sys.prefix, "boot.py"))
    home = _home
    frames = sys._current_frames()
    if interrupted is not None:
        frames[current] = interrupted  # type: ignore[assignment]
    blocks = []
    for ident in sorted(frames, key=lambda i: i != current):  # the main thread (the handler's) first
        name = names.get(ident)
        lines = [f"Thread 0x{ident:016x}{f' {name!r}' if name else ''} (most recent call first):"]
        frame: FrameType | None = frames[ident]
        depth = 0
        while frame is not None:
            if depth == FRAMES_MAX:
                lines.append("  ...")
                break
            code = frame.f_code
            if code.co_filename not in own:  # the runtime's frames are not the reader's business
                lines.append(f'  File "{code.co_filename}", line {frame.f_lineno} in {code.co_name}')
                if code.co_filename.startswith(home):  # the reader's own code: its line, as in a traceback
                    import linecache

                    source = linecache.getline(code.co_filename, frame.f_lineno or 0).strip()
                    if source:
                        lines.append(f"    {source}")
                depth += 1
            frame = frame.f_back
        if depth == 0:
            lines.append("  <no Python frame>")
        blocks.append("\n".join(lines) + "\n")
    return "\n".join(blocks)


def _answer_stacks(signum: int, frame: object) -> None:
    """The stack request's handler: this process's stacks as STACK records, the last one marked."""
    try:
        data = format_stacks(frame).encode("utf-8", "backslashreplace")[:wire.STACK_BYTES]
        current = _current_name()
        if current == "MainProcess":
            current = _special_name() or current
        name = current.encode("utf-8", "replace")[:wire.NAME_MAX]
        pid = os.getpid()
        size = wire.room(name)
        pieces = [data[start:start + size] for start in range(0, len(data), size)] or [b""]
        for number, piece in enumerate(pieces):
            last = wire.LAST if number == len(pieces) - 1 else wire.MORE
            os.write(_fd, wire.encode(wire.STACK, last, pid, name, piece))
    except Exception:  # never let a stack request break the reader's program
        pass


class InputStream(io.RawIOBase):
    """fd 0 of the run's main process, read through a pipe from the reader: says when a read waits.

    boot.py puts it under ``sys.stdin``. Before a read that would block it writes
    an INPUT record (WAITING), after it another (READ), so the page can show that
    the program waits for the reader."""

    def readable(self) -> bool:
        return True

    def fileno(self) -> int:
        return 0

    def isatty(self) -> bool:
        return False

    def readinto(self, buffer: bytearray) -> int:  # type: ignore[override]
        import select

        waiting = _fd >= 0 and not select.select([0], [], [], 0)[0]
        if waiting:
            emit(wire.INPUT, wire.WAITING, b"")
        try:
            data = os.read(0, len(buffer))
        finally:
            if waiting:
                emit(wire.INPUT, wire.READ, b"")
        buffer[:len(data)] = data
        return len(data)

    def close(self) -> None:
        if not self.closed:
            super().close()
            try:
                os.close(0)  # as the FileIO it replaces would (multiprocessing closes it in children)
            except OSError:
                pass


class _RecordStream(io.RawIOBase):
    """The bytes under a tagged text stream; ``fileno`` is the real fd 1 or 2."""

    def __init__(self, stream: int) -> None:
        super().__init__()
        self._stream = stream

    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:  # type: ignore[override]
        data = bytes(data)
        if data:
            emit(wire.OUTPUT, self._stream, data)
        return len(data)

    def fileno(self) -> int:
        # What a subprocess given sys.stdout inherits: it writes untagged.
        return self._stream

    def isatty(self) -> bool:
        return False


def _text(stream: int, errors: str) -> io.TextIOWrapper:
    # write_through: every write() reaches the pipe at once, like python -u.
    raw = _RecordStream(stream)
    return io.TextIOWrapper(raw, encoding="utf-8", errors=errors, write_through=True)  # type: ignore[arg-type]


def _patch_process(module: ModuleType) -> None:
    """Report the start and the exit of every multiprocessing child, whatever its start method."""
    bootstrap = module.BaseProcess._bootstrap

    def _bootstrap(self: BaseProcess, *args: object, **kwargs: object) -> int:
        # _parent_pid is the process that created this one (not the forkserver).
        start = f"{self._parent_pid} {_start_method()}"  # type: ignore[attr-defined]
        emit(wire.START, 0, start.encode(), self.name)
        code: int = bootstrap(self, *args, **kwargs)
        emit(wire.EXIT, 0, str(code).encode(), self.name)
        return code

    module.BaseProcess._bootstrap = _bootstrap


def _start_method() -> str:
    """How this child was started, read from the frames that called ``_bootstrap``: fork's
    ``popen_fork.Popen._launch``, or spawn's ``spawn._main``, called by the forkserver
    (``forkserver._serve_one``) or by ``spawn.spawn_main``."""
    frame: FrameType | None = sys._getframe(2)
    while frame is not None:
        file = os.path.basename(frame.f_code.co_filename)
        if file == "popen_fork.py":
            return "fork"
        if file == "spawn.py":
            above = frame.f_back
            by_server = above is not None and os.path.basename(above.f_code.co_filename) == "forkserver.py"
            return "forkserver" if by_server else "spawn"
        frame = frame.f_back
    return "unknown"


def _pause() -> None:
    """Maybe sleep a little, drawn from this process's own generator, seeded by the Check's
    seed and the process's name, so that a run can be replayed."""
    pid = os.getpid()
    rng = _jitter_rngs.get(pid)
    if rng is None:
        import random

        rng = _jitter_rngs[pid] = random.Random(f"{_jitter_seed}:{_current_name()}")
    if rng.random() < JITTER_CHANCE:  # type: ignore[attr-defined]
        import time

        time.sleep(rng.uniform(0, JITTER_MAX))  # type: ignore[attr-defined]


def _paused(function: Callable[..., object]) -> Callable[..., object]:
    def paused(*args: object, **kwargs: object) -> object:
        _pause()
        return function(*args, **kwargs)

    return paused


def _jitter_synchronize(module: ModuleType) -> None:
    """Lock, RLock, Semaphore... and so Value and Array's locks: a pause before each acquire."""
    semlock = module.SemLock
    make_methods = semlock._make_methods

    def _make_methods(self: object) -> None:
        make_methods(self)
        self.acquire = _paused(self.acquire)  # type: ignore[attr-defined]

    semlock._make_methods = _make_methods
    semlock.__enter__ = _paused(semlock.__enter__)


def _jitter_queues(module: ModuleType) -> None:
    for name in ("Queue", "SimpleQueue"):
        cls = getattr(module, name)
        cls.put, cls.get = _paused(cls.put), _paused(cls.get)
    module.JoinableQueue.put = _paused(module.JoinableQueue.put)


def _jitter_managers(module: ModuleType) -> None:
    """Every call on a manager's proxy (d[k] = v, l.append(x), lock.acquire())."""
    module.BaseProxy._callmethod = _paused(module.BaseProxy._callmethod)


_JITTER = {"multiprocessing.synchronize": _jitter_synchronize, "multiprocessing.queues": _jitter_queues,
           "multiprocessing.managers": _jitter_managers}


def enable_jitter(seed: str) -> None:
    """Pause at random, seeded, at synchronisation points, in this process and the ones it starts."""
    global _jitter_seed
    if _jitter_seed is not None:
        return
    _jitter_seed = seed
    os.environ[JITTER_ENV] = seed  # spawn and forkserver children read it in _install
    for name, patch in _JITTER.items():
        if name in sys.modules:
            patch(sys.modules[name])
        else:
            _PATCHES[name] = patch


def _patch_util(module: ModuleType) -> None:
    """Hand the record pipe to spawn children, the forkserver and the resource tracker."""
    spawnv_passfds: Callable[[str, Sequence[str], list[int]], int] = module.spawnv_passfds

    def _spawnv_passfds(path: str, args: Sequence[str], passfds: Iterable[int]) -> int:
        return spawnv_passfds(path, args, [*passfds, _fd])

    module.spawnv_passfds = _spawnv_passfds  # type: ignore[attr-defined]  # ModuleType declares no such name


_PATCHES: dict[str, Callable[[ModuleType], None]] = {
    "multiprocessing.process": _patch_process, "multiprocessing.util": _patch_util,
}


class _PatchOnImport:
    """A meta path finder that patches a few multiprocessing modules right after they load."""

    @staticmethod
    def find_spec(name: str, path: Sequence[str] | None = None,
                  target: ModuleType | None = None) -> ModuleSpec | None:
        patch = _PATCHES.get(name)
        if patch is None:
            return None
        finder = sys.modules["_frozen_importlib_external"].PathFinder
        spec: ModuleSpec | None = finder.find_spec(name, path, target)
        if spec is not None and spec.loader is not None:
            exec_module = spec.loader.exec_module

            def _exec_module(module: ModuleType) -> None:
                exec_module(module)
                patch(module)

            spec.loader.exec_module = _exec_module  # type: ignore[method-assign]  # this one loader, not its class
        return spec


def _install() -> None:
    global _fd, _home
    fd, _, inode = os.environ.get(wire.ENV, "").partition(":")
    try:
        # The inode check makes sure fd is our pipe, not a file that a process
        # started without it (e.g. by subprocess, which closes fds) happened to open.
        if os.fstat(int(fd)).st_ino != int(inode):
            return
    except (ValueError, OSError):
        return
    _fd = int(fd)
    _home = os.path.join(os.getcwd(), "")
    sys.stdout = sys.__stdout__ = _text(wire.STDOUT, "strict")  # type: ignore[misc]
    sys.stderr = sys.__stderr__ = _text(wire.STDERR, "backslashreplace")  # type: ignore[misc]
    sys.meta_path.insert(0, _PatchOnImport)
    _signal.signal(stack_signal(), _answer_stacks)
    if os.environ.get(JITTER_ENV):
        enable_jitter(os.environ[JITTER_ENV])


_install()
