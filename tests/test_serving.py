"""The production server: what is left when its worker is killed."""

from __future__ import annotations

import os
import signal
import tempfile
from pathlib import Path

from helpers import FIXTURE_CONTENT, server_process, wait_until


def leftovers(pid: int) -> list[Path]:
    """The runtime dir and run cgroups that carry ``pid`` in their names."""
    return [*Path(tempfile.gettempdir()).glob(f"mpbook-runtime-{pid}-*"),
            *Path("/sys/fs/cgroup").glob(f"*/mpbook/sandbox-{pid}-*")]


def test_a_hung_worker_killed_at_shutdown_leaves_nothing_behind() -> None:
    env = {"MPBOOK_CONTENT_DIR": str(FIXTURE_CONTENT), "MPBOOK_WARM_SANDBOXES": "1"}
    with server_process(env) as served:
        master = served.process
        worker = int(Path(f"/proc/{master.pid}/task/{master.pid}/children").read_text().split()[0])
        # The worker builds its runtime venv and starts a warm sandbox.
        wait_until(lambda: leftovers(worker), 20, what="the worker's runtime dir and warm sandbox")
        # A worker that cannot finish its shutdown is killed by gunicorn after the
        # graceful timeout: it runs no cleanup of its own, and no new worker comes.
        os.kill(worker, signal.SIGSTOP)
        master.send_signal(signal.SIGTERM)
        master.wait(30)
        wait_until(lambda: not leftovers(worker), 5, what="the master's cleanup of the worker's leftovers")
