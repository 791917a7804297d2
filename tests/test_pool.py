"""The warm pool's size: the floor, more after a burst of starts, back to the floor later."""

from __future__ import annotations

import pytest

from helpers import wait_until
from mpbook.engine import pool
from mpbook.engine import runner as runner_module
from mpbook.engine.runner import QuietCallbacks, Runner, RunRequest
from mpbook.engine.sandbox import SandboxError, choose_backend


def test_a_burst_raises_the_target_within_its_bounds(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pool, "available_memory", lambda: 10 * pool.SANDBOX_BYTES / pool.MEMORY_SHARE)
    demand = pool.Demand(floor=1, most=4)
    assert demand.target(0.0) == 1
    for t in (10.0, 10.2, 10.4):  # three together
        demand.started(t)
    demand.started(15.0)  # and one alone
    assert demand.target(15.0) == 3
    for t in (20.0, 20.1, 20.2, 20.3, 20.4, 20.5):
        demand.started(t)
    assert demand.target(21.0) == 4  # never beyond most
    assert demand.target(20.5 + pool.MEMORY_SECONDS + 1) == 1  # the bursts are forgotten


def test_memory_and_a_zero_floor_bound_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pool, "available_memory", lambda: 2 * pool.SANDBOX_BYTES / pool.MEMORY_SHARE)
    demand = pool.Demand(floor=1, most=8)
    for t in (0.0, 0.1, 0.2, 0.3, 0.4):
        demand.started(t)
    assert demand.target(1.0) == 2
    none = pool.Demand(floor=0, most=8)
    none.started(0.0)
    none.started(0.1)
    assert none.target(0.2) == 0  # warm_sandboxes=0: no pool, whatever the demand


def test_the_runner_keeps_as_many_warm_as_started_together() -> None:
    try:
        backend = choose_backend("auto")
    except SandboxError as error:
        pytest.skip(str(error))
    runner = Runner(backend, warm=1, most=3)
    try:
        runs = [runner.start(RunRequest({"main.py": b'print("hi")\n'}), QuietCallbacks()) for _ in range(3)]
        assert all(run.wait(30) for run in runs)
        wait_until(lambda: len(runner._pool) == 3, 30, 0.05, "three warm sandboxes after a burst of three")
    finally:
        runner.close()


def test_a_refill_lets_the_runs_waiting_for_a_slot_take_the_warm_sandboxes_first() -> None:
    """While the pool holds a sandbox for every run waiting for a slot, starting another would
    only take a core from them; beyond that, or with none waiting, nothing holds the refill back."""
    waiting = [0]
    runner = Runner(choose_backend("basic"), warm=0, queued=lambda: waiting[0])  # warm=0: no refill thread
    try:
        runner._pool = [object(), object()]  # type: ignore[list-item]  # two warm sandboxes, as far as the rule sees
        with runner._changed:
            assert runner._held_back() == 0
            waiting[0] = 2
            assert runner._held_back() == runner_module.QUEUE_POLL_SECONDS
            waiting[0] = 3  # one of them would start cold: refill now
            assert runner._held_back() == 0
    finally:
        runner._pool = []
        runner.close()
