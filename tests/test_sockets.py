"""The run protocol of docs/protocol.md end to end, against a real server in a subprocess.

The session's states (queue, busy, stop, leave, refusals) are tested in-process in
test_session.py; these tests show the same path works through the socket and the sandbox."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus

from helpers import FIXTURE_CONTENT, Client, live_server, text

POOL = """\
import os
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import current_process

def task(n):
    print("task", n, current_process().name, flush=True)
    return n

if __name__ == "__main__":
    print("main", current_process().name)
    with ProcessPoolExecutor(2) as pool:
        list(pool.map(task, range(4)))
"""

CHILD = """\
from multiprocessing import Process

def hello():
    print("from child")

if __name__ == "__main__":
    p = Process(target=hello)
    p.start()
    p.join()
    print("child exit code", p.exitcode)
"""


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    env = {"MPBOOK_CONTENT_DIR": str(FIXTURE_CONTENT), "MPBOOK_WARM_SANDBOXES": "1", "MPBOOK_MAX_RUNS": "2",
           "MPBOOK_QUEUE_SIZE": "2", "MPBOOK_WALL_SECONDS": "8", "MPBOOK_WS_MAX_MESSAGE_KB": "64",
           "MPBOOK_SOURCE_KB": "32"}
    with live_server(env) as url:
        yield url


@pytest.fixture
def session(server: str) -> Iterator[Client]:
    s = Client(server)
    yield s
    s.close()


def test_hello_names_the_sandbox(session: Client) -> None:
    assert session.hello["type"] == "hello"
    assert session.hello["sandbox"] in ("bwrap", "basic")
    assert session.hello["default_start_method"] in session.hello["start_methods"]


def test_published_example_runs_and_streams(session: Client) -> None:
    frames = session.run(example="hello")
    started = frames[0]
    assert started["type"] == "started" and started["example"] == "hello"
    assert set(started["limits"]) >= {"wall_seconds", "memory_bytes", "processes", "output_bytes"}
    assert text(frames) == "hello <b>world</b>\n"
    out = next(f for f in frames if f["type"] == "output")
    assert out["process"] == "MainProcess" and isinstance(out["pid"], int)
    assert frames[-1]["type"] == "exit" and frames[-1]["reason"] == "ok" and frames[-1]["code"] == 0


def test_original_example_shows_the_real_error(session: Client) -> None:
    frames = session.run(example="hello-typo")
    assert "NameError: name 'prnt' is not defined" in text(frames, "stderr")
    assert frames[-1]["reason"] == "error" and frames[-1]["code"] == 1


def test_edited_code_runs_in_place_of_the_example(session: Client) -> None:
    frames = session.run(example="hello", code="print(6 * 7)\n")
    assert text(frames) == "42\n"


@pytest.mark.parametrize("method", ["fork", "spawn", "forkserver"])
def test_child_output_and_events_are_tagged(session: Client, method: str) -> None:
    frames = session.run(example="hello", code=CHILD, start_method=method)
    assert frames[0]["start_method"] == method
    child_lines = [f for f in frames if f["type"] == "output" and f["data"].startswith("from child")]
    assert child_lines and child_lines[0]["process"] == "Process-1"
    starts = [f for f in frames if f["type"] == "process" and f["event"] == "start"]
    exits = [f for f in frames if f["type"] == "process" and f["event"] == "exit"]
    assert "Process-1" in {f["name"] for f in starts}
    child_exit = next(f for f in exits if f["name"] == "Process-1")
    assert child_exit["exitcode"] == 0
    assert child_lines[0]["pid"] == child_exit["pid"]
    assert "child exit code 0" in text(frames)


@pytest.mark.parametrize("method", ["fork", "spawn", "forkserver"])
def test_pool_workers_are_tagged(session: Client, method: str) -> None:
    frames = session.run(example="hello", code=POOL, start_method=method)
    assert frames[-1]["reason"] == "ok", text(frames, "stderr")
    tasks = [f for f in frames if f["type"] == "output" and f["data"].startswith("task")]
    assert len(tasks) == 4
    for frame in tasks:
        # The line says which process printed it; the tag must agree.
        assert frame["data"].split()[2] == frame["process"]
    assert {f["process"] for f in tasks} <= {f["name"] for f in frames if f["type"] == "process"}


def test_stop_ends_a_running_program(session: Client) -> None:
    session.send({"op": "run", "example": "hello", "code": "import time\nprint('up', flush=True)\ntime.sleep(60)\n"})
    while session.next()["type"] != "output":
        pass
    session.send({"op": "stop"})
    frames = session.until_exit(10)
    assert frames[-1]["reason"] == "stopped"
    assert frames[-1]["message"] == "Stopped by you"


def test_wall_time_limit_says_so(session: Client) -> None:
    frames = session.run(example="hello", code="import time\nprint('waiting')\ntime.sleep(60)\n")
    assert frames[-1]["reason"] == "timeout"
    assert "wall time" in frames[-1]["message"]
    assert text(frames) == "waiting\n"


@pytest.mark.parametrize(
    ("frame", "code"),
    [("not json", "bad_request"), ({"op": "run", "example": "hello", "code": "#" * 40_000}, "too_large")],
)
def test_bad_frames_get_an_error_and_the_connection_stays_usable(session: Client, frame: Any, code: str) -> None:
    """Every kind of bad frame is in test_session.py; these two show an error crosses the socket."""
    session.send(frame)
    reply = session.next()
    assert reply["type"] == "error" and reply["code"] == code and reply["message"]
    assert text(session.run(example="hello")) == "hello <b>world</b>\n"


def test_oversized_message_closes_with_1009(server: str) -> None:
    s = Client(server)
    s.send({"op": "run", "example": "hello", "code": "#" * 100_000})
    with pytest.raises(ConnectionClosed) as closed:
        s.ws.recv(timeout=5)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1009


def test_leaving_stops_the_run(server: str) -> None:
    s = Client(server)
    s.send({"op": "run", "example": "hello", "code": "import time\nprint('up', flush=True)\ntime.sleep(60)\n"})
    while s.next()["type"] != "output":
        pass
    s.close()
    # The slot comes back: two fresh runs (the server has two slots) start at once.
    others = [Client(server), Client(server)]
    try:
        for o in others:
            o.send({"op": "run", "example": "hello"})
        assert all(o.until_exit(10)[-1]["reason"] == "ok" for o in others)
    finally:
        for o in others:
            o.close()


def test_foreign_origin_handshake_is_refused(server: str) -> None:
    with pytest.raises(InvalidStatus) as refused:
        Client(server, origin="http://evil.example")
    assert refused.value.response.status_code == 403


def test_own_origin_handshake_is_accepted(server: str) -> None:
    s = Client(server, origin=server)
    assert s.hello["type"] == "hello"
    s.close()
