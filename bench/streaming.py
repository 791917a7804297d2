"""(2) Streaming delay: how late each printed line reaches the client.

A program prints the wall-clock time, sleeps, prints again. The client stamps
each output frame when it arrives and reports, per line, arrival minus the time
printed. Wall clock, because the sandbox shares it with the host (bubblewrap
makes no time namespace). The reference is the same program run directly with
the interpreter, its stdout a pipe read by this process: the floor any
streaming could reach.
"""

from __future__ import annotations

import subprocess
import threading
import time
from typing import Any

from .common import (
    INTERPRETER,
    BenchError,
    Report,
    Row,
    Socket,
    Stats,
    plain_example,
    serve,
    socket_to,
    stats_text,
    verdict,
)

TARGET_P95_MS = 20.0
SLEEP_SECONDS = 0.02

# The same loop in the main process, and in a multiprocessing child (whose output
# takes the same record pipe, tagged with its name).
PROGRAMS = {
    "main process": """\
import time
for _ in range({lines}):
    print(repr(time.time()))
    time.sleep({sleep})
""",
    "child process": """\
import time
from multiprocessing import Process

def child():
    for _ in range({lines}):
        print(repr(time.time()))
        time.sleep({sleep})

if __name__ == "__main__":
    p = Process(target=child)
    p.start()
    p.join()
""",
}


def _delays(text: str, arrived: float) -> list[float]:
    """Milliseconds from each printed stamp in ``text`` to ``arrived`` (a time.time())."""
    return [(arrived - float(line)) * 1000 for line in text.splitlines() if line.strip()]


def _through_server(client: Socket, example: str, program: str, lines: int) -> list[float]:
    """Each line's delay in one sandboxed run, at the raw WebSocket client."""
    got: list[float] = []
    partial = ""

    def on_frame(frame: dict[str, Any], _at: float) -> None:
        nonlocal partial
        arrived = time.time()
        if frame["type"] == "output" and frame["stream"] == "stdout":
            # A line may come in pieces; it has arrived when its newline has.
            text = partial + frame["data"]
            complete, _, partial = text.rpartition("\n")
            got.extend(_delays(complete, arrived))

    _, end = client.run({"example": example, "code": program}, timeout=30, on_frame=on_frame)
    if end["reason"] != "ok" or len(got) != lines:
        raise BenchError(f"the streaming program printed {len(got)} of {lines} lines and ended {end}")
    return got


def _direct(program: str, lines: int) -> list[float]:
    """Each line's delay in one direct run, its stdout a pipe read here."""
    process = subprocess.Popen([INTERPRETER, "-I", "-u", "-c", program], stdout=subprocess.PIPE,
                               stdin=subprocess.DEVNULL, text=True)
    got: list[float] = []
    # The watchdog bounds the read loop: it kills a program that hangs.
    watchdog = threading.Timer(30, process.kill)
    watchdog.start()
    try:
        assert process.stdout is not None
        for line in process.stdout:
            got.extend(_delays(line, time.time()))
    finally:
        watchdog.cancel()
        process.wait(10)
    if process.returncode != 0 or len(got) != lines:
        raise BenchError(f"the streaming program, run directly, printed {len(got)} of {lines} lines")
    return got


def measure(short: bool) -> Report:
    runs, lines = (1, 10) if short else (8, 25)
    report = Report()
    with serve() as base, socket_to(base) as client:
        example = plain_example(base)
        for where, source in PROGRAMS.items():
            program = source.format(lines=lines, sleep=SLEEP_SECONDS)
            through: list[float] = []
            piped: list[float] = []
            for _ in range(runs):  # alternating, so that the machine's load touches both alike
                time.sleep(0.3)  # the warm pool refills between runs
                through += _through_server(client, example, program, lines)
                piped += _direct(program, lines)
            served, direct = Stats.of(through), Stats.of(piped)
            report.rows.append(Row(
                f"streaming, {where}: print → WebSocket", served, "ms",
                reference=f"pipe {stats_text(direct, 'ms')}",
                comparison=f"+{served.median - direct.median:.1f} ms", target=f"p95 < {TARGET_P95_MS:g} ms",
                verdict=verdict(served.p95 < TARGET_P95_MS),
            ))
    report.notes.append(
        f"Streaming: {runs} run(s) of a program printing time.time() {lines} times, {SLEEP_SECONDS * 1000:g} ms "
        "apart, in the main process and in a multiprocessing child; each line's delay is its arrival at the "
        "raw WebSocket client minus the time printed. Reference: the same program run directly, stdout a "
        "pipe to the benchmark, alternating with the sandboxed runs.")
    return report
