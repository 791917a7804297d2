"""The seccomp filter of the bwrap backend: which system calls a reader's program may not make.

The policy is a deny list on top of bwrap's namespaces: what Docker's default
profile denies, plus io_uring, userfaultfd, bpf, perf_event_open, the key
management calls, modules, kexec, mount, swap, reboot, clock setting and
namespaces, ``personality`` with anything but the default persona, and socket
families other than AF_UNIX, AF_INET and AF_INET6. Every denied call fails with
EPERM and never kills, so a program sees an ordinary ``PermissionError``; the one
exception is ``clone3``, which fails with ENOSYS because its flags sit in memory
that seccomp cannot read, and ENOSYS is what makes glibc fall back to ``clone``,
whose flags the filter can check. docs/sandbox.md gives the reason for each group.

libseccomp compiles the policy (through ``pyseccomp``, a ctypes binding); the BPF
program is built once per server process and handed to each bwrap on a pipe
(``--seccomp FD``). bwrap loads it after it has set up the namespaces, into the
program's process only, so bwrap itself may still unshare.
"""

from __future__ import annotations

import errno
import os
import tempfile
import threading
from typing import Any

# group -> the calls it denies outright (names libseccomp knows; those unknown to
# the installed libseccomp or absent on this architecture are skipped).
DENIED: dict[str, tuple[str, ...]] = {
    "io_uring": ("io_uring_setup", "io_uring_enter", "io_uring_register"),
    "userfaultfd": ("userfaultfd",),
    "bpf": ("bpf",),
    "perf": ("perf_event_open", "lookup_dcookie"),
    "keys": ("add_key", "request_key", "keyctl"),
    "modules": ("init_module", "finit_module", "delete_module", "create_module", "query_module",
                "get_kernel_syms"),
    "kexec": ("kexec_load", "kexec_file_load"),
    "mount": ("mount", "umount", "umount2", "pivot_root", "chroot", "fsopen", "fsconfig", "fsmount", "fspick",
              "move_mount", "open_tree", "mount_setattr", "name_to_handle_at", "open_by_handle_at"),
    "swap": ("swapon", "swapoff"),
    "reboot": ("reboot",),
    "clock": ("clock_settime", "clock_adjtime", "settimeofday", "stime", "adjtimex"),
    "namespaces": ("unshare", "setns"),
    "tracing": ("ptrace", "process_vm_readv", "process_vm_writev", "kcmp"),
    "accounting": ("acct", "quotactl", "quotactl_fd"),
    "numa": ("mbind", "get_mempolicy", "set_mempolicy", "set_mempolicy_home_node", "move_pages", "migrate_pages"),
    "hardware": ("ioperm", "iopl", "vm86", "vm86old", "pciconfig_read", "pciconfig_write", "pciconfig_iobase"),
    "obsolete": ("uselib", "ustat", "sysfs", "_sysctl", "nfsservctl", "vhangup", "syslog"),
}

# clone() flags that make a namespace (CLONE_NEWNS, NEWCGROUP, NEWUTS, NEWIPC, NEWUSER, NEWPID, NEWNET).
CLONE_NAMESPACE_FLAGS = 0x00020000 | 0x02000000 | 0x04000000 | 0x08000000 | 0x10000000 | 0x20000000 | 0x40000000
SOCKET_FAMILIES = (1, 2, 10)  # AF_UNIX, AF_INET, AF_INET6


class SeccompUnavailable(RuntimeError):
    """libseccomp (or its Python binding) is missing here: no filter can be built."""


_program: bytes | None = None
_lock = threading.Lock()


def program() -> bytes:
    """The compiled BPF program of the policy, built on first use (raises SeccompUnavailable)."""
    global _program
    with _lock:
        if _program is None:
            _program = _build()
        return _program


def available() -> str | None:
    """None if the filter can be built here, else why not, in plain words."""
    try:
        program()
    except SeccompUnavailable as error:
        return str(error)
    return None


def _filter() -> Any:
    """The policy as a libseccomp filter object."""
    try:
        import pyseccomp as seccomp
    except (ImportError, RuntimeError, OSError) as error:  # RuntimeError: libseccomp not found
        raise SeccompUnavailable(f"no seccomp filter: {error}") from None
    deny = seccomp.ERRNO(errno.EPERM)
    flt = seccomp.SyscallFilter(seccomp.ALLOW)
    # Calls of another ABI (i386 or x32 on x86-64) fail instead of killing the process.
    flt.set_attr(seccomp.Attr.ACT_BADARCH, deny)
    flt.set_attr(seccomp.Attr.CTL_OPTIMIZE, 2)  # a binary tree of syscall numbers, not a linear chain

    def rule(action: int, name: str, *args: Any) -> None:
        if seccomp.resolve_syscall(seccomp.Arch.NATIVE, name) == -1:
            return  # unknown to this libseccomp: nothing to deny
        flt.add_rule(action, name, *args)

    for names in DENIED.values():
        for name in names:
            rule(deny, name)
    for flag in range(31):  # any one namespace flag is enough to deny (rules of one call are ORed)
        if CLONE_NAMESPACE_FLAGS & (1 << flag):
            rule(deny, "clone", seccomp.Arg(0, seccomp.MASKED_EQ, 1 << flag, 1 << flag))
    rule(seccomp.ERRNO(errno.ENOSYS), "clone3")
    # personality(): only PER_LINUX (0) and the query 0xffffffff. libseccomp takes one comparison
    # per argument in a rule, so "neither all zeros nor all ones" is said bit by bit: some bit
    # is set while the next one (cyclically) is clear. Higher bits are denied outright.
    for bit in range(32):
        pair = (1 << bit) | (1 << ((bit + 1) % 32))
        rule(deny, "personality", seccomp.Arg(0, seccomp.MASKED_EQ, pair, 1 << bit))
    rule(deny, "personality", seccomp.Arg(0, seccomp.GT, 0xFFFFFFFF))
    # socket() and socketpair(): only AF_UNIX, AF_INET, AF_INET6.
    for name in ("socket", "socketpair"):
        for family in range(max(SOCKET_FAMILIES)):
            if family not in SOCKET_FAMILIES:
                rule(deny, name, seccomp.Arg(0, seccomp.EQ, family))
        rule(deny, name, seccomp.Arg(0, seccomp.GT, max(SOCKET_FAMILIES)))
    return flt


def _build() -> bytes:
    flt = _filter()
    with tempfile.TemporaryFile() as file:
        flt.export_bpf(file)
        file.seek(0)
        return file.read()


def describe() -> str:
    """The compiled filter in libseccomp's readable form (PFC), for tests and docs."""
    flt = _filter()
    with tempfile.TemporaryFile() as file:
        flt.export_pfc(file)
        file.seek(0)
        return file.read().decode()


def pipe() -> int:
    """A pipe's read end holding the BPF program, for bwrap's ``--seccomp FD`` (the caller closes it)."""
    data = program()
    read, write = os.pipe()
    try:
        # A pipe holds 64 KiB, so the write cannot block; the program is a few KiB.
        if os.write(write, data) != len(data):
            raise OSError(errno.EIO, "the seccomp program did not fit in a pipe")
    except BaseException:
        os.close(read)
        raise
    finally:
        os.close(write)
    return read
