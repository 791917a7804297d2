"""The check op over a real run session and sandbox: frames of each run, then the check frame."""

from __future__ import annotations

import json
import threading
from typing import Any

from flask import Flask

from helpers import wait_until
from mpbook.web.session import RunSession
from mpbook.web.wiring import wiring_of

DEADLINE = 60.0  # seconds a Check of three runs may take on a busy machine


class Collector:
    def __init__(self) -> None:
        self.frames: list[dict[str, Any]] = []
        self.done = threading.Event()

    def __call__(self, frame: dict[str, Any]) -> None:
        self.frames.append(json.loads(json.dumps(frame)))
        if frame["type"] in ("check", "error") or frame["type"] == "exit" and frame.get("t") == 0:
            self.done.set()


def check(app: Flask, code: str, **extra: Any) -> Collector:
    got = Collector()
    session = RunSession(wiring_of(app), "127.0.0.1", got)
    session.handle(json.dumps({"op": "check", "exercise": "start-workers", "code": code, **extra}))
    assert got.done.wait(DEADLINE), got.frames[-3:]
    return got


def test_a_check_streams_each_run_then_judges(book_app: Flask) -> None:
    exercise = wiring_of(book_app).book.exercises["start-workers"]
    got = check(book_app, exercise.solution, seed=12345)
    types = [f["type"] for f in got.frames]
    assert types.count("started") == 3 and types.count("exit") == 3 and types[-1] == "check"
    assert [f["start_method"] for f in got.frames if f["type"] == "started"] == ["fork", "spawn", "forkserver"]
    assert all(f["example"] == "start-workers" for f in got.frames if f["type"] == "started")
    last = got.frames[-1]
    assert last["passed"] is True and last["seed"] == 12345 and last["exercise"] == "start-workers"
    assert [r["name"] for r in last["results"]] == [c.name for c in exercise.checks]
    assert wiring_of(book_app).checks.counts("start-workers")[1] >= 1


def test_a_failing_check_stops_after_the_first_failing_run(book_app: Flask) -> None:
    exercise = wiring_of(book_app).book.exercises["start-workers"]
    got = check(book_app, exercise.starter)
    assert [f["type"] for f in got.frames].count("started") == 1
    last = got.frames[-1]
    assert last["passed"] is False
    failed = {r["name"]: r["message"] for r in last["results"] if not r["passed"]}
    assert failed["workers run at the same time"].endswith("Start them all before you join any.")


def test_stop_ends_a_check_with_its_check_frame(book_app: Flask) -> None:
    exercise = wiring_of(book_app).book.exercises["start-workers"]
    got = Collector()
    session = RunSession(wiring_of(book_app), "127.0.0.2", got)
    session.handle(json.dumps({"op": "check", "exercise": "start-workers", "code": exercise.solution}))
    wait_until(lambda: any(f["type"] == "output" for f in got.frames), DEADLINE, what="the Check's first output")
    session.handle(json.dumps({"op": "stop"}))
    assert got.done.wait(DEADLINE)
    assert [f["type"] for f in got.frames].count("started") == 1
    assert got.frames[-1]["type"] == "check" and got.frames[-1]["passed"] is False
    assert session.state is None


def test_bad_check_frames_are_explained(book_app: Flask) -> None:
    for frame, code in [({"exercise": "nope", "code": ""}, "unknown_exercise"),
                        ({"exercise": "start-workers"}, "bad_request"),
                        ({"exercise": "start-workers", "code": "", "seed": -1}, "bad_request")]:
        got = Collector()
        RunSession(wiring_of(book_app), "127.0.0.1", got).handle(json.dumps({"op": "check", **frame}))
        assert got.frames[-1]["type"] == "error" and got.frames[-1]["code"] == code


def test_run_with_an_exercise_runs_the_code_with_its_files(book_app: Flask) -> None:
    got = Collector()
    session = RunSession(wiring_of(book_app), "127.0.0.1", got)
    code = "print(open('greeting.txt').read().strip())\n"
    session.handle(json.dumps({"op": "run", "exercise": "pass-in-args", "code": code, "start_method": "spawn"}))
    wait_until(lambda: any(f["type"] == "exit" for f in got.frames), DEADLINE, what="the run's exit frame")
    assert [f["data"] for f in got.frames if f["type"] == "output"] == ["good morning from the file\n"]
    started = next(f for f in got.frames if f["type"] == "started")
    assert started["example"] == "pass-in-args" and started["start_method"] == "spawn"
