"""The runtime's seeded pauses at synchronisation points (a Check's ``jitter``), and the start
method each child reports, in the real sandbox."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from mpbook.engine.runner import START_METHODS, Runner, RunRequest, run_to_completion
from mpbook.engine.sandbox import choose_backend

COUNTER = b"""
import multiprocessing as mp

def work(v, locked, ready):
    ready.wait()  # all four at once, however slowly each started
    for _ in range(300):
        if locked:
            with v.get_lock():
                v.value += 1
        else:
            v.value += 1

if __name__ == '__main__':
    for locked in (False, True):
        v = mp.Value('i', 0)
        ready = mp.Barrier(4)
        ps = [mp.Process(target=work, args=(v, locked, ready)) for _ in range(4)]
        for p in ps:
            p.start()
        for p in ps:
            p.join()
        print(v.value)
"""

PROBE = b"""
import multiprocessing as mp
import multiprocessing.managers

def probe():
    print(mp.managers.BaseProxy._callmethod.__qualname__)

if __name__ == '__main__':
    p = mp.Process(target=probe)
    p.start()
    p.join()
"""


@pytest.fixture(scope="module")
def runner() -> Iterator[Runner]:
    runner = Runner(choose_backend("auto"), warm=0)
    yield runner
    runner.close()


@pytest.mark.parametrize("method", START_METHODS)
def test_pauses_make_a_missing_lock_lose_updates_and_a_lock_still_holds(runner: Runner, method: str) -> None:
    result = run_to_completion(runner, RunRequest(files={"main.py": COUNTER}, start_method=method, jitter=7))
    unlocked, locked = map(int, result.stdout.split())
    assert result.reason == "ok", result.stderr
    assert unlocked < 1200 and locked == 1200
    children = [e for e in result.events if e.event == "start" and e.ppid is not None]
    assert len(children) == 8 and {e.start_method for e in children} == {method}


@pytest.mark.parametrize("method", START_METHODS)
def test_pauses_reach_manager_proxies_in_every_child(runner: Runner, method: str) -> None:
    result = run_to_completion(runner, RunRequest(files={"main.py": PROBE}, start_method=method, jitter=3))
    assert result.reason == "ok", result.stderr
    assert result.stdout == "_paused.<locals>.paused\n"


def test_no_jitter_no_pauses_are_installed(runner: Runner) -> None:
    probe = b"import multiprocessing.synchronize as s\nprint(s.SemLock.__enter__.__qualname__)\n"
    plain = run_to_completion(runner, RunRequest(files={"main.py": probe}))
    paused = run_to_completion(runner, RunRequest(files={"main.py": probe}, jitter=1))
    assert plain.stdout == "SemLock.__enter__\n"
    assert paused.stdout == "_paused.<locals>.paused\n"
