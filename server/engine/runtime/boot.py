"""Boot one sandboxed run: wait for the program, then run it as ``python main.py`` would.

Started ahead of time as ``<runtime>/bin/python -I -u boot.py`` in an empty
working directory. Reads one control message from stdin: a 4-byte little-endian
length, then a ``marshal``-ed dict (format 4, which every Python from 3.4 reads,
whatever version the server runs; marshal costs no import, unlike json):

    files         {relative path: bytes}, written into the working directory
    start_method  None, or the multiprocessing start method to make the default
    limits        {"cpu", "fsize", "nofile", "nproc", "as"}: rlimits, None = leave
    jitter        None, or the seed of the delays a Check injects at synchronisation points

Then runs ``main.py`` as ``__main__`` in this interpreter, so that spawn and
forkserver children can import it as ``__mp_main__`` and unpickle its functions.
What follows the message on stdin is the program's own input: the runner keeps
the pipe open for a reader's input, or closes it at once (end of file).
"""

from __future__ import annotations

import atexit
import builtins
import io
import marshal
import os
import resource
import select
import signal
import sys

import sitecustomize

TYPE_CHECKING = False  # typing costs milliseconds at start; checkers know this name
if TYPE_CHECKING:
    from types import ModuleType

_interrupted = False
_kept: list[object] = []  # the interpreter's own sys.stdin: collected, it would close fd 0


def _read(size: int) -> bytes:
    """Exactly ``size`` bytes of stdin; exit quietly if the server went away."""
    data = bytearray()
    while len(data) < size:
        chunk = os.read(0, size - len(data))
        if not chunk:
            sys.exit(0)
        data += chunk
    return bytes(data)


def _write_files(files: dict[str, bytes]) -> None:
    for path, data in files.items():
        directory = os.path.dirname(path)
        if directory:
            os.makedirs(directory, exist_ok=True)
        with open(path, "wb") as file:
            file.write(data)


def _set_limits(limits: dict[str, int | None]) -> None:
    """Rlimits for this process and all it starts; hard = soft so that code cannot raise them."""
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    for name, which in (("fsize", resource.RLIMIT_FSIZE), ("nofile", resource.RLIMIT_NOFILE),
                        ("nproc", resource.RLIMIT_NPROC), ("as", resource.RLIMIT_AS)):
        value = limits.get(name)
        if value is not None:
            resource.setrlimit(which, (value, value))
    cpu = limits.get("cpu")
    if cpu is not None:
        # SIGXCPU at the soft limit, SIGKILL a second later if it is caught.
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))


def _set_default_start_method(method: str) -> None:
    """Make ``method`` the default without fixing it: the program may still call set_start_method."""
    import multiprocessing

    context = multiprocessing.get_context(method)
    multiprocessing.context._default_context._default_context = context  # type: ignore[attr-defined]


def _main_module(path: str) -> ModuleType:
    """A fresh ``__main__`` with the globals ``python main.py`` gives it."""
    module = type(sys)("__main__")
    module.__dict__.update(
        __loader__=sys.modules["_frozen_importlib_external"].SourceFileLoader("__main__", path),
        __annotations__={}, __builtins__=builtins, __file__=path, __cached__=None,
    )
    return module


def _report(error: BaseException) -> None:
    """Print an uncaught exception as the interpreter would, without this file's frame."""
    global _interrupted
    tb = error.__traceback__.tb_next if error.__traceback__ else None
    sys.excepthook(type(error), error.with_traceback(tb), tb)
    _interrupted = isinstance(error, KeyboardInterrupt)


@atexit.register
def _die_by_sigint() -> None:
    # Registered first, so it runs last: like the interpreter, an unhandled
    # KeyboardInterrupt ends the process by SIGINT after finalization.
    if _interrupted:
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGINT)


def main() -> None:
    if not select.select([0], [], [], 0)[0]:
        # A warm sandbox waiting for its program: import now what most programs
        # of a multiprocessing book import first, so that their output is quicker.
        import multiprocessing  # noqa: F401
    message = marshal.loads(_read(int.from_bytes(_read(4), "little")))
    _write_files(message["files"])
    _set_limits(message["limits"])
    if sitecustomize._fd >= 0:
        _kept.append(sys.stdin)
        sys.stdin = sys.__stdin__ = io.TextIOWrapper(  # type: ignore[misc]
            io.BufferedReader(sitecustomize.InputStream()), encoding=sys.stdin.encoding, errors=sys.stdin.errors)
    if message["start_method"]:
        _set_default_start_method(message["start_method"])
    if message.get("jitter") is not None and sitecustomize._fd >= 0:
        sitecustomize.enable_jitter(str(message["jitter"]))

    path = os.path.join(os.getcwd(), "main.py")
    sys.argv = ["main.py"]
    sys.path.insert(0, os.getcwd())  # -I leaves out the script's directory; python main.py has it
    module = _main_module(path)
    sys.modules["__main__"] = module
    if sitecustomize._fd >= 0:
        sitecustomize.emit(sitecustomize.wire.START, 0, b"", "MainProcess")
    try:
        with open(path, "rb") as file:
            source = file.read()
        code = compile(source, path, "exec", dont_inherit=True)  # not this file's __future__ imports
        exec(code, module.__dict__)
    except SystemExit:
        raise
    except BaseException as error:
        _report(error)
        sys.exit(1)


main()
