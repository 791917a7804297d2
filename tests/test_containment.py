"""Hostile programs against the bwrap sandbox: each must end with the right reason, quickly,
leave nothing behind, and see nothing of the host. Skipped where bubblewrap is unusable."""

from __future__ import annotations

import os
import socket
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

import pytest

from helpers import backend_or_skip
from mpbook.engine.runner import Limits, Runner, RunRequest, RunResult, run_to_completion
from mpbook.engine.sandbox import Backend

LIMITS = Limits(wall_seconds=10, cpu_seconds=5, memory_bytes=96 * 2**20, processes=24, output_bytes=16 * 2**10,
                file_bytes=2 * 2**20, tmp_bytes=4 * 2**20)
REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def backend() -> Backend:
    return backend_or_skip("bwrap")


@pytest.fixture
def process_limit(backend: Backend) -> None:
    if backend.cgroups is None and os.geteuid() == 0:
        pytest.skip("root without a writable cgroup: no process limit (RLIMIT_NPROC does not bind root)")


@pytest.fixture
def cgroups(backend: Backend) -> None:
    if backend.cgroups is None:
        pytest.skip("no writable cgroup here: whole-run memory and process limits are off")


def run(runner: Runner, source: str, **limits: float) -> RunResult:
    request = RunRequest({"main.py": source.encode()}, limits=Limits(**{**LIMITS.as_dict(), **limits}))
    return run_to_completion(runner, request)


def host_pids_with(marker: str) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        try:
            if entry.isdigit() and marker.encode() in Path(f"/proc/{entry}/cmdline").read_bytes():
                found.append(int(entry))
        except OSError:
            pass
    return found


def test_fork_bomb_hits_the_process_limit(runner: Runner, process_limit: None) -> None:
    # With a cgroup: pids.max. Without (a learner's laptop, not root): RLIMIT_NPROC, seen by counting.
    result = run(runner, "import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass\n")
    assert result.reason == "processes"  # not "timeout": the limit ended it
    assert subprocess.run(["true"]).returncode == 0  # the server can still fork


def test_memory_bomb_hits_the_memory_limit(runner: Runner) -> None:
    # With a cgroup: the OOM killer. Without: RLIMIT_AS, and the MemoryError it raises.
    result = run(runner, "x = []\nwhile True:\n    x.append(bytearray(2**20))\n")
    assert result.reason == "memory"


def test_memory_bomb_spread_over_processes_hits_the_whole_run_limit(runner: Runner, cgroups: None) -> None:
    source = (
        "import multiprocessing as mp, time\n"
        "def eat():\n"
        "    x = bytearray(40 * 2**20)\n"
        "    time.sleep(5)\n"
        "if __name__ == '__main__':\n"
        "    ps = [mp.Process(target=eat) for _ in range(4)]\n"
        "    for p in ps: p.start()\n"
        "    for p in ps: p.join()\n"
    )
    assert run(runner, source).reason == "memory"


def test_endless_output_is_cut_at_the_limit(runner: Runner) -> None:
    result = run(runner, "while True:\n    print('y' * 99)\n")
    assert result.reason == "output"
    marker = "\n[output cut: the run printed more than 16 KiB]\n"
    assert result.stderr == marker
    assert len(result.stdout.encode()) == LIMITS.output_bytes


def test_sleeper_times_out_with_its_partial_output(runner: Runner) -> None:
    started = time.monotonic()
    result = run(runner, "import time\nprint('before', flush=True)\ntime.sleep(60)\n", wall_seconds=1.0)
    elapsed = time.monotonic() - started
    # The runner's timer ended it (the program sleeps 60 s), and not before its second.
    assert (result.reason, result.stdout, result.exit_code) == ("timeout", "before\n", None)
    assert elapsed >= 0.9


def test_cpu_limit_ends_a_busy_loop(runner: Runner) -> None:
    # A long wall time: on a loaded machine the loop may get a small share of a core,
    # and it is the CPU limit, not the clock, that must end it.
    result = run(runner, "while True:\n    pass\n", cpu_seconds=1, wall_seconds=120)
    assert (result.reason, result.exit_code) == ("timeout", -24)  # SIGXCPU


def test_double_forked_daemon_does_not_outlive_the_run(runner: Runner) -> None:
    marker = f"mpbook-daemon-{uuid.uuid4().hex}"
    source = (
        "import os, sys\n"
        "if os.fork() == 0:\n"
        "    os.setsid()\n"
        "    if os.fork() == 0:\n"
        f"        os.execv(sys.executable, [sys.executable, '-c', 'import time; time.sleep(60)', '{marker}'])\n"
        "    os._exit(0)\n"
        "os.wait()\n"
        "print('parent done')\n"
    )
    result = run(runner, source)
    assert (result.reason, result.stdout) == ("ok", "parent done\n")
    assert host_pids_with(marker) == []


def test_host_files_are_not_visible(runner: Runner) -> None:
    source = (
        "import os\n"
        f"for path in ['/etc/shadow', '/etc/passwd', '/root/.bashrc', '/root/.ssh', '{REPO}', '/work', '/sys']:\n"
        "    print(path, os.path.exists(path))\n"
        "print(sorted(os.listdir('/root')) if os.path.isdir('/root') else [])\n"  # no /root under /usr/bin/python3
    )
    result = run(runner, source)
    lines = result.stdout.splitlines()
    assert all(line.endswith(" False") for line in lines[:-1]), result.stdout
    assert lines[-1] == "['.pyenv']" or lines[-1] == "[]"


def test_server_environment_and_processes_are_not_visible(runner: Runner, monkeypatch: pytest.MonkeyPatch) -> None:
    secret = uuid.uuid4().hex
    monkeypatch.setenv("MPBOOK_TEST_SECRET", secret)
    source = (
        "import os\n"
        "print(dict(os.environ))\n"
        "for pid in os.listdir('/proc'):\n"
        "    if pid.isdigit():\n"
        "        try:\n"
        "            print(pid, open(f'/proc/{pid}/environ', 'rb').read(), open(f'/proc/{pid}/cmdline', 'rb').read())\n"
        "        except OSError as error:\n"
        "            print(pid, error)\n"
    )
    result = run(runner, source)
    assert result.exit_code == 0
    assert secret not in result.stdout
    assert "pytest" not in result.stdout and str(REPO) not in result.stdout


def test_no_network(runner: Runner) -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        source = (
            "import socket\n"
            "try:\n"
            f"    socket.create_connection(('127.0.0.1', {port}), timeout=2)\n"
            "    print('connected')\n"
            "except OSError as error:\n"
            "    print('blocked', type(error).__name__)\n"
        )
        result = run(runner, source)
    assert result.stdout.startswith("blocked"), result.stdout


def test_cannot_signal_the_server(runner: Runner) -> None:
    source = (
        "import os, signal\n"
        "try:\n"
        f"    os.kill({os.getpid()}, signal.SIGKILL)\n"
        "except ProcessLookupError:\n"
        "    print('no such process')\n"
        "try:\n"
        "    os.kill(-1, signal.SIGKILL)\n"  # every process it may signal but itself and pid 1
        "except ProcessLookupError:\n"
        "    pass\n"
        "print('still here')\n"
    )
    result = run(runner, source)
    assert result.stdout == "no such process\nstill here\n"


def test_huge_file_hits_the_file_size_limit(runner: Runner) -> None:
    source = (
        "try:\n"
        "    open('big', 'wb').write(b'x' * (3 * 2**20))\n"
        "except OSError as error:\n"
        "    print(error.strerror)\n"
    )
    assert run(runner, source).stdout == "File too large\n"


@pytest.mark.parametrize("directory", ["/tmp", "/dev/shm", "."])
def test_filling_a_tmpfs_hits_its_size(runner: Runner, directory: str) -> None:
    source = (
        "import os\n"
        "try:\n"
        "    for i in range(10):\n"
        f"        open(os.path.join('{directory}', f'part{{i}}'), 'wb').write(b'x' * 2**20)\n"
        "except OSError as error:\n"
        "    print(error.strerror)\n"
    )
    assert run(runner, source).stdout == "No space left on device\n"


def test_root_and_system_dirs_are_read_only(runner: Runner) -> None:
    source = (
        "for path in ['/x', '/usr/x', '/dev/x', '/opt/mpbook/x', '/home/x']:\n"
        "    try:\n"
        "        open(path, 'w')\n"
        "        print(path, 'written')\n"
        "    except OSError as error:\n"
        "        print(path, error.strerror)\n"
    )
    assert "written" not in run(runner, source).stdout


def test_garbage_on_the_record_pipe_does_not_break_the_runner(runner: Runner) -> None:
    source = (
        "import os\n"
        "fd = int(os.environ['MPBOOK_RECORDS'].split(':')[0])\n"
        "os.write(fd, b'garbage' * 1000)\n"
        "print('after')\n"
    )
    result = run(runner, source)
    assert (result.exit_code, result.stdout) == (0, "after\n")
    # A forged, unfinished header can only spoil the program's own output.
    forged = run(runner, source.replace("b'garbage' * 1000", "b'garbage' * 1000 + b'\\x1emp\\x01'"))
    assert forged.exit_code == 0


def test_nothing_written_outlives_the_run(backend: Backend) -> None:
    marker = f"mpbook-leftover-{uuid.uuid4().hex}"
    temp = Path(tempfile.gettempdir())
    cgroup_parents = set(backend.cgroups.parents.values()) if backend.cgroups else set()
    # Only this process's sandboxes ("sandbox-<pid>-..."): other servers and tests may share the machine.
    ours = f"sandbox-{os.getpid()}-"
    cgroups_before = {p for parent in cgroup_parents if parent.exists() for p in parent.iterdir()
                      if p.is_dir() and p.name.startswith(ours)}
    runner = Runner(backend, warm=1)
    try:
        source = "".join(f"open('{d}/{marker}', 'w').write('x')\n" for d in (".", "/tmp", "/dev/shm"))
        assert run(runner, source).exit_code == 0
    finally:
        runner.close()
    assert not [p for p in (temp, Path("/dev/shm")) if (p / marker).exists()]
    assert list(temp.glob(f"mpbook-run-{os.getpid()}-*")) == []  # the basic backend's working dirs
    cgroups_after = {p for parent in cgroup_parents if parent.exists() for p in parent.iterdir()
                     if p.is_dir() and p.name.startswith(ours)}
    # The module's runner may have warmed a sandbox meanwhile: a cgroup with processes is alive, not left.
    assert {p for p in cgroups_after - cgroups_before if not (p / "cgroup.procs").read_text().split()} == set()
