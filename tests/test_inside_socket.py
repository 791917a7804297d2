"""Stacks, usage and stdin over the run socket (docs/protocol.md, "Inside a run"), against a real server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from helpers import FIXTURE_CONTENT, Client, live_server


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with live_server({"MPBOOK_CONTENT_DIR": str(FIXTURE_CONTENT), "MPBOOK_RUNS_PER_MINUTE": "0",
                      "MPBOOK_WALL_SECONDS": "20", "MPBOOK_INPUT_KB": "1"}) as base:
        yield base


@pytest.fixture
def client(server: str) -> Iterator[Client]:
    c = Client(server)
    yield c
    c.close()



def test_stacks_on_request_and_before_the_exit_of_a_stop(client: Client) -> None:
    client.send(op="stacks")
    assert client.until(lambda f: f["type"] == "error")["code"] == "not_running"
    client.send(op="run", example="hello", code="import time\nprint('up', flush=True)\ntime.sleep(60)\n")
    client.said("up\n")
    client.send(op="stacks")
    stack = client.until(lambda f: f["type"] == "stack")
    assert stack["process"] == "MainProcess" and "time.sleep(60)" in stack["text"]
    assert set(stack) == {"type", "pid", "process", "text", "t"}
    usage = client.until(lambda f: f["type"] == "usage")
    assert set(usage) == {"type", "t", "cpu", "memory"} and usage["memory"] > 0 and usage["cpu"] >= 0
    client.send(op="stop")
    end = client.until(lambda f: f["type"] == "exit")
    assert end["reason"] == "stopped"
    after_stop = client.frames[client.frames.index(stack) + 1:]
    assert [f["process"] for f in after_stop if f["type"] == "stack"] == ["MainProcess"]


def test_input_line_by_line_then_end_of_file(client: Client) -> None:
    source = "import sys\nprint('name?', flush=True)\nprint('hi', input(), flush=True)\nprint(len(sys.stdin.read()))\n"
    client.send(op="run", example="hello", code=source)
    client.said("name?\n")
    waiting = client.until(lambda f: f["type"] == "input")
    assert waiting["waiting"] is True
    client.send(op="stdin", data="Ada\n")
    client.said("hi Ada\n")
    client.send(op="stdin", data="x" * 2000)  # beyond the 1 KiB cap
    assert client.until(lambda f: f["type"] == "error")["code"] == "too_large"
    client.send(op="stdin", data="abc")
    client.send(op="stdin", eof=True)
    client.said("3\n")
    assert client.until(lambda f: f["type"] == "exit")["reason"] == "ok"
    client.send(op="stdin", data="late")
    assert client.until(lambda f: f["type"] == "error")["code"] == "not_running"


def test_input_after_end_of_file_is_refused(client: Client) -> None:
    client.send(op="run", example="hello", code="import time\nprint('up', flush=True)\ntime.sleep(60)\n")
    client.said("up\n")
    client.send(op="stdin", eof=True)
    client.send(op="stdin", data="more")
    error = client.until(lambda f: f["type"] == "error")
    assert error["code"] == "input_closed" and "closed" in error["message"]
    client.send(op="stdin", data="x", eof=True)
    assert client.until(lambda f: f["type"] == "error")["code"] == "bad_request"
    client.send(op="stop")
    client.send(op="stop")  # at once: not waiting for the stacks
    assert client.until(lambda f: f["type"] == "exit")["reason"] == "stopped"
