"""admission.py: the rate, connection and capacity limits, and the one count of refusals."""

from __future__ import annotations

import pytest

from mpbook.engine.scheduler import Scheduler
from mpbook.web.admission import (
    CAUSES,
    REFUSED_CONNECTION,
    Admission,
    ConnectionLimiter,
    RateLimiter,
    Refused,
    socket_capacity,
)


def admission(slots: int = 1, queue_size: int = 1, runs_per_minute: int = 0, per_client: int = 0,
              threads: int = 150) -> Admission:
    return Admission(Scheduler(slots, queue_size), runs_per_minute, per_client, threads)


def nothing(_: object) -> None:
    pass


def test_rate_limit_is_per_client_and_zero_means_none() -> None:
    rate = RateLimiter(per_minute=2)
    assert [rate.allow("a") for _ in range(3)] == [True, True, False]
    assert rate.allow("b")
    unlimited = RateLimiter(per_minute=0)
    assert all(unlimited.allow("a") for _ in range(100))


def test_socket_capacity_keeps_threads_for_pages() -> None:
    assert socket_capacity(150) == 150 - 18
    assert socket_capacity(8) == 6
    assert socket_capacity(1) == 1


def test_connection_caps_per_client_then_in_all() -> None:
    limiter = ConnectionLimiter(per_client=2, total=3)
    assert [limiter.open("a") for _ in range(3)] == [None, None, "client"]
    assert limiter.open("b") is None
    assert limiter.open("c") == "server"
    assert limiter.counts() == (3, 2)
    limiter.close("a")
    limiter.close("a")
    assert limiter.counts() == (1, 1)
    assert limiter.open("c") is None


def test_refused_connections_are_counted_with_their_words() -> None:
    gate = admission(per_client=1, threads=150)
    assert gate.connect("a") is None
    assert gate.connect("a") == REFUSED_CONNECTION["client"]
    gate.disconnect("a")
    assert gate.connect("a") is None
    assert gate.refusals.snapshot() == {"connections": 1}


def test_a_full_server_refuses_whoever_asks() -> None:
    gate = admission(threads=1)
    assert gate.connect("a") is None
    assert gate.connect("b") == REFUSED_CONNECTION["server"]


def test_run_refusals_say_why_and_are_counted_by_cause() -> None:
    gate = admission(slots=1, queue_size=1, runs_per_minute=3)
    gate.enter("a", nothing, nothing)
    gate.enter("a", nothing, nothing)
    with pytest.raises(Refused) as full:
        gate.enter("a", nothing, nothing)
    assert full.value.code == "busy"
    with pytest.raises(Refused) as quick:
        gate.enter("a", nothing, nothing)
    assert quick.value.code == "rate_limited" and "wait a moment" in quick.value.message
    assert gate.refusals.snapshot() == {"queue_full": 1, "rate_limited": 1}
    assert set(gate.refusals.snapshot()) <= set(CAUSES)


def test_enter_grants_through_the_callback() -> None:
    gate = admission(slots=1, queue_size=1)
    granted: list[object] = []
    first = gate.enter("a", nothing, granted.append)
    second = gate.enter("b", nothing, granted.append)
    assert granted == [first]
    first.release()
    assert granted == [first, second]
