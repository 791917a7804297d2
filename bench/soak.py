"""Soak: many runs of every kind through one server, and nothing left behind. Loopback only.

Starts ``mpbook serve`` with default settings (no rate limit, editing on), opens
four WebSocket clients at once and has them share the runs, one after another on
each: ``print``, the pool example as published, a fork bomb, a memory bomb, and a
sleeper stopped as soon as it has started. Each must end for its own reason
(ok, ok, processes, memory, stopped). Then, once the server has settled:

- no process is left in the server's run cgroups beyond its warm sandboxes, no run
  cgroup and no working dir beyond theirs, and after the server stops, none at all;
- the worker's open fds are within ±5 of what they were before the runs;
- its resident memory grew by at most 10 MB.

    python -m bench.soak                 # 1,000 runs
    python -m bench.soak --short         # 40 runs (what `make bench-short` runs)
    python -m bench.soak --runs 200 --json
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
from pathlib import Path
from typing import Any

from .common import SERVER_ENV, BenchError, Report, Row, Socket, Stats, plain_example, socket_to, verdict
from .held import held, leaks, processes_using, run_cgroups, serve, temp_dirs
from .load import POOL_EXAMPLE

SOCKETS = 4
FULL_RUNS = 1000
SHORT_RUNS = 40
FD_SLACK = 5
RSS_GROWTH_MB = 10.0
SETTLE_SECONDS = 30  # for the last runs' sandboxes to go and the warm pool to refill

# kind -> (the code sent, or None for the example as published; the reason it must end with)
KINDS: dict[str, tuple[str | None, str]] = {
    "print": ("print('hi')\n", "ok"),
    "pool": (None, "ok"),
    "fork bomb": ("import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass\n",
                  "processes"),
    "memory bomb": ("x = []\nwhile True:\n    x.append(bytearray(2**20))\n", "memory"),
    "sleeper stopped": ("import time\nprint('sleeping', flush=True)\ntime.sleep(60)\n", "stopped"),
}


def one_run(client: Socket, example: str, kind: str, timeout: float = 60) -> tuple[str, float]:
    """Run one program of ``kind``; its exit reason and its time from send to exit (ms)."""
    code, _ = KINDS[kind]
    frame: dict[str, Any] = {"example": POOL_EXAMPLE if code is None else example}
    if code is not None:
        frame["code"] = code
    ended: list[float] = []

    def on_frame(reply: dict[str, Any], at: float) -> None:
        if reply["type"] == "started" and kind == "sleeper stopped":
            client.send({"op": "stop"})
        elif reply["type"] == "exit":
            ended.append(at)

    try:
        sent, end = client.run(frame, timeout, on_frame)
    except BenchError as error:
        raise BenchError(f"a {kind} run: {error}") from None
    return str(end["reason"]), (ended[0] - sent) * 1000


def soak(runs: int) -> dict[str, Any]:
    """``runs`` runs over SOCKETS clients on one server; what happened and what was left."""
    with serve(SERVER_ENV) as server:
        example = plain_example(server.url)
        kinds = list(KINDS)
        with socket_to(server.url) as warm_up:  # first runs import and allocate what later ones reuse
            for kind in kinds:
                one_run(warm_up, example, kind)
        time.sleep(2)
        before = held(server)
        started = time.monotonic()
        results: list[list[tuple[str, str, float]]] = [[] for _ in range(SOCKETS)]
        failures: list[str] = []

        def client(index: int) -> None:
            try:
                with socket_to(server.url) as connection:
                    for number in range(index, runs, SOCKETS):
                        kind = kinds[number % len(kinds)]
                        reason, took = one_run(connection, example, kind)
                        results[index].append((kind, reason, took))
            except Exception as error:  # counted, and fatal to the soak below
                failures.append(f"client {index}: {type(error).__name__}: {error}")

        threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(SOCKETS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(runs * 5 + 120)
        seconds = time.monotonic() - started
        settle_until = time.monotonic() + SETTLE_SECONDS
        while time.monotonic() < settle_until:
            if not leaks(before, held(server)):
                break
            time.sleep(0.2)
        time.sleep(1)
        after = held(server)
    stopped = {"run_cgroups": [str(p) for p in run_cgroups(server)], "temp_dirs": temp_dirs(server.worker),
               "sandbox_processes": processes_using(server.worker)}
    done = [item for per_client in results for item in per_client]
    wrong = [f"{kind} ended {reason} (not {KINDS[kind][1]})" for kind, reason, _ in done if reason != KINDS[kind][1]]
    return {
        "runs": runs, "finished": len(done), "sockets": SOCKETS, "seconds": round(seconds, 1),
        "failures": failures, "wrong_reasons": wrong,
        "ms_by_kind": {kind: [round(t, 1) for k, _, t in done if k == kind] for kind in kinds},
        "before": before, "after": after, "after_stop": stopped,
        "fd_change": after["fds_beyond_sandboxes"] - before["fds_beyond_sandboxes"],
        "rss_growth_mb": round(after["rss_mb"] - before["rss_mb"], 1),
    }


def problems(result: dict[str, Any]) -> list[str]:
    """What went wrong, in plain words: lost runs, wrong reasons, anything left behind."""
    found = list(result["failures"])
    if result["finished"] != result["runs"]:
        found.append(f"{result['runs'] - result['finished']} runs did not finish")
    found += result["wrong_reasons"][:10]
    found += leaks(result["before"], result["after"])
    for key, left in result["after_stop"].items():
        if left:
            found.append(f"after the server stopped, {key.replace('_', ' ')} were left: {left}")
    return found


def measure(short: bool) -> Report:
    """Rows for ``python -m bench``: run times by kind, fd change, RSS growth. Raises if anything leaked."""
    result = soak(SHORT_RUNS if short else FULL_RUNS)
    found = problems(result)
    if found:
        raise BenchError("the soak failed: " + "; ".join(found))
    report = Report()
    for kind, samples in result["ms_by_kind"].items():
        report.rows.append(Row(f"soak: {kind}, send → exit", Stats.of(samples), "ms"))
    report.rows.append(Row("soak: server fds after − before", Stats.of([result["fd_change"]]), "fds",
                           target=f"within ±{FD_SLACK}", verdict=verdict(abs(result["fd_change"]) <= FD_SLACK)))
    report.rows.append(Row("soak: server RSS growth", Stats.of([result["rss_growth_mb"]]), "MB",
                           target=f"≤ {RSS_GROWTH_MB:g} MB", verdict=verdict(result["rss_growth_mb"] <= RSS_GROWTH_MB)))
    report.notes.append(
        f"Soak: {result['runs']} runs over {SOCKETS} sockets in {result['seconds']} s, each kind's reason right, "
        f"nothing left behind (run cgroups, sandbox processes, working dirs; after stop: none). Server worker "
        f"before → after: {result['before']['fds_beyond_sandboxes']} → {result['after']['fds_beyond_sandboxes']} fds "
        f"beyond the warm sandboxes' pipes ({result['before']['sandboxes']} → {result['after']['sandboxes']} warm), "
        f"{result['before']['rss_mb']} → {result['after']['rss_mb']} MB resident.")
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.soak", description=__doc__.split("\n\n")[0])
    parser.add_argument("--short", action="store_true", help=f"{SHORT_RUNS} runs instead of {FULL_RUNS}")
    parser.add_argument("--runs", type=int, help="this many runs")
    parser.add_argument("--json", metavar="PATH", type=Path, help="also write the whole result to PATH")
    args = parser.parse_args(argv)
    load_before = os.getloadavg()[0]
    result = soak(args.runs or (SHORT_RUNS if args.short else FULL_RUNS))
    result["load_average"] = [load_before, os.getloadavg()[0]]
    found = problems(result)
    ok_fds, ok_rss = abs(result["fd_change"]) <= FD_SLACK, result["rss_growth_mb"] <= RSS_GROWTH_MB
    print(f"{result['finished']}/{result['runs']} runs over {SOCKETS} sockets in {result['seconds']} s "
          f"(load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after)")
    for kind, samples in result["ms_by_kind"].items():
        if samples:
            stats = Stats.of(samples)
            print(f"  {kind:16} {len(samples):4} runs, send → exit median {stats.median:7.1f} ms, "
                  f"p95 {stats.p95:7.1f} ms, reason {KINDS[kind][1]}")
    print(f"  server fds {result['before']['fds']} → {result['after']['fds']}; beyond its warm sandboxes' pipes "
          f"{result['before']['fds_beyond_sandboxes']} → {result['after']['fds_beyond_sandboxes']} "
          f"({result['fd_change']:+d}, target ±{FD_SLACK}: {verdict(ok_fds)}); warm sandboxes "
          f"{result['before']['sandboxes']} → {result['after']['sandboxes']}")
    print(f"  server RSS {result['before']['rss_mb']} → {result['after']['rss_mb']} MB "
          f"({result['rss_growth_mb']:+.1f}, target ≤ {RSS_GROWTH_MB:g}: {verdict(ok_rss)})")
    print("  left behind: " + ("nothing" if not found else "; ".join(found)))
    if args.json:
        args.json.write_text(json.dumps(result, indent=1) + "\n")
    return 0 if not found and ok_fds and ok_rss else 1


if __name__ == "__main__":
    sys.exit(main())
