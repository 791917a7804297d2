"""Load: a room of readers on one server, and fair CPU sharing between runs. Loopback only.

``run_load`` starts ``mpbook serve`` with default settings and opens N WebSocket
clients at once. Each runs the pool example and then a short example, as
published, one after the other on its connection. Meanwhile one client fetches
the pool lesson's page again and again. The result says how many runs finished
and how many were lost or refused, what the queue did, the page's latency
while loaded, the server's memory before, at its peak and after, and what was
left behind, while the server runs and after it stopped: processes in its run
cgroups, cgroup dirs, temp dirs.

``fair_cpu`` times a light run alone and beside two runs that keep four
processes each busy, with each run in its own cpu cgroup (as the server does)
and with all of them in one shared cgroup (as without per-run cpu cgroups,
under a service manager).

    python -m bench.load                      # 100 clients
    python -m bench.load --clients 30 --rounds 2 --json
    python -m bench.load --fair-cpu
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .common import percentile
from .held import (
    Server,
    held,
    leaks,
    proc_status,
    processes_in_run_cgroups,
    processes_using,
    rss_mb,
    run_cgroups,
    serve,
    temp_dirs,
)

ROOT = Path(__file__).resolve().parent.parent
SETTLE_SECONDS = 15  # for the server to end runs and refill its warm sandboxes after the clients leave

POOL_EXAMPLE = "pool-submit"  # ten half-second tasks on a pool of four processes
SHORT_EXAMPLE = "basic-start"  # one child process says hello


def summary(samples: Sequence[float]) -> dict[str, float | int]:
    if not samples:
        return {"count": 0}
    return {"count": len(samples), "median": round(percentile(samples, 50), 1),
            "p95": round(percentile(samples, 95), 1), "max": round(max(samples), 1)}


# ---- one reader --------------------------------------------------------------------

@dataclasses.dataclass
class RunRecord:
    example: str
    reason: str | None = None  # the exit frame's reason; None: the run was lost
    refused: str | None = None  # the error code, when the run was refused
    max_position: int = 0  # highest queue position the reader was shown
    positions: int = 0  # queued frames received
    wait_ms: float | None = None  # from sending "run" to "started"
    total_ms: float | None = None  # from sending "run" to "exit"


def reader(url: str, examples: Sequence[str], start: threading.Barrier, deadline: float) -> list[RunRecord]:
    """One reader's page: connect, run each example in turn, leave."""
    from websockets.sync.client import connect  # the load client's only dependency beyond the stdlib

    records = [RunRecord(example) for example in examples]
    start.wait(timeout=60)
    with connect(url.replace("http://", "ws://") + "/ws", proxy=None, open_timeout=60,
                 max_size=None) as ws:
        if json.loads(ws.recv(timeout=30)).get("type") != "hello":
            return records
        for record in records:
            sent = time.perf_counter()
            ws.send(json.dumps({"op": "run", "example": record.example}))
            while time.monotonic() < deadline:
                frame = json.loads(ws.recv(timeout=max(0.1, deadline - time.monotonic())))
                kind = frame.get("type")
                if kind == "queued":
                    record.positions += 1
                    record.max_position = max(record.max_position, frame["position"])
                elif kind == "started":
                    record.wait_ms = (time.perf_counter() - sent) * 1000
                elif kind == "error":
                    record.refused = frame["code"]
                    break
                elif kind == "exit":
                    record.reason = frame["reason"]
                    record.total_ms = (time.perf_counter() - sent) * 1000
                    break
    return records


# ---- the load ----------------------------------------------------------------------

def run_load(clients: int = 100, rounds: int = 1, timeout: float = 900,
             settings: dict[str, str] | None = None) -> dict[str, Any]:
    """``clients`` readers at once, ``rounds`` times, on one server; the results as a dict."""
    with serve(settings) as server:
        catalogue = json.load(urllib.request.urlopen(server.url + "/api/examples", timeout=10))
        lessons = {e["id"]: e["lesson"] for e in catalogue}
        missing = [e for e in (POOL_EXAMPLE, SHORT_EXAMPLE) if e not in lessons]
        if missing:
            raise RuntimeError(f"the book has no example {missing}; /api/examples lists {sorted(lessons)}")
        page = f"{server.url}/lessons/{lessons[POOL_EXAMPLE]}"
        # Warm up: the first page and run import and start what every later one reuses.
        warm = reader(server.url, [SHORT_EXAMPLE], threading.Barrier(1), time.monotonic() + 60)
        if warm[0].reason != "ok":
            raise RuntimeError(f"the warm-up run did not finish: {warm[0]}")
        idle_pages = [fetch_ms(page) for _ in range(30)]
        time.sleep(1)
        baseline = {**held(server), "rss_mb": rss_mb(server), "threads": proc_status(server.worker, "Threads")}
        results: dict[str, Any] = {"clients": clients, "examples": [POOL_EXAMPLE, SHORT_EXAMPLE],
                   "server": {"pid": server.process.pid, "worker": server.worker}, "before": baseline,
                   "idle_page_ms": summary(idle_pages), "rounds": []}
        for _ in range(rounds):
            results["rounds"].append(one_round(server, page, clients, timeout, baseline))
    # The server has stopped: nothing of it may be left.
    results["after_stop"] = {"run_cgroups": [str(p) for p in run_cgroups(server)],
                             "temp_dirs": temp_dirs(server.worker),
                             "sandbox_processes": processes_using(server.worker)}
    return results


def fetch_ms(url: str) -> float:
    started = time.perf_counter()
    with urllib.request.urlopen(url, timeout=30) as response:
        response.read()
    return (time.perf_counter() - started) * 1000


def one_round(server: Server, page: str, clients: int, timeout: float, baseline: dict[str, Any]) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    start = threading.Barrier(clients + 1)
    records: list[list[RunRecord]] = [[] for _ in range(clients)]
    failures: list[str] = []
    done = threading.Event()
    peak = {"rss_mb": 0.0, "threads": 0, "sandbox_processes": 0}
    page_ms: list[float] = []

    def client(index: int) -> None:
        try:
            records[index] = reader(server.url, [POOL_EXAMPLE, SHORT_EXAMPLE], start, deadline)
        except Exception as error:  # a client that failed is counted, not fatal to the others
            failures.append(f"{type(error).__name__}: {error}")

    def sample() -> None:
        while not done.wait(0.25):
            peak["rss_mb"] = max(peak["rss_mb"], rss_mb(server))
            peak["threads"] = max(peak["threads"], proc_status(server.worker, "Threads"))
            peak["sandbox_processes"] = max(peak["sandbox_processes"], processes_in_run_cgroups(server))

    def pages() -> None:
        while not done.is_set():
            try:
                page_ms.append(fetch_ms(page))
            except OSError as error:
                failures.append(f"page: {error}")
            done.wait(0.1)

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(clients)]
    for thread in threads:
        thread.start()
    watchers = [threading.Thread(target=sample, daemon=True), threading.Thread(target=pages, daemon=True)]
    started = time.monotonic()
    start.wait(timeout=60)
    for watcher in watchers:
        watcher.start()
    for thread in threads:
        thread.join(max(0.1, deadline - time.monotonic()))
    elapsed = time.monotonic() - started
    done.set()
    for watcher in watchers:
        watcher.join(30)

    runs = [record for per_client in records for record in per_client]
    expected = clients * 2
    # Settle: every run's processes gone, the warm sandboxes back.
    settle_until = time.monotonic() + SETTLE_SECONDS
    while leaks(baseline, held(server)) and time.monotonic() < settle_until:
        time.sleep(0.2)
    time.sleep(2)
    now = held(server)
    waits = [r.wait_ms for r in runs if r.wait_ms is not None]
    return {
        "seconds": round(elapsed, 1),
        "runs": {"expected": expected, "ok": sum(r.reason == "ok" for r in runs),
                 "other_exit": sorted(r.reason for r in runs if r.reason not in (None, "ok")),
                 "refused": sorted(r.refused for r in runs if r.refused),
                 "lost": expected - sum(r.reason is not None or r.refused is not None for r in runs)},
        "client_failures": failures[:10], "client_failure_count": len(failures),
        "queue": {"max_position": max((r.max_position for r in runs), default=0),
                  "position_frames": sum(r.positions for r in runs), "wait_to_start_ms": summary(waits)},
        "pool_run_ms": summary([r.total_ms for r in runs if r.example == POOL_EXAMPLE and r.total_ms is not None]),
        "loaded_page_ms": summary(page_ms),
        "peak": peak,
        "after": {**now, "rss_mb": rss_mb(server), "threads": proc_status(server.worker, "Threads"),
                  "left": leaks(baseline, now)},
    }


# ---- fair CPU ----------------------------------------------------------------------

HEAVY = """\
from concurrent.futures import ProcessPoolExecutor

def burn(n):
    x = 0
    for i in range(n):
        x += i * i
    return x

if __name__ == "__main__":
    with ProcessPoolExecutor(4) as pool:
        while True:  # until stopped: four processes busy for as long as the light runs are timed
            list(pool.map(burn, [2_000_000] * 4))
"""
LIGHT = {
    "one busy process": "x = 0\nfor i in range(12_000_000):\n    x += i * i\nprint(x > 0)\n",
    "hello": "print('hello')\n",
}


def fair_cpu(samples: int = 5) -> dict[str, Any]:
    """Light runs alone, then beside two CPU-heavy runs: per-run cpu cgroups, then one shared cgroup."""
    results: dict[str, Any] = {"load_average_before": os.getloadavg()[0], "cores": os.cpu_count()}
    for arrangement in ("per-run", "shared"):
        done = subprocess.run([sys.executable, "-m", "bench.load", "--fair-cpu-arrangement", arrangement,
                               "--samples", str(samples)], cwd=ROOT, capture_output=True, text=True, timeout=600)
        if done.returncode != 0:
            raise RuntimeError(f"fair_cpu {arrangement} failed:\n{done.stderr}")
        results[arrangement] = json.loads(done.stdout)
    return results


def _fair_cpu_arrangement(arrangement: str, samples: int) -> dict[str, Any]:
    """In a process of its own: ``shared`` moves it into a fresh cpu cgroup, which its runs inherit."""
    from mpbook.engine.runner import Limits, QuietCallbacks, Runner, RunRequest, run_to_completion
    from mpbook.engine.sandbox import choose_backend

    backend = choose_backend("auto")
    cgroups = backend.cgroups
    if cgroups is None or "cpu" not in cgroups.parents:
        return {"skipped": "no writable cpu cgroup controller on this machine"}
    shared = None
    if arrangement == "shared":
        backend.cgroups = dataclasses.replace(cgroups, parents={c: p for c, p in cgroups.parents.items() if c != "cpu"})
        shared = cgroups.parents["cpu"].parent / f"mpbook-bench-shared-{os.getpid()}"
        shared.mkdir()
        (shared / "cgroup.procs").write_text(str(os.getpid()))
    runner = Runner(backend, warm=1)
    limits = Limits(wall_seconds=300, cpu_seconds=300, memory_bytes=1024 * 2**20)
    try:
        def light(source: str) -> float:
            result = run_to_completion(runner, RunRequest(files={"main.py": source.encode()}, limits=limits))
            assert result.reason == "ok", result.stderr
            return result.duration_ms

        alone = {name: [light(source) for _ in range(samples)] for name, source in LIGHT.items()}
        heavy = [runner.start(RunRequest(files={"main.py": HEAVY.encode()}, limits=limits), QuietCallbacks())
                 for _ in range(2)]
        time.sleep(1.5)  # both pools are up and busy
        loaded = {name: [light(source) for _ in range(samples)] for name, source in LIGHT.items()}
        for run in heavy:
            run.stop()
        for run in heavy:
            run.wait(30)
        return {"light_alone_ms": {n: summary(v) for n, v in alone.items()},
                "light_beside_two_heavy_ms": {n: summary(v) for n, v in loaded.items()}}
    finally:
        runner.close()
        if shared is not None:
            (cgroups.parents["cpu"].parent / "cgroup.procs").write_text(str(os.getpid()))
            shared.rmdir()


# ---- command line ------------------------------------------------------------------

def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=100, help="readers at once (default 100)")
    parser.add_argument("--rounds", type=int, default=1, help="times the room runs, on one server (default 1)")
    parser.add_argument("--timeout", type=float, default=900, help="seconds a round may take (default 900)")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument("--fair-cpu", action="store_true", help="measure CPU sharing instead of the load")
    parser.add_argument("--samples", type=int, default=5, help="light runs per arrangement (--fair-cpu)")
    parser.add_argument("--fair-cpu-arrangement", choices=("per-run", "shared"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.fair_cpu_arrangement:
        print(json.dumps(_fair_cpu_arrangement(args.fair_cpu_arrangement, args.samples)))
        return 0
    results = fair_cpu(args.samples) if args.fair_cpu else run_load(args.clients, args.rounds, args.timeout)
    print(json.dumps(results, indent=2) if args.json else report(results))
    return 0


def report(results: dict[str, Any]) -> str:
    """The results as plain lines."""
    if "rounds" not in results:
        return json.dumps(results, indent=2)
    lines = [f"{results['clients']} clients, each running {' then '.join(results['examples'])}",
             f"before: {results['before']}", f"idle page ms: {results['idle_page_ms']}"]
    for number, result in enumerate(results["rounds"], 1):
        lines.append(f"round {number} ({result['seconds']} s):")
        for key in ("runs", "queue", "pool_run_ms", "loaded_page_ms", "peak", "after"):
            lines.append(f"  {key}: {result[key]}")
        if result["client_failure_count"]:
            lines.append(f"  client failures: {result['client_failure_count']}: {result['client_failures']}")
    lines.append(f"after the server stopped: {results['after_stop']}")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
