"""``python -m bench``: run the benchmarks and print their table (docs/performance.md explains it).

Exits non-zero only when a measurement could not run at all; a missed target is
reported in the table, not in the exit status.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import traceback
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

from . import bursts, examples, pageload, soak, startup, streaming
from .common import Report, format_table, machine

MEASUREMENTS: dict[str, Callable[[bool], Report]] = {
    "startup": startup.measure,
    "bursts": bursts.measure,
    "streaming": streaming.measure,
    "examples": examples.measure,
    "pageload": pageload.measure,
    "soak": soak.measure,
}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description="mpbook's benchmarks, on loopback.")
    parser.add_argument("--short", action="store_true",
                        help="few repetitions and two examples: a smoke check that every measurement works")
    parser.add_argument("--json", metavar="PATH", type=Path, help="also write every sample to PATH as JSON")
    parser.add_argument("--only", metavar="NAME", choices=sorted(MEASUREMENTS), action="append",
                        help="run only this measurement (repeatable): " + ", ".join(MEASUREMENTS))
    args = parser.parse_args(argv)

    reports: list[Report] = []
    failed: list[str] = []
    started = time.monotonic()
    # Other work on the machine skews every number: say how busy it was.
    load_before = os.getloadavg()[0]
    for name in args.only or list(MEASUREMENTS):
        print(f"bench: {name}…", file=sys.stderr, flush=True)
        try:
            reports.append(MEASUREMENTS[name](args.short))
        except Exception:  # one broken measurement must not hide the others
            failed.append(name)
            print(f"bench: {name} could not run:\n{traceback.format_exc()}", file=sys.stderr, flush=True)
    rows = [row for report in reports for row in report.rows]
    print(format_table(rows))
    for report in reports:
        for note in report.notes:
            print(f"- {note}")
    for name in failed:
        print(f"- {name}: could not run (see the error above)")
    host = machine()
    print("- machine: " + "; ".join(f"{key} {value}" for key, value in host.items()))
    load = f"load average {load_before:.2f} before, {os.getloadavg()[0]:.2f} after"
    print(f"- {'short' if args.short else 'full'} run, {time.monotonic() - started:.0f} s, "
          f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {load}"
          f"{' (a busy machine: numbers are pessimistic)' if load_before > 0.5 else ''}")
    if args.json:
        args.json.write_text(json.dumps({
            "short": args.short, "date": datetime.now(UTC).isoformat(timespec="seconds"),
            "load_average": [load_before, os.getloadavg()[0]], "machine": host,
            "rows": [row.as_dict() for row in rows],
            "notes": [note for report in reports for note in report.notes], "failed": failed,
        }, indent=1) + "\n")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
