"""(3) The book's examples end to end, against the same file run directly: the sandbox's overhead.

Each example (in the order of /api/examples) is run over the WebSocket, timed
from sending the run to its ``exit`` frame, and run directly as
``python -I main.py`` in a temporary copy of its folder, timed from spawn to
exit. Both use the platform's default start method. The two alternate, so that
drift in the machine's load touches both alike; overhead is the difference of
the medians. A warm sandbox has started its interpreter before the run, so it
can beat the direct run; a second server without warm sandboxes shows, for
context, what a run costs when the sandbox starts with it. Examples expected
to end by the wall-time limit are skipped: their time is the limit's.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from mpbook import settings
from mpbook.book.lessons import Example, load_book

from .common import (
    Report,
    Row,
    Socket,
    Stats,
    clean_interpreter,
    get_json,
    serve,
    socket_to,
    stats_text,
    time_command,
    verdict,
)

TARGET_OVERHEAD_MS = 15.0
REFILL_PAUSE = 0.3  # the warm pool refills between runs, as it does between a reader's clicks
SHORT_EXAMPLES = 2


def _copy(example: Example, into: Path) -> None:
    for name, data in example.files.items():
        path = into / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def _sandboxed(client: Socket, eid: str, limit: float) -> tuple[float, str]:
    """Milliseconds from sending the run of ``eid`` to its exit frame, and the exit reason."""
    time.sleep(REFILL_PAUSE)
    sent, end = client.run({"example": eid}, timeout=limit)
    return (time.perf_counter() - sent) * 1000, str(end["reason"])


def _chosen(book_ids: list[str], book: dict[str, Example], short: bool, report: Report) -> list[Example]:
    """The examples to measure, noting the skipped ones."""
    chosen: list[Example] = []
    for eid in book_ids:
        example = book[eid]
        if example.expect.reason == "timeout":
            report.notes.append(f"Examples: skipped {eid!r}, which ends by the wall-time limit "
                                f"({example.timeout or 'default'} s).")
        elif not short or len(chosen) < SHORT_EXAMPLES:
            chosen.append(example)
    return chosen


def measure(short: bool) -> Report:
    repetitions, cold_repetitions = (2, 1) if short else (6, 3)
    report = Report()
    book = load_book(Path(settings.load()["content_dir"]))
    warm: dict[str, Stats] = {}
    direct: dict[str, Stats] = {}
    cold: dict[str, Stats] = {}
    with tempfile.TemporaryDirectory(prefix="mpbook-bench-") as tmp:
        python = clean_interpreter(Path(tmp) / "venv")
        with serve() as base, socket_to(base) as client:
            examples = _chosen([summary["id"] for summary in get_json(base + "/api/examples")],
                               book.examples, short, report)
            for example in examples:
                folder = Path(tmp) / example.id
                _copy(example, folder)
                limit = (example.timeout or 30) + 10
                served: list[float] = []
                bare: list[float] = []
                reasons: set[str] = set()
                codes: set[int] = set()
                for _ in range(repetitions):
                    time.sleep(REFILL_PAUSE)
                    elapsed, code = time_command([python, "-I", "main.py"], cwd=folder, timeout=limit)
                    bare.append(elapsed)
                    codes.add(code)
                    elapsed, reason = _sandboxed(client, example.id, limit)
                    served.append(elapsed)
                    reasons.add(reason)
                if reasons != {example.expect.reason}:
                    report.notes.append(f"Examples: {example.id!r} ended {sorted(reasons)} in the sandbox; "
                                        f"the book expects {example.expect.reason!r}.")
                if example.expect.exit_code is not None and codes != {example.expect.exit_code}:
                    report.notes.append(f"Examples: {example.id!r} exited {sorted(codes)} when run directly; "
                                        f"the book expects {example.expect.exit_code}.")
                warm[example.id], direct[example.id] = Stats.of(served), Stats.of(bare)
        with serve({"MPBOOK_WARM_SANDBOXES": "0"}) as base, socket_to(base) as client:
            for example in examples:
                limit = (example.timeout or 30) + 10
                cold[example.id] = Stats.of([_sandboxed(client, example.id, limit)[0] for _ in range(cold_repetitions)])

    for eid, stats in warm.items():
        overhead = stats.median - direct[eid].median
        report.rows.append(Row(
            f"example {eid}", stats, "ms", reference=f"direct {stats_text(direct[eid], 'ms')}",
            comparison=f"{overhead:+.1f} ms", target=f"< {TARGET_OVERHEAD_MS:g} ms",
            verdict=verdict(overhead < TARGET_OVERHEAD_MS),
        ))
    if warm:
        overheads = [stats.median - direct[eid].median for eid, stats in warm.items()]
        report.rows.append(Row(
            f"examples: sandbox overhead, warm ({len(overheads)} examples)", Stats.of(overheads), "ms",
            reference="per example: sandbox − direct", comparison=f"max {max(overheads):+.1f} ms",
            target=f"< {TARGET_OVERHEAD_MS:g} ms", verdict=verdict(max(overheads) < TARGET_OVERHEAD_MS),
        ))
        overheads = [stats.median - direct[eid].median for eid, stats in cold.items()]
        report.rows.append(Row(
            f"examples: sandbox overhead, cold ({len(overheads)} examples)", Stats.of(overheads), "ms",
            reference="per example: sandbox − direct", comparison=f"max {max(overheads):+.1f} ms",
        ))
    report.notes.append(
        f"Examples: {repetitions} runs each, sandboxed (send → exit frame, warm sandbox) alternating with "
        f"`python -I main.py` in a copy of the example's folder, the server's interpreter in a fresh venv; "
        f"overhead = difference of the medians. Cold: {cold_repetitions} run(s) each on a server with "
        "MPBOOK_WARM_SANDBOXES=0, against the same direct runs (context, no target).")
    return report
