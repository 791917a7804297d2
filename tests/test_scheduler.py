import threading

import pytest

from mpbook.engine.scheduler import QueueFull, Scheduler


def test_grants_up_to_slots_then_queues_in_order() -> None:
    scheduler = Scheduler(slots=2, queue_size=3)
    positions: dict[str, list[int]] = {"c": [], "d": []}
    a = scheduler.enter(lambda p: None)
    b = scheduler.enter(lambda p: None)
    c = scheduler.enter(positions["c"].append)
    d = scheduler.enter(positions["d"].append)
    assert a.granted and b.granted and not c.granted and not d.granted
    assert positions == {"c": [1], "d": [2]}
    a.release()
    assert c.wait(1) and not d.granted
    assert positions["d"] == [2, 1]
    assert scheduler.stats().running == 2 and scheduler.stats().waiting == 1 == scheduler.waiting()


def test_full_queue_says_so_and_counts() -> None:
    scheduler = Scheduler(slots=1, queue_size=1)
    scheduler.enter(lambda p: None)
    scheduler.enter(lambda p: None)
    with pytest.raises(QueueFull):
        scheduler.enter(lambda p: None)
    assert scheduler.stats().refused_total == 1


def test_cancel_leaves_queue_and_moves_others_up() -> None:
    scheduler = Scheduler(slots=1, queue_size=5)
    first = scheduler.enter(lambda p: None)
    seen: list[int] = []
    waiting = scheduler.enter(lambda p: None)
    behind = scheduler.enter(seen.append)
    waiting.cancel()
    assert not waiting.wait(0)
    assert seen == [2, 1]
    first.release()
    assert behind.wait(1)


def test_release_twice_frees_one_slot() -> None:
    scheduler = Scheduler(slots=1, queue_size=5)
    a = scheduler.enter(lambda p: None)
    b = scheduler.enter(lambda p: None)
    c = scheduler.enter(lambda p: None)
    a.release()
    a.release()
    assert b.granted and not c.granted


def test_many_threads_never_exceed_slots() -> None:
    scheduler = Scheduler(slots=3, queue_size=100)
    peak = 0
    granted = 0
    lock = threading.Lock()

    def worker() -> None:
        # An assert here would only kill the thread; the test counts what happened instead.
        nonlocal peak, granted
        ticket = scheduler.enter(lambda p: None)
        if ticket.wait(5):
            with lock:
                granted += 1
                peak = max(peak, scheduler.stats().running)
        ticket.release()

    threads = [threading.Thread(target=worker) for _ in range(40)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert not any(t.is_alive() for t in threads)
    assert granted == 40 and peak <= 3
    assert scheduler.stats().running == 0 and scheduler.stats().started_total == 40


def test_on_grant_is_called_once_when_the_slot_comes() -> None:
    scheduler = Scheduler(slots=1, queue_size=5)
    granted: list[object] = []
    first = scheduler.enter(lambda p: None, granted.append)
    second = scheduler.enter(lambda p: None, granted.append)
    third = scheduler.enter(lambda p: None, granted.append)
    assert granted == [first]
    second.cancel()
    assert granted == [first]  # a ticket that left the queue is never granted
    first.release()
    first.release()
    assert granted == [first, third]
