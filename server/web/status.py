"""The instructor's status page: runs, the queue, limit hits, connections, machine load, and what
contains the programs (also printed when the server starts).

``/status`` is the page, ``/api/status`` its numbers as JSON, polled by
static/js/status.js. Both sit behind the status token (access.py). The numbers
are this server process's own; behind a proxy, each instance has its page.
"""

from __future__ import annotations

import os
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, render_template

from mpbook.engine.sandbox import Backend
from mpbook.web.admission import CAUSES
from mpbook.web.wiring import Wiring, wiring_of

bp = Blueprint("status", __name__)

LIMIT_EXITS = ("timeout", "memory", "processes", "output")  # run exits that are a limit biting


@bp.get("/status")
def page() -> str:
    wiring = wiring_of(current_app)
    return render_template("status.html", status=snapshot(wiring), book=wiring.book)


@bp.get("/api/status")
def numbers() -> Response:
    response = jsonify(snapshot(wiring_of(current_app)))
    response.cache_control.no_store = True
    return response


def snapshot(found: Wiring) -> dict[str, Any]:
    """Everything the status page shows, at this moment."""
    stats = found.scheduler.stats()
    connections, clients = found.admission.connections.counts()
    exits, refusals = found.exits.snapshot(), found.admission.refusals.snapshot()
    cgroups = found.backend.cgroups
    return {
        "sandbox": containment(found.backend),
        "exercises": {x.id: dict(zip(("checked", "passed"), found.checks.counts(x.id), strict=True))
                      for x in found.book.exercises_in_order()},
        "runs": {"active": stats.running, "slots": stats.slots, "waiting": stats.waiting,
                 "queue_size": stats.queue_size, "per_minute": found.scheduler.runs_last_minute(),
                 "started": stats.started_total},
        "exits": exits,
        "limit_hits": {**{reason: exits.get(reason, 0) for reason in LIMIT_EXITS},
                       **{cause: refusals.get(cause, 0) for cause in CAUSES}},
        "connections": {"open": connections, "clients": clients, "capacity": found.admission.connections.total},
        "machine": {
            "load": [round(value, 2) for value in os.getloadavg()], "cpus": os.cpu_count() or 1,
            **memory(), "server_rss_mb": server_rss_mb(),
            "sandbox_processes": cgroups.processes() if cgroups is not None else None,
        },
    }


def containment(backend: Backend) -> dict[str, Any]:
    """What contains readers' programs here: the backend, why it was chosen (``note``), and
    whether whole-run limits are in force (a cgroup per run with the memory and pids controllers)."""
    controllers = sorted(backend.cgroups.parents) if backend.cgroups is not None else []
    return {
        "backend": backend.name, "contained": backend.is_contained, "note": backend.note,
        "cgroup_version": backend.cgroups.version if backend.cgroups is not None else None,
        "cgroup_controllers": controllers,
        "whole_run_limits": "memory" in controllers and "pids" in controllers,
    }


def containment_lines(backend: Backend) -> list[str]:
    """``containment`` in plain words, for the operator's terminal when the server starts."""
    found = containment(backend)
    first = f"mpbook: sandbox {found['backend']}"
    first += "" if found["contained"] else ", which does NOT contain programs (loopback only)"
    lines = [first + (f": {found['note']}" if found["note"] else "")]
    if found["whole_run_limits"]:
        lines.append(f"  whole-run limits on: cgroup v{found['cgroup_version']} "
                     f"({', '.join(found['cgroup_controllers'])})")
    else:
        having = f" (cgroup controllers here: {', '.join(found['cgroup_controllers'])})" \
            if found["cgroup_controllers"] else ""
        lines.append(f"  whole-run limits off{having}: memory and processes are limited per process (rlimits)")
    return lines


def memory() -> dict[str, int]:
    """The machine's memory in MiB, from /proc/meminfo."""
    fields = {}
    with open("/proc/meminfo") as meminfo:
        for line in meminfo:
            name, _, rest = line.partition(":")
            fields[name] = int(rest.split()[0]) // 1024  # kB
    return {"memory_total_mb": fields.get("MemTotal", 0), "memory_available_mb": fields.get("MemAvailable", 0)}


def server_rss_mb() -> float:
    """Resident memory of this server process, in MiB."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
    return 0.0
