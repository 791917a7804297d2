"""How many cores a run keeps busy, and how much memory it holds, sampled while it runs.

From the run's cgroup where it has one: ``cpuacct.usage`` (v1) or ``cpu.stat``'s
``usage_usec`` (v2) count the CPU time of every process the run ever had,
including those that have exited; ``memory.stat`` gives the anonymous and
shared memory the run's processes hold (what a program allocates, its
``/dev/shm`` and tmpfs files; not the interpreter's pages read from disk).
Without one, from /proc: the CPU time of the processes alive at each sample
(so a process's last moments are lost when it exits) and the sum of their
resident sets (which counts the pages forked processes share once each).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from mpbook.engine.cgroups import RunCgroup

INTERVAL_SECONDS = 0.1
_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def _stat_fields(path: Path, keys: tuple[str, ...]) -> int | None:
    """The sum of ``keys`` in a "key value" per line file, or None if it cannot be read."""
    try:
        values = dict(line.split(" ", 1) for line in path.read_text().splitlines() if " " in line)
    except OSError:
        return None
    return sum(int(values.get(key, 0)) for key in keys)


class Meter:
    """Samples one run. ``sample(now)`` gives (cores busy since the last sample, bytes), or None the first time."""

    def __init__(self, cgroup: RunCgroup | None, members: Callable[[], set[int]]) -> None:
        self._members = members
        controllers = cgroup.by_controller if cgroup else {}
        self._cpu_file: Path | None = None
        self._cpu_scale = 1e-9
        if cgroup is not None and cgroup.version == 2:
            self._cpu_file, self._cpu_scale = cgroup.dirs[0] / "cpu.stat", 1e-6
        elif "cpuacct" in controllers:
            self._cpu_file = controllers["cpuacct"] / "cpuacct.usage"
        self._memory_file: Path | None = None
        if "memory" in controllers:
            self._memory_file = controllers["memory"] / "memory.stat"
            self._memory_keys = ("anon", "shmem") if cgroup and cgroup.version == 2 else ("total_rss", "total_shmem")
        self._last: tuple[float, float] | None = None  # (time, cpu seconds) of the previous sample
        self._per_pid: dict[int, float] = {}  # /proc fallback: cpu seconds of each process last time
        self._proc_total = 0.0  # /proc fallback: cpu seconds counted so far

    def sample(self, now: float) -> tuple[float, int] | None:
        cpu = self._cpu_seconds()
        memory = _stat_fields(self._memory_file, self._memory_keys) if self._memory_file else None
        if memory is None:
            memory = self._proc_rss()
        last, self._last = self._last, (now, cpu)
        if last is None or now <= last[0]:
            return None
        return max(0.0, (cpu - last[1]) / (now - last[0])), memory

    def _cpu_seconds(self) -> float:
        if self._cpu_file is not None:
            try:
                text = self._cpu_file.read_text()
                if self._cpu_file.name == "cpu.stat":
                    text = next(line.split()[1] for line in text.splitlines() if line.startswith("usage_usec "))
                return int(text.strip()) * self._cpu_scale
            except (OSError, StopIteration, ValueError):
                self._cpu_file = None
        # /proc: add each live process's CPU time since the last sample (all of it for a new one).
        now = {}
        for pid in self._members():
            try:
                stat = Path(f"/proc/{pid}/stat").read_text()
            except OSError:
                continue
            fields = stat[stat.rindex(")") + 2:].split()
            now[pid] = (int(fields[11]) + int(fields[12])) / _TICKS  # utime, stime
        grown = sum(max(0.0, seconds - self._per_pid.get(pid, 0.0)) for pid, seconds in now.items())
        self._per_pid = now
        self._proc_total += grown
        return self._proc_total

    def _proc_rss(self) -> int:
        total = 0
        for pid in self._members():
            try:
                total += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * _PAGE
            except (OSError, IndexError, ValueError):
                pass
        return total
