"""Sandboxes that run one reader's program each: bubblewrap, or a basic fallback.

A sandbox is started ahead of its program (see runtime/boot.py): an interpreter
from the runtime venv, blocked reading the program on stdin, with stdout and
stderr on pipes and the record pipe (runtime/sitecustomize.py) on a passed fd.
``choose_backend`` picks how: ``bwrap`` (bwrap.py: namespaces, a read-only view
of only what the interpreter needs, tmpfs working dir) or ``basic`` (basic.py:
own session, temp working dir, cleared environment; contains nothing, and says
so). Either puts each sandbox in its own cgroup when the machine allows
(engine/cgroups.py). What they share is in base.py.
"""

from __future__ import annotations

from mpbook.engine.cgroups import Cgroups
from mpbook.engine.sandbox.base import (
    CGROUP_TRAMPOLINE,
    SANDBOX_HOME,
    Backend,
    Runtime,
    Sandbox,
    SandboxError,
    _reap_stale_dirs,
    reap_leftovers,
    runtime,
)
from mpbook.engine.sandbox.basic import BasicBackend
from mpbook.engine.sandbox.bwrap import BwrapBackend

__all__ = [
    "CGROUP_TRAMPOLINE", "SANDBOX_HOME", "Backend", "BasicBackend", "BwrapBackend", "Runtime", "Sandbox",
    "SandboxError", "_reap_stale_dirs", "choose_backend", "reap_leftovers", "runtime",
]


def choose_backend(kind: str = "auto", use_cgroups: bool = True, python: str | None = None) -> Backend:
    """The sandbox backend: "bwrap", "basic", or "auto" (bwrap when it works here, else basic),
    running readers' programs with ``python`` (default: the server's own interpreter).
    Raises SandboxError when ``python`` cannot run them."""
    if kind not in ("auto", "bwrap", "basic"):
        raise ValueError(f"the sandbox must be auto, bwrap or basic, not {kind!r}")
    cgroups = Cgroups.detect() if use_cgroups else None
    if kind == "basic":
        backend: Backend = BasicBackend(cgroups, "chosen by the sandbox setting", python=python)
        backend.runtime()  # a bad interpreter is said at start-up, not at the first run
        return backend
    found = BwrapBackend.probe(cgroups, python)
    if isinstance(found, BwrapBackend):
        return found
    if kind == "bwrap":
        raise SandboxError(found)
    return BasicBackend(cgroups, found, python=python)
