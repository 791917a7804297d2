"""Why a run ended, where rlimits and not a cgroup hold its processes and its memory.

On a learner's laptop (not root, no cgroup to use) RLIMIT_NPROC stops a fork
bomb and RLIMIT_AS a memory bomb, but neither leaves a counter to read the way
``pids.events`` and ``memory.events`` do. So the run's tasks (processes and
threads, which RLIMIT_NPROC counts) are counted from /proc a few times a
second: at the limit, the run ends with reason ``processes``. And a run that
fails with a ``MemoryError`` traceback on its stderr, while RLIMIT_AS limits
it, ended for ``memory``.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mpbook.engine.sandbox import Sandbox

COUNT_EVERY = 0.25  # seconds between counts of a run's tasks
# The last line of a traceback that ends in MemoryError (bare, or with a message).
MEMORY_ERROR = re.compile(r"^MemoryError(: .*)?$", re.MULTILINE)


class RlimitWatch:
    """Watches one run whose process or memory limit is an rlimit."""

    def __init__(self, sandbox: Sandbox, nproc: int | None, memory_by_rlimit: bool) -> None:
        self.sandbox = sandbox
        # RLIMIT_NPROC refuses the fork that would exceed it; one task may be on its way out.
        self.nproc = nproc
        self.memory_by_rlimit = memory_by_rlimit
        self._next = time.monotonic() + COUNT_EVERY

    def processes_hit(self, now: float) -> bool:
        """True once the run's tasks reach RLIMIT_NPROC (counted at most every COUNT_EVERY)."""
        if self.nproc is None or now < self._next:
            return False
        self._next = now + COUNT_EVERY
        return self.sandbox.backend.tasks(self.sandbox) >= self.nproc - 1

    def memory_hit(self, stderr: Iterable[str]) -> bool:
        """True if a run that failed printed a MemoryError traceback while RLIMIT_AS held it."""
        return self.memory_by_rlimit and any(MEMORY_ERROR.search(text) for text in stderr)
