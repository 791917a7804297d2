"""protocol.py builds every frame with exactly the fields docs/protocol.md lists, and says how runs end."""

from __future__ import annotations

import re

import pytest

from helpers import ROOT
from mpbook.engine.runner import REASONS, Limits, StartedInfo
from mpbook.web import protocol
from mpbook.web.session import RunSession

DOC = (ROOT / "docs" / "protocol.md").read_text("utf-8")
LIMITS = Limits(wall_seconds=2.5, memory_bytes=128 * 2**20, processes=16, output_bytes=32 * 1024)
INFO = StartedInfo(run_id="r1", backend="bwrap", contained=True, cgroup=True, warm=True, start_method="fork",
                   limits=LIMITS.as_dict(), enforcement={}, python="3.12.1")


def section(title: str) -> str:
    return DOC.split(f"## {title}\n", 1)[1].split("\n## ", 1)[0]


def documented(title: str, key: str) -> dict[str, str]:
    """The code span of each table row of section ``title``, by its "type" or "op"."""
    rows: dict[str, str] = {}
    for line in section(title).splitlines():
        found = re.match(r"\| `(\{.*?\})` \|", line)
        if found:
            name = re.search(rf'"{key}":"(\w+)"', found[1])
            assert name, line
            rows.setdefault(name[1], found[1])
    return rows


def alternatives(span: str, field: str) -> tuple[str, ...]:
    """The values a table row lists for ``field``: "a"\\|"b"\\|..."""
    found = re.search(rf'"{field}":((?:"\w+"(?:\\\|)?)+)', span)
    assert found, span
    return tuple(re.findall(r'"(\w+)"', found[1]))


BUILT = {
    "hello": protocol.hello("bwrap", True, True, ("fork", "spawn"), "fork", "3.12.1"),
    "queued": protocol.queued(2),
    "started": protocol.started(INFO, "hello", None),
    "output": protocol.output("stdout", "hi\n", 1.234, 7, "MainProcess"),
    "process": protocol.process("start", 7, 1, "Process-1", 2.0, None),
    "stack": protocol.stack(7, "Process-1", "Thread 0x1 'MainThread' (most recent call first):\n", 4.0),
    "usage": protocol.usage(4.0, 1.5, 2**20),
    "input": protocol.waiting_for_input(7, True, 4.0),
    "exit": protocol.exit_frame(0, "ok", 3.0, LIMITS),
    "error": protocol.error("busy", "words"),
    "pong": protocol.pong(),
    "check": protocol.check("start-workers", False, [{"name": "n", "passed": False, "message": "m"}], 7),
}


def test_every_frame_type_has_a_builder_with_its_fields() -> None:
    assert set(BUILT) == set(protocol.FRAMES)
    for kind, frame in BUILT.items():
        assert list(frame) == ["type", *protocol.FRAMES[kind]], kind
    assert list(protocol.left_queue()) == ["type", *protocol.FRAMES["exit"]]


def test_the_server_table_lists_every_frame_with_its_fields() -> None:
    rows = documented("Server to client", "type")
    assert set(rows) == set(protocol.FRAMES)
    for kind, span in rows.items():
        fields = [name for name in re.findall(r'"(\w+)":', span) if name != "type"]
        assert fields == list(protocol.FRAMES[kind]), f"docs/protocol.md's {kind} row: {fields}"


def test_the_error_codes_and_exit_reasons_are_the_documented_ones() -> None:
    rows = documented("Server to client", "type")
    assert alternatives(rows["error"], "code") == protocol.ERROR_CODES
    assert alternatives(rows["exit"], "reason") == REASONS
    for reason in REASONS:
        assert f"`{reason}` (" in section("Server to client"), f"reason {reason} is not explained"


def test_the_client_table_lists_every_op() -> None:
    assert set(documented("Client to server", "op")) == set(RunSession.OPS)


def test_frame_checks_its_fields() -> None:
    assert protocol.frame("queued", position=1) == protocol.queued(1)
    with pytest.raises(ValueError, match="fields"):
        protocol.frame("queued", position=1, extra=2)
    with pytest.raises(ValueError, match="no frame type"):
        protocol.frame("teleport")
    with pytest.raises(ValueError, match="no error code"):
        protocol.error("oops", "words")


def test_started_names_the_method_asked_for_else_the_default() -> None:
    assert protocol.started(INFO, "hello", "spawn")["start_method"] == "spawn"
    assert protocol.started(INFO, "hello", None)["start_method"] == "fork"


def test_times_are_rounded_to_a_tenth_of_a_millisecond() -> None:
    assert BUILT["output"]["t"] == 1.2 and protocol.exit_frame(None, "timeout", 2500.06, LIMITS)["t"] == 2500.1


@pytest.mark.parametrize(("reason", "words"), [
    ("ok", "Finished"),
    ("error", "Exited with an error"),
    ("timeout", "Stopped after 2.5 s wall time"),
    ("memory", "Stopped: the run used more than its memory (128 MiB)"),
    ("processes", "Stopped: too many processes (limit 16)"),
    ("output", "Output cut after 32 KiB"),
    ("stopped", "Stopped by you"),
])
def test_exit_words_for_every_reason(reason: str, words: str) -> None:
    assert protocol.exit_frame(None, reason, 1.0, LIMITS)["message"] == words


def test_every_reason_has_its_own_words() -> None:
    assert all(not protocol.exit_message(reason, LIMITS).startswith("Ended") for reason in REASONS)
