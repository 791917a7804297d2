"""The run session's state machine, in-process: a FakeEngine, the real scheduler and admission,
frames collected in lists. No server, no sandbox, no sleep: every step happens on the test's thread."""

from __future__ import annotations

import json
import logging
import platform
from typing import Any

import pytest

from fakes import FakeEngine, fake_wiring
from mpbook.web import protocol
from mpbook.web.session import RunSession, State
from mpbook.web.wiring import Wiring


class Reader:
    """One connection's session and every frame it was sent."""

    def __init__(self, wiring: Wiring, engine: FakeEngine, client: str = "127.0.0.1") -> None:
        self.frames: list[dict[str, Any]] = []
        self.session = RunSession(wiring, client, self.frames.append, engine)
        self.session.open()

    def send(self, frame: dict[str, Any] | str) -> dict[str, Any] | None:
        """Hand the session one client frame; the last frame it sent back, if any."""
        before = len(self.frames)
        self.session.handle(frame if isinstance(frame, str) else json.dumps(frame))
        return self.frames[-1] if len(self.frames) > before else None

    def run(self, **fields: Any) -> dict[str, Any] | None:
        return self.send({"op": "run", "example": "hello", **fields})

    def types(self) -> list[str]:
        return [f["type"] for f in self.frames]


@pytest.fixture
def engine() -> FakeEngine:
    return FakeEngine()


def test_the_first_frame_is_hello(engine: FakeEngine) -> None:
    reader = Reader(fake_wiring(), engine)
    assert reader.frames == [protocol.hello("basic", False, True, ("fork", "spawn", "forkserver"),
                                            reader.frames[0]["default_start_method"], platform.python_version())]


def test_a_run_streams_its_frames_and_ends_idle(engine: FakeEngine) -> None:
    wiring = fake_wiring()
    reader = Reader(wiring, engine)
    assert reader.run() is None  # granted at once: nothing to say until the engine reports
    [run] = engine.runs
    assert run.request.files["main.py"] == wiring.book.examples["hello"].files["main.py"]
    assert reader.session.state is State.RUNNING
    run.begin()
    run.print("hi\n")
    run.exit(0, "ok", 12.34)
    assert reader.types() == ["hello", "started", "output", "exit"]
    assert reader.frames[1]["example"] == "hello" and reader.frames[1]["start_method"] == "fork"
    assert reader.frames[2] == protocol.output("stdout", "hi\n", 1.0, 2, "MainProcess")
    assert reader.frames[3] == {"type": "exit", "code": 0, "reason": "ok", "t": 12.3, "message": "Finished"}
    assert reader.session.state is None
    assert wiring.exits.snapshot() == {"ok": 1}
    assert wiring.scheduler.stats().running == 0


def test_started_says_when_a_run_has_weaker_limits(engine: FakeEngine) -> None:
    reader = Reader(fake_wiring(), engine)
    reader.run()
    [run] = engine.runs
    run.begin(note="the run's cgroup could not be made: [Errno 13] Permission denied")
    started = reader.frames[1]
    assert started["type"] == "started"
    assert started["note"] == ("This run's memory and process limits hold for each process, not the run as a whole: "
                               "the run's cgroup could not be made: [Errno 13] Permission denied.")
    run.exit(0, "ok")
    reader.run()
    engine.runs[-1].begin()
    assert [f["note"] for f in reader.frames if f["type"] == "started"][-1] == ""


def test_the_slot_is_free_before_the_exit_frame_goes_out(engine: FakeEngine) -> None:
    wiring = fake_wiring()
    running_at_exit: list[int] = []

    def send(frame: dict[str, Any]) -> None:
        if frame["type"] == "exit":
            running_at_exit.append(wiring.scheduler.stats().running)

    session = RunSession(wiring, "a", send, engine)
    session.handle(json.dumps({"op": "run", "example": "hello"}))
    engine.runs[0].exit()
    assert running_at_exit == [0]


def test_edited_code_and_start_method_shape_the_request(engine: FakeEngine) -> None:
    reader = Reader(fake_wiring(wall_seconds=7.0), engine)
    reader.run(code="print(6 * 7)\n", start_method="spawn")
    request = engine.runs[0].request
    assert request.files["main.py"] == b"print(6 * 7)\n" and request.start_method == "spawn"
    assert request.limits.wall_seconds == 7.0


def test_one_run_at_a_time(engine: FakeEngine) -> None:
    reader = Reader(fake_wiring(slots=2), engine)
    reader.run()
    assert reader.run() == protocol.error("busy", "A program is already running here; stop it first.")
    assert len(engine.runs) == 1
    engine.runs[0].exit()
    reader.run()
    assert len(engine.runs) == 2


def test_queue_positions_then_full_queue_is_busy_and_counted(engine: FakeEngine) -> None:
    wiring = fake_wiring(slots=1, queue_size=2)
    a, b, c, d = (Reader(wiring, engine, f"10.0.0.{i}") for i in range(4))
    a.run()
    assert b.run() == protocol.queued(1)
    assert c.run() == protocol.queued(2)
    assert d.run() == protocol.error("busy", "The server is busy; try again in a moment.")
    assert wiring.admission.refusals.snapshot() == {"queue_full": 1}
    assert b.session.state is State.QUEUED and len(engine.runs) == 1
    engine.runs[0].exit()  # a's slot goes to b, on this thread; c moves up
    assert len(engine.runs) == 2 and b.session.state is State.RUNNING
    assert c.frames[-1] == protocol.queued(1)
    engine.runs[1].exit()
    assert len(engine.runs) == 3 and c.session.state is State.RUNNING


def test_stop_while_queued_leaves_the_queue(engine: FakeEngine) -> None:
    wiring = fake_wiring(slots=1, queue_size=5)
    a, b, c = (Reader(wiring, engine, f"10.0.0.{i}") for i in range(3))
    a.run()
    b.run()
    c.run()
    assert b.send({"op": "stop"}) == protocol.left_queue()
    assert b.frames[-1]["message"] == "Stopped by you before it started"
    assert b.session.state is None
    assert c.frames[-1] == protocol.queued(1)
    engine.runs[0].exit()
    assert len(engine.runs) == 2 and c.session.state is State.RUNNING  # b never ran


def test_stop_while_running_stops_the_run(engine: FakeEngine) -> None:
    engine.stop_ends = False  # the run takes its time to end, as a real one does
    reader = Reader(fake_wiring(), engine)
    reader.run()
    [run] = engine.runs
    reader.send({"op": "stop"})
    assert run.stops == 1 and reader.session.state is State.STOPPING
    reader.send({"op": "stop"})  # passed on: the engine then ends the run without waiting for its stacks
    assert run.stops == 2 and reader.session.state is State.STOPPING
    run.exit(None, "stopped")
    assert reader.frames[-1]["message"] == "Stopped by you" and reader.session.state is None


def test_stop_while_starting_stops_the_run_once_it_is_handed_over(engine: FakeEngine) -> None:
    wiring = fake_wiring()
    readers: list[Reader] = []
    engine.stop_ends = False
    engine.during_start = lambda run: readers[0].send({"op": "stop"})
    readers.append(Reader(wiring, engine))
    readers[0].run()
    [run] = engine.runs
    assert run.stops == 1 and readers[0].session.state is State.STOPPING


def test_a_run_that_ends_before_start_returns_leaves_the_session_idle(engine: FakeEngine) -> None:
    engine.during_start = lambda run: run.exit(1, "error")
    reader = Reader(fake_wiring(), engine)
    reader.run()
    assert reader.session.state is None and reader.frames[-1]["reason"] == "error"
    assert reader.frames[-1]["message"] == "Exited with an error"
    assert engine.runs[0].stops == 0


def test_leaving_while_running_stops_the_run_and_frees_the_slot(engine: FakeEngine) -> None:
    wiring = fake_wiring(slots=1)
    a, b = Reader(wiring, engine, "a"), Reader(wiring, engine, "b")
    a.run()
    b.run()
    sent = len(a.frames)
    a.session.close()
    assert engine.runs[0].stops == 1 and engine.runs[0].ended
    assert len(a.frames) == sent  # nothing goes to a reader who left
    assert len(engine.runs) == 2 and b.session.state is State.RUNNING
    assert wiring.exits.snapshot() == {"stopped": 1}


def test_leaving_while_queued_gives_up_the_place(engine: FakeEngine) -> None:
    wiring = fake_wiring(slots=1)
    a, b, c = (Reader(wiring, engine, f"10.0.0.{i}") for i in range(3))
    a.run()
    b.run()
    c.run()
    b.session.close()
    assert c.frames[-1] == protocol.queued(1)
    engine.runs[0].exit()
    assert len(engine.runs) == 2 and c.session.state is State.RUNNING


def test_rate_limit_refuses_and_counts(engine: FakeEngine) -> None:
    wiring = fake_wiring(slots=2, runs_per_minute=1)
    reader = Reader(wiring, engine)
    reader.run()
    engine.runs[0].exit()
    refused = reader.run()
    assert refused is not None and refused["code"] == "rate_limited"
    assert wiring.admission.refusals.snapshot() == {"rate_limited": 1}
    assert reader.session.state is None
    assert Reader(wiring, engine, "another address").run() is None  # per address


def test_an_engine_that_cannot_start_says_so_and_frees_the_slot(engine: FakeEngine) -> None:
    wiring = fake_wiring(slots=1)
    engine.fail = True
    reader = Reader(wiring, engine)
    reply = reader.run()
    assert reply is not None and reply["code"] == "internal"
    assert reader.session.state is None and wiring.scheduler.stats().running == 0
    reader.run()
    assert len(engine.runs) == 1


def test_an_op_that_raises_is_logged_and_answered_and_the_connection_stays_usable(
        engine: FakeEngine, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    wiring = fake_wiring()
    reader = Reader(wiring, engine)
    request_for = wiring.request_for

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("a bug in the wiring")

    monkeypatch.setattr(wiring, "request_for", broken)
    with caplog.at_level(logging.ERROR, logger="mpbook.session"):
        reply = reader.run()
    assert reply == protocol.error("internal", "The server failed to do that; try again, or tell the instructor.")
    [record] = caplog.records
    assert record.exc_info is not None and "a bug in the wiring" in caplog.text and "Traceback" in caplog.text
    assert reader.send({"op": "ping"}) == protocol.pong()
    monkeypatch.setattr(wiring, "request_for", request_for)
    assert reader.run() is None and len(engine.runs) == 1  # nothing was left half-queued
    assert reader.session.state is State.RUNNING


def test_editing_off_refuses_edited_code(engine: FakeEngine) -> None:
    reader = Reader(fake_wiring(editing=False), engine)
    reply = reader.run(code="print(1)\n")
    assert reply is not None and reply["code"] == "forbidden"
    assert reader.run() is None and len(engine.runs) == 1


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        ("not json", "bad_request"),
        ("[1, 2]", "bad_request"),
        ({"op": "dance"}, "bad_request"),
        ({"op": ["run"]}, "bad_request"),
        ({"op": "run", "example": "nope"}, "unknown_example"),
        ({"op": "run", "example": 3}, "unknown_example"),
        ({"op": "run", "example": "hello", "code": 5}, "bad_request"),
        ({"op": "run", "example": "hello", "start_method": "teleport"}, "bad_request"),
        ({"op": "run", "example": "hello", "code": "#" * 70_000}, "too_large"),
    ],
)
def test_bad_frames_get_an_error_and_the_session_stays_usable(engine: FakeEngine, frame: Any, code: str) -> None:
    reader = Reader(fake_wiring(), engine)
    reply = reader.send(frame)
    assert reply is not None and reply["type"] == "error" and reply["code"] == code and reply["message"]
    assert reader.session.state is None and not engine.runs
    reader.run()
    assert len(engine.runs) == 1


def test_unknown_op_names_the_ops(engine: FakeEngine) -> None:
    reply = Reader(fake_wiring(), engine).send({"op": "dance"})
    assert reply is not None and reply["message"] == (
        "Unknown op 'dance'; use \"run\", \"stop\", \"ping\", \"check\", \"stacks\" or \"stdin\".")


def test_too_large_says_how_large_in_kib(engine: FakeEngine) -> None:
    reply = Reader(fake_wiring(source_bytes=1024), engine).run(code="#" * 1500)
    assert reply is not None and reply["message"] == "The program is 2 KiB; this server takes up to 1 KiB."


def test_ping_gets_pong(engine: FakeEngine) -> None:
    assert Reader(fake_wiring(), engine).send({"op": "ping"}) == protocol.pong()


def test_stop_when_idle_does_nothing(engine: FakeEngine) -> None:
    reader = Reader(fake_wiring(), engine)
    assert reader.send({"op": "stop"}) is None


def test_every_op_is_a_method_of_the_session() -> None:
    for name, op in RunSession.OPS.items():
        assert getattr(RunSession, op.__name__) is op, name


def test_stacks_and_stdin_go_to_the_running_run(engine: FakeEngine) -> None:
    reader = Reader(fake_wiring(), engine)
    reader.send({"op": "stacks"})
    assert reader.frames[-1]["code"] == "not_running"
    reader.run()
    [run] = engine.runs
    reader.send({"op": "stacks"})
    reader.send({"op": "stdin", "data": "Ada\n"})
    reader.send({"op": "stdin", "eof": True})
    assert (run.stacks_asked, run.input, run.input_closed) == (1, b"Ada\n", True)
    for bad in ({"op": "stdin"}, {"op": "stdin", "data": 3}, {"op": "stdin", "eof": False},
                {"op": "stdin", "data": "x", "eof": True}):
        reader.send(bad)
        assert reader.frames[-1]["code"] == "bad_request", bad
