"""(5) A burst: three runs of ``print("hi")`` started at the same moment on three sockets.

A room told "now run it" sends many runs at once; the warm pool must have a
sandbox ready for each (engine/pool.py). Each round, three raw WebSocket
clients send their run together (released by one barrier) and each times
send → first ``output`` frame; the row is the slowest of the three per round,
beside a bare interpreter start measured in the same run, after the same idle.
"""

from __future__ import annotations

import threading
import time

from .common import (
    INTERPRETER,
    BenchError,
    Report,
    Row,
    Socket,
    Stats,
    bare_start_ms,
    plain_example,
    serve,
    socket_to,
    stats_text,
    verdict,
)

CLIENTS = 3
TARGET_RATIO = 1.5
PAUSE = 1.0  # between rounds, as in issue #11's measurement


def _first_output(client: Socket, example: str, barrier: threading.Barrier, into: list[float]) -> None:
    barrier.wait(10)
    into.append(client.first_output_ms(example))


def _rounds(base: str, rounds: int) -> tuple[list[float], list[float], list[float]]:
    """The slowest first output of each round, every first output, and bare starts between rounds."""
    slowest: list[float] = []
    every: list[float] = []
    bare: list[float] = []
    example = plain_example(base)
    clients = [socket_to(base) for _ in range(CLIENTS)]
    sockets = [c.__enter__() for c in clients]
    try:
        for number in range(rounds + 1):  # the first round wakes the pool's sizing up: not counted
            time.sleep(PAUSE)
            bare.append(bare_start_ms())
            barrier = threading.Barrier(CLIENTS)
            firsts: list[float] = []
            threads = [threading.Thread(target=_first_output, args=(s, example, barrier, firsts)) for s in sockets]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(60)
            if len(firsts) != CLIENTS:
                raise BenchError(f"only {len(firsts)} of {CLIENTS} runs of a burst printed")
            if number:
                slowest.append(max(firsts))
                every += firsts
    finally:
        for c in clients:
            c.__exit__(None, None, None)
    return slowest, every, bare[1:]


def measure(short: bool) -> Report:
    rounds = 3 if short else 8
    report = Report()
    with serve() as base:
        slowest, every, bare = _rounds(base, rounds)
    idle = Stats.of(bare)
    for name, samples, target in ((f"burst of {CLIENTS}: slowest first output", slowest, True),
                                  (f"burst of {CLIENTS}: every first output", every, False)):
        stats = Stats.of(samples)
        ratio = stats.median / idle.median
        report.rows.append(Row(name, stats, "ms", reference=f"bare after idle {stats_text(idle, 'ms')}",
                               comparison=f"{ratio:.2f}×", target=f"≤ {TARGET_RATIO}× bare" if target else "",
                               verdict=verdict(ratio <= TARGET_RATIO) if target else "—"))
    report.notes.append(
        f"Bursts: {rounds} rounds, {PAUSE:g} s apart, of {CLIENTS} raw WebSocket clients sending a run of "
        f"print(\"hi\") at the same moment (after one round not counted), send → first output frame each; "
        f"reference: `{INTERPRETER} -I -S -c pass` after the same idle, once per round.")
    return report
