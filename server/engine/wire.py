"""The record format of the record pipe: how the runtime tells the runner who wrote what.

Every process of a run writes records (runtime/sitecustomize.py) and the runner
reads them (runner.py). A record is::

    MAGIC (3) | kind (1) | stream (1) | pid (4, little-endian) | name length (1) | data length (2) | name | data

Each record is written with one ``os.write`` of at most RECORD_MAX bytes, which
POSIX keeps whole on a pipe, so records of concurrent processes never interleave.

This module runs inside the sandbox too: base.py copies it into the runtime venv
as ``mpbook_wire``, beside sitecustomize.py, which imports it at every interpreter
start. So it imports nothing, and defines only what both sides need.
"""

from __future__ import annotations

ENV = "MPBOOK_RECORDS"  # "<fd>:<inode>" of the record pipe's write end, in the sandbox's environment
MAGIC = b"\x1emp"
HEADER_SIZE = len(MAGIC) + 9  # + kind, stream, pid (4), name length, data length (2)
RECORD_MAX = 4096  # PIPE_BUF on Linux: the largest write a pipe keeps whole
NAME_MAX = 64  # bytes of a process name a record carries
OUTPUT, START, EXIT = 1, 2, 3  # kinds; START data is "<ppid> <start method>", EXIT data the exit code
STACK = 4  # kind: a piece of a stack dump; stream is MORE or LAST
INPUT = 5  # kind: stream WAITING when a read of stdin blocks, READ when it returned
STDOUT, STDERR = 1, 2  # streams of OUTPUT records; 0 for START and EXIT
MORE, LAST = 0, 1  # streams of STACK records
STACK_BYTES = 64 * 1024  # a dump is cut there (100 threads of 100 frames fit); the runner keeps no more
WAITING, READ = 1, 0  # streams of INPUT records


def encode(kind: int, stream: int, pid: int, name: bytes, data: bytes) -> bytes:
    """One record; the caller keeps ``name`` within NAME_MAX and the record within RECORD_MAX."""
    return b"".join((
        MAGIC, bytes((kind, stream)), pid.to_bytes(4, "little"), bytes((len(name),)),
        len(data).to_bytes(2, "little"), name, data,
    ))


def room(name: bytes) -> int:
    """The most data bytes one record with this ``name`` holds."""
    return RECORD_MAX - HEADER_SIZE - len(name)


class Record:
    """One decoded record; ``name`` is decoded text (bad UTF-8 replaced)."""

    __slots__ = ("kind", "stream", "pid", "name", "data")

    def __init__(self, kind: int, stream: int, pid: int, name: str, data: bytes) -> None:
        self.kind, self.stream, self.pid, self.name, self.data = kind, stream, pid, name, data

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Record) and all(getattr(self, a) == getattr(other, a) for a in self.__slots__)

    def __repr__(self) -> str:
        return f"Record({self.kind}, {self.stream}, {self.pid}, {self.name!r}, {self.data!r})"


def decode(buffer: bytearray) -> list[Record]:
    """Take every complete record from the front of ``buffer``, in order; leave a partial one.

    Bytes that do not start a record (a program that wrote to the record fd
    itself) are skipped up to the next MAGIC, so they can only spoil the
    program's own output."""
    records: list[Record] = []
    while len(buffer) >= HEADER_SIZE:
        if buffer[:len(MAGIC)] != MAGIC:
            start = buffer.find(MAGIC, 1)
            del buffer[:start if start > 0 else len(buffer)]
            continue
        name_end = HEADER_SIZE + buffer[9]
        end = name_end + int.from_bytes(buffer[10:12], "little")
        if len(buffer) < end:
            break
        records.append(Record(buffer[3], buffer[4], int.from_bytes(buffer[5:9], "little"),
                              buffer[HEADER_SIZE:name_end].decode("utf-8", "replace"), bytes(buffer[name_end:end])))
        del buffer[:end]
    return records
