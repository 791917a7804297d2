"""The checks of an exercise, declared as data in exercise.toml and judged on the server.

A check reads the record of a finished run (``record.Run``: the lines each process
printed, the start and exit of every process, the run's end) or the program's source,
never anything the program says about itself. Each kind parses its own TOML table and
gives an ``Outcome``: passed or not, and what was observed, in plain words.
``docs/content.md`` lists the kinds and their keys. The kinds that read lines are in
``line_checks.py``, those that read processes in ``process_checks.py``, those that read
the source in ``source_checks.py``.
"""

from __future__ import annotations

from collections.abc import Callable

from mpbook.book.line_checks import LINE_KINDS
from mpbook.book.process_checks import PROCESS_KINDS, max_alive
from mpbook.book.record import CheckError, Judge, Outcome, Run, Table

__all__ = ["RUN_KINDS", "CheckError", "Judge", "Outcome", "Run", "Table", "max_alive"]

RUN_KINDS: dict[str, Callable[[Table], Judge]] = {**LINE_KINDS, **PROCESS_KINDS}
