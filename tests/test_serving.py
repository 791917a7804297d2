"""The production server: what is left when its worker is killed."""

from __future__ import annotations

import os
import signal
import tempfile
import time
from pathlib import Path

from bench.common import server_process
from helpers import FIXTURE_CONTENT


def leftovers(pid: int) -> list[Path]:
    """The runtime dir and run cgroups that carry ``pid`` in their names."""
    return [*Path(tempfile.gettempdir()).glob(f"mpbook-runtime-{pid}-*"),
            *Path("/sys/fs/cgroup").glob(f"*/mpbook/sandbox-{pid}-*")]


def wait_until(test: object, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if test():  # type: ignore[operator]
            return True
        time.sleep(0.1)
    return False


def test_a_hung_worker_killed_at_shutdown_leaves_nothing_behind() -> None:
    env = {"MPBOOK_CONTENT_DIR": str(FIXTURE_CONTENT), "MPBOOK_WARM_SANDBOXES": "1"}
    with server_process(env) as served:
        master = served.process
        worker = int(Path(f"/proc/{master.pid}/task/{master.pid}/children").read_text().split()[0])
        # The worker builds its runtime venv and starts a warm sandbox.
        assert wait_until(lambda: leftovers(worker), 20)
        # A worker that cannot finish its shutdown is killed by gunicorn after the
        # graceful timeout: it runs no cleanup of its own, and no new worker comes.
        os.kill(worker, signal.SIGSTOP)
        master.send_signal(signal.SIGTERM)
        master.wait(30)
        assert wait_until(lambda: not leftovers(worker), 5), leftovers(worker)
