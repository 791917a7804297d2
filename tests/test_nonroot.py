"""The containment suite as a learner runs it: an unprivileged user, Debian's /usr/bin/python3.

CI runs as root, where cgroups are writable and RLIMIT_NPROC does not bind. This
test makes an unprivileged user (``useradd``, if missing), copies the code where
that user can read it, builds a venv with /usr/bin/python3 (the user cannot read
pyenv's interpreters under /root), and runs the containment, seccomp and fallback
suites as that user. There, the parent cgroups left by root's servers must be
found unusable, and the fork bomb and the memory bomb must end for
``processes`` and ``memory`` through the rlimits.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
USER = "mpbook-learner"
STAGE = Path("/var/tmp/mpbook-nonroot")  # world-readable, outside /root and the checkout
PYTHON = Path("/usr/bin/python3")
SUITES = ["tests/test_containment.py", "tests/test_seccomp.py", "tests/test_cgroup_fallback.py"]
MUST_PASS = ["test_fork_bomb_hits_the_process_limit", "test_memory_bomb_hits_the_memory_limit",
             "test_the_filter_is_in_force_in_every_run"]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(sys.platform != "linux", reason="Linux only"),
    pytest.mark.skipif(os.geteuid() != 0, reason="already unprivileged: the suites themselves run as this user"),
    pytest.mark.skipif(not shutil.which("useradd") or not shutil.which("runuser"), reason="no useradd or runuser"),
    pytest.mark.skipif(not PYTHON.exists(), reason="no /usr/bin/python3"),
]


def ensure_user() -> None:
    if subprocess.run(["id", "-u", USER], capture_output=True).returncode != 0:
        subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", USER],
                       check=True, capture_output=True)


def stage_code() -> Path:
    """A copy of the code the suites need, readable by everyone; mpbook importable from it."""
    code = STAGE / "code"
    shutil.rmtree(code, ignore_errors=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".venv", "node_modules")
    for part in ("server", "tests", "bench"):
        shutil.copytree(REPO / part, code / part, ignore=ignore)
    shutil.copy2(REPO / "pyproject.toml", code)
    (code / "path").mkdir()
    (code / "path" / "mpbook").symlink_to(code / "server")  # as setuptools' package-dir maps it
    subprocess.run(["chmod", "-R", "a+rX", str(STAGE)], check=True)
    return code


def ensure_venv() -> Path:
    """A venv of Debian's python3 with the project's dependencies and pytest, kept between runs."""
    pyproject = (REPO / "pyproject.toml").read_bytes()
    venv = STAGE / f"venv-{hashlib.sha256(pyproject).hexdigest()[:12]}"
    if not (venv / ".complete").exists():
        shutil.rmtree(venv, ignore_errors=True)
        made = subprocess.run([str(PYTHON), "-m", "venv", str(venv)], capture_output=True, text=True)
        if made.returncode != 0:
            pytest.fail(f"/usr/bin/python3 -m venv failed (install python3-venv: `make test` does):\n{made.stderr}")
        wanted = [*tomllib.loads(pyproject.decode())["project"]["dependencies"], "pytest>=8.0"]
        subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "--disable-pip-version-check", *wanted],
                       check=True, timeout=900)
        (venv / ".complete").write_text("")
    return venv


def test_the_containment_suite_passes_as_an_unprivileged_user() -> None:
    ensure_user()
    STAGE.mkdir(mode=0o755, exist_ok=True)
    venv = ensure_venv()
    code = stage_code()
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": "/tmp", "LANG": "C.UTF-8",
           "PYTHONPATH": f"{code / 'path'}:{code}", "PYTHONDONTWRITEBYTECODE": "1"}
    done = subprocess.run(
        [shutil.which("runuser") or "runuser", "-u", USER, "--", str(venv / "bin" / "python"), "-m", "pytest", "-v",
         "-p", "no:cacheprovider", "-o", "addopts=", *SUITES],
        cwd=code, env=env, capture_output=True, text=True, timeout=600,
    )
    report = done.stdout[-6000:] + done.stderr[-2000:]
    assert done.returncode == 0, report
    for name in MUST_PASS:
        passed = any(name in line and "PASSED" in line for line in done.stdout.splitlines())
        assert passed, f"{name} did not pass:\n{report}"
