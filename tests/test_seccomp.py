"""The seccomp filter of the bwrap backend: each denied group fails with EPERM inside a run,
the same calls get another answer without the filter (so the filter is what denied them),
and what the book needs still works under every start method."""

from __future__ import annotations

import errno

import pytest

from helpers import backend_or_skip
from mpbook.engine.runner import Limits, Runner, RunRequest, RunResult, run_to_completion
from mpbook.engine.sandbox import BwrapBackend, seccomp

pyseccomp = pytest.importorskip("pyseccomp")

# group -> (a call of that group, its arguments): bad pointers or harmless values, so
# that without the filter the kernel answers something other than EPERM.
PROBES: dict[str, tuple[str, tuple[int | str, ...]]] = {
    "io_uring": ("io_uring_setup", (1, 0)),
    "userfaultfd": ("userfaultfd", (1,)),  # UFFD_USER_MODE_ONLY: allowed to anyone without the filter
    "bpf": ("bpf", (0, 0, 0)),
    "perf": ("perf_event_open", (0, 0, -1, -1, 0)),
    "keys": ("keyctl", (0, -3, 0)),  # KEYCTL_GET_KEYRING_ID of the session keyring
    "keys_add": ("add_key", (0, 0, 0, 0, 0)),
    "modules": ("finit_module", (-1, 0, 0)),
    "kexec": ("kexec_load", (0, 0, 0, 0)),
    "mount": ("mount", (1, 1, 1, 0, 0)),
    "swap": ("swapon", (1, 0)),
    "reboot": ("reboot", (0, 0, 0, 0)),
    "clock": ("clock_settime", (0, 0)),
    "unshare": ("unshare", (0,)),  # a no-op without the filter
    "setns": ("setns", (-1, 0)),
    "clone_namespace": ("clone", (0x10000000 | 0x00010000, 0, 0, 0, 0)),  # NEWUSER|THREAD: EINVAL unfiltered
    "personality": ("personality", (8,)),
    "tracing": ("process_vm_readv", ("pid", 0, 0, 0, 0, 0)),
    "kcmp": ("kcmp", ("pid", "pid", 0, 0, 0)),
    "accounting": ("acct", (0,)),
    "numa": ("get_mempolicy", (0, 0, 0, 0, 0)),
    "hardware": ("iopl", (0,)),
    "obsolete": ("sysfs", (1, 0)),
    "syslog": ("syslog", (10, 0, 0)),
    "netlink_socket": ("socket", (16, 3, 0)),  # AF_NETLINK, SOCK_RAW
    "vsock_socket": ("socket", (40, 1, 0)),  # AF_VSOCK
    "netlink_socketpair": ("socketpair", (16, 3, 0, 0)),
}
# Calls the kernel itself refuses with EPERM to a process without capabilities (or that
# this kernel leaves out, ENOSYS): without the filter they may answer EPERM too.
GATED = {"modules", "kexec", "swap", "reboot", "accounting", "syslog", "hardware"}

PROGRAM = """\
import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
for group, (number, args) in PROBES.items():
    args = [os.getpid() if a == "pid" else a for a in args]
    ctypes.set_errno(0)
    result = libc.syscall(ctypes.c_long(number), *[ctypes.c_long(a) for a in args])
    print(group, 0 if result >= 0 else ctypes.get_errno())
    if group == "personality" and result >= 0:
        libc.syscall(ctypes.c_long(number), ctypes.c_long(0))
"""


def probe_program() -> bytes:
    numbers = {group: (pyseccomp.resolve_syscall(pyseccomp.Arch.NATIVE, name), args)
               for group, (name, args) in PROBES.items()}
    return f"PROBES = {numbers!r}\n{PROGRAM}".encode()


@pytest.fixture(scope="module")
def backend() -> BwrapBackend:
    found = backend_or_skip("bwrap")
    assert isinstance(found, BwrapBackend)
    assert found.filtered, found.note
    return found


def run(backend: BwrapBackend, source: bytes, warm: int = 0, start_method: str | None = None) -> RunResult:
    runner = Runner(backend, warm=warm)
    try:
        return run_to_completion(runner, RunRequest({"main.py": source}, start_method, Limits(wall_seconds=20)))
    finally:
        runner.close()


def answers(result: RunResult) -> dict[str, int]:
    assert result.reason == "ok", result.stderr
    return {group: int(code) for group, code in (line.split() for line in result.stdout.splitlines())}


@pytest.fixture(scope="module")
def filtered(backend: BwrapBackend) -> dict[str, int]:
    return answers(run(backend, probe_program()))


@pytest.fixture(scope="module")
def unfiltered(backend: BwrapBackend) -> dict[str, int]:
    control = BwrapBackend(backend.cgroups, hardening=backend.hardening, filtered=False)
    return answers(run(control, probe_program()))


@pytest.mark.parametrize("group", sorted(PROBES))
def test_each_denied_group_fails_with_eperm(group: str, filtered: dict[str, int], unfiltered: dict[str, int]) -> None:
    assert filtered[group] == errno.EPERM, f"{PROBES[group][0]} answered {errno.errorcode.get(filtered[group])}"
    if group not in GATED:  # the filter, not the kernel, refused it
        assert unfiltered[group] != errno.EPERM, f"{group}: EPERM even without the filter"


def test_clone3_says_enosys_so_that_glibc_falls_back_to_clone(backend: BwrapBackend) -> None:
    number = pyseccomp.resolve_syscall(pyseccomp.Arch.NATIVE, "clone3")
    source = (
        "import ctypes, threading\n"
        "libc = ctypes.CDLL(None, use_errno=True)\n"
        f"print(libc.syscall(ctypes.c_long({number}), ctypes.c_long(0), ctypes.c_long(0)), ctypes.get_errno())\n"
        "t = threading.Thread(target=print, args=('thread ran',)); t.start(); t.join()\n"
    )
    result = run(backend, source.encode())
    assert result.stdout == f"-1 {errno.ENOSYS}\nthread ran\n", result.stderr


def test_the_filter_compiles_every_denied_call_known_here() -> None:
    text = seccomp.describe()
    for names in seccomp.DENIED.values():
        for name in names:
            if pyseccomp.resolve_syscall(pyseccomp.Arch.NATIVE, name) >= 0:
                assert f'syscall "{name}"' in text, name
    assert "action ERRNO(1);" in text and "action KILL" not in text and "action TRAP" not in text
    assert "# invalid architecture action\naction ERRNO(1);" in text  # i386 or x32 calls: EPERM too


def test_the_program_is_built_once_per_process() -> None:
    first = seccomp.program()
    assert seccomp.program() is first
    assert len(first) % 8 == 0  # whole struct sock_filter instructions


# What the book's lessons use, each under the filter: semaphores and shared memory in
# /dev/shm, a Manager over loopback TCP and one over a Unix socket, the forkserver's
# socket, faulthandler on a signal; and every process of the run is filtered.
COMPATIBLE = """\
import faulthandler, multiprocessing as mp, signal, socket
from multiprocessing import shared_memory
from multiprocessing.managers import SyncManager

def filtered():
    return open("/proc/self/status").read().split("Seccomp:")[1].split()[0]

def child(lock, counter, name, shared, queue):
    with lock:
        counter.value += 1
    memory = shared_memory.SharedMemory(name)
    memory.buf[0] = 42
    memory.close()
    shared.append(mp.current_process().name)
    try:
        socket.socket(socket.AF_NETLINK, socket.SOCK_RAW)
        queue.put("netlink allowed")
    except PermissionError:
        queue.put("child " + filtered())

if __name__ == "__main__":
    faulthandler.register(signal.SIGUSR1)
    memory = shared_memory.SharedMemory(create=True, size=16)
    with SyncManager(address=("127.0.0.1", 0)) as tcp, mp.Manager() as unix:
        lock, counter, queue = mp.Lock(), mp.Value("i", 0), mp.Queue()
        shared = tcp.list()
        ps = [mp.Process(target=child, args=(lock, counter, memory.name, shared, queue)) for _ in range(2)]
        for p in ps:
            p.start()
        for p in ps:
            p.join()
        print(counter.value, memory.buf[0], len(shared), unix.dict(a=1)["a"], sorted(queue.get() for _ in ps))
    with mp.Pool(2) as pool:
        print(pool.map(abs, [-1, -2]))
    memory.close()
    memory.unlink()
    print("main", filtered())
"""


@pytest.mark.parametrize("start_method", ["fork", "spawn", "forkserver"])
def test_what_the_book_needs_works_under_the_filter(backend: BwrapBackend, start_method: str) -> None:
    result = run(backend, COMPATIBLE.encode(), start_method=start_method)
    assert (result.reason, result.stderr) == ("ok", "")
    assert result.stdout == "2 42 2 1 ['child 2', 'child 2']\n[1, 2]\nmain 2\n"


@pytest.mark.parametrize("warm", [0, 1])
def test_the_filter_is_in_force_in_every_run(backend: BwrapBackend, warm: int) -> None:
    source = (
        "import socket\n"
        "try:\n"
        "    socket.socket(socket.AF_NETLINK, socket.SOCK_RAW)\n"
        "    print('netlink allowed')\n"
        "except PermissionError as error:\n"
        "    print(error.errno, open('/proc/self/status').read().split('Seccomp_filters:')[1].split()[0])\n"
    )
    runner = Runner(backend, warm=warm)
    try:
        results = [run_to_completion(runner, RunRequest({"main.py": source.encode()})) for _ in range(4)]
    finally:
        runner.close()
    assert [r.stdout for r in results] == [f"{errno.EPERM} 1\n"] * 4
    assert {r.reason for r in results} == {"ok"}


def test_without_libseccomp_bwrap_runs_unfiltered_and_says_so(monkeypatch: pytest.MonkeyPatch,
                                                               backend: BwrapBackend) -> None:
    monkeypatch.setattr(seccomp, "_program", None)
    monkeypatch.setitem(__import__("sys").modules, "pyseccomp", None)  # import fails as if not installed
    found = BwrapBackend.probe(backend.cgroups)
    assert isinstance(found, BwrapBackend) and not found.filtered
    assert found.note.startswith("no seccomp filter:")
    assert found.enforcement()["system_calls"] == f"nothing ({found.note})"
