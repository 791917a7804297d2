"""The ``python`` setting: the interpreter that runs readers' programs, its own runtime venv,
its version in ``hello`` and ``started``, and a plain refusal when it does not run."""

from __future__ import annotations

import platform
from pathlib import Path

import pytest

from helpers import FIXTURE_CONTENT
from mpbook import settings
from mpbook.book.lessons import load_book
from mpbook.engine.runner import Limits, QuietCallbacks, Runner, RunRequest, StartedInfo
from mpbook.engine.sandbox import SandboxError, choose_backend, runtime
from mpbook.web.wiring import build_wiring
from pythons import find_pythons

FOUND = {v: p for v, p in find_pythons().items() if isinstance(p, Path)}
LIMITS = Limits(wall_seconds=20, memory_bytes=256 * 2**20)

VERSIONS = """
import multiprocessing
import platform
import sys

def child():
    print('child', platform.python_version(), sys.flags.isolated)

if __name__ == '__main__':
    print('main', platform.python_version())
    p = multiprocessing.Process(target=child)
    p.start()
    p.join()
"""


class Started(QuietCallbacks):
    def __init__(self) -> None:
        self.info: StartedInfo | None = None

    def on_started(self, info: StartedInfo) -> None:
        self.info = info


def test_the_default_is_the_servers_own_interpreter() -> None:
    assert runtime().version == platform.python_version()
    assert settings.load(environ={})["python"] == ""


@pytest.mark.parametrize("version", sorted(FOUND))
@pytest.mark.parametrize("method", ["fork", "spawn"])
def test_programs_run_on_the_chosen_python(version: str, method: str) -> None:
    backend = choose_backend("auto", python=str(FOUND[version]))
    rt = backend.runtime()
    assert rt.version.rsplit(".", 1)[0] == version
    assert (rt.root / "lib" / f"python{version}" / "site-packages" / "sitecustomize.py").is_file()
    runner = Runner(backend, warm=0)
    try:
        started = Started()
        run = runner.start(RunRequest({"main.py": VERSIONS.encode()}, start_method=method, limits=LIMITS), started)
        assert run.wait(30)
        result = run.result
    finally:
        runner.close()
    assert result.reason == "ok", result.stderr
    # The child (a new interpreter under spawn) runs the same Python, isolated as the parent.
    assert result.stdout == f"main {rt.version}\nchild {rt.version} 1\n"
    assert [chunk.process for chunk in result.output] == ["MainProcess", "Process-1"]
    assert started.info is not None and started.info.python == rt.version
    assert started.info.start_method == method


@pytest.mark.parametrize("version", sorted(FOUND))
def test_hello_says_which_python_runs_the_programs(version: str) -> None:
    values = settings.load({"content_dir": str(FIXTURE_CONTENT), "warm_sandboxes": 0, "python": str(FOUND[version])})
    wiring = build_wiring(values, load_book(FIXTURE_CONTENT))
    try:
        hello = wiring.hello()
    finally:
        wiring.close()
    assert hello["python"] == runtime(FOUND[version]).version
    assert hello["default_start_method"] == "fork"  # Linux before 3.14


def test_an_interpreter_that_does_not_run_is_refused_in_plain_words(tmp_path: Path) -> None:
    fake = tmp_path / "python3"
    fake.write_text("#!/bin/sh\necho 'this is not Python' >&2\nexit 3\n")
    fake.chmod(0o755)
    with pytest.raises(SandboxError, match=r"cannot run readers' programs: this is not Python"):
        choose_backend("basic", python=str(fake))
    with pytest.raises(SandboxError, match="cannot run readers' programs"):
        build_wiring(settings.load({"content_dir": str(FIXTURE_CONTENT), "warm_sandboxes": 0,
                                    "python": str(tmp_path / "missing")}), load_book(FIXTURE_CONTENT))
