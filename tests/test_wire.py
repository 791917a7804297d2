"""engine/wire.py: the record format, both ways, and the copy of it the runtime venv holds."""

from __future__ import annotations

import subprocess
from pathlib import Path

from mpbook.engine import wire
from mpbook.engine.sandbox import runtime
from mpbook.engine.wire import Record


def test_a_record_is_header_name_data() -> None:
    record = wire.encode(wire.OUTPUT, wire.STDOUT, 7, b"MainProcess", b"hi")
    assert len(record) == wire.HEADER_SIZE + len(b"MainProcess") + 2
    assert record.startswith(wire.MAGIC)
    assert len(wire.encode(wire.OUTPUT, wire.STDOUT, 7, b"n", b"x" * wire.room(b"n"))) == wire.RECORD_MAX


def test_round_trip() -> None:
    sent = [
        Record(wire.START, 0, 2, "MainProcess", b"1 fork"),
        Record(wire.OUTPUT, wire.STDOUT, 2, "MainProcess", b"hello\n"),
        Record(wire.OUTPUT, wire.STDERR, 70000, "Process-1:2", "caf\u00e9\n".encode()),
        Record(wire.OUTPUT, wire.STDOUT, 2**32 - 1, "", b""),
        Record(wire.EXIT, 0, 2, "MainProcess", b"0"),
    ]
    buffer = bytearray(b"".join(wire.encode(r.kind, r.stream, r.pid, r.name.encode(), r.data) for r in sent))
    assert wire.decode(buffer) == sent
    assert buffer == b""


def test_a_partial_record_waits_for_the_rest() -> None:
    whole = wire.encode(wire.OUTPUT, wire.STDOUT, 3, b"MainProcess", b"one line\n")
    buffer = bytearray()
    seen = []
    for byte in whole:  # the pipe may hand the record over a byte at a time
        buffer.append(byte)
        seen += wire.decode(buffer)
    assert seen == [Record(wire.OUTPUT, wire.STDOUT, 3, "MainProcess", b"one line\n")]


def test_bytes_that_are_not_a_record_are_skipped() -> None:
    record = wire.encode(wire.OUTPUT, wire.STDOUT, 3, b"MainProcess", b"kept\n")
    buffer = bytearray(b"written to the record fd by the program itself" + record)
    assert [r.data for r in wire.decode(buffer)] == [b"kept\n"]
    junk = bytearray(b"x" * 40)
    assert wire.decode(junk) == [] and junk == b""


def test_a_bad_name_is_replaced_not_fatal() -> None:
    buffer = bytearray(wire.encode(wire.OUTPUT, wire.STDOUT, 3, b"\xff", b"x"))
    assert wire.decode(buffer)[0].name == "\ufffd"


def test_the_runtime_venv_holds_this_format_compiled() -> None:
    rt = runtime()
    [copy] = rt.root.glob("lib/python3.*/site-packages/mpbook_wire.py")
    assert copy.read_bytes() == Path(wire.__file__).read_bytes()
    assert list(copy.parent.glob("__pycache__/mpbook_wire.*.pyc"))
    probe = "import sys; print(sys.modules['mpbook_wire'].__file__)"
    done = subprocess.run([str(rt.python), "-I", "-c", probe], capture_output=True, text=True, env={}, check=True)
    assert done.stdout == f"{copy}\n"  # sitecustomize found it beside itself
