"""The Pythons the book is tested on, found on this machine: 3.11, 3.12 and 3.13.

Looked for in pyenv's versions folder (``$PYENV_ROOT``, else ``~/.pyenv`` and
``/root/.pyenv``), then on PATH as ``python3.X``, then the interpreter running
the tests. The newest patch release of each wins. A version that is not found
is named with the reason, so that the example tests can skip it visibly;
3.11, the oldest the book supports, is never skipped (its absence fails).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

VERSIONS = ("3.11", "3.12", "3.13")
REQUIRED = "3.11"


def _pyenv_roots() -> list[Path]:
    roots = [os.environ.get("PYENV_ROOT"), os.path.expanduser("~/.pyenv"), "/root/.pyenv"]
    return list(dict.fromkeys(Path(r) for r in roots if r))


def _candidates(version: str) -> list[Path]:
    """Interpreters that may be ``version``, best first."""
    found: list[Path] = []
    for root in _pyenv_roots():
        releases = []
        for folder in root.glob(f"versions/{version}.*"):
            patch = re.fullmatch(rf"{re.escape(version)}\.(\d+)", folder.name)  # no 3.13.0t, no venvs
            if patch and (folder / "bin" / "python").exists():
                releases.append((int(patch[1]), folder / "bin" / "python"))
        found += [path for _, path in sorted(releases, reverse=True)]
    on_path = shutil.which(f"python{version}")
    if on_path:
        found.append(Path(on_path))
    if f"{sys.version_info.major}.{sys.version_info.minor}" == version:
        found.append(Path(sys.executable))
    return found


def _runs_as(python: Path, version: str) -> bool:
    try:
        done = subprocess.run([str(python), "-I", "-S", "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
                              capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0 and done.stdout.strip() == version


def find_pythons() -> dict[str, Path | str]:
    """For each of VERSIONS, the interpreter to test it with, or why there is none."""
    result: dict[str, Path | str] = {}
    for version in VERSIONS:
        usable = next((path for path in _candidates(version) if _runs_as(path, version)), None)
        roots = ", ".join(str(r / "versions") for r in _pyenv_roots())
        result[version] = usable or f"no Python {version} found (looked in {roots} and for python{version} on PATH)"
    return result
