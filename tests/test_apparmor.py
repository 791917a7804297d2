"""Ubuntu's AppArmor restriction of user namespaces: bwrap's failure is recognised, the
server falls back to the basic backend, and the message names both fixes."""

from __future__ import annotations

from pathlib import Path

import pytest

from mpbook.engine.sandbox import apparmor, choose_backend


def fake_bwrap(directory: Path, message: str) -> None:
    script = directory / "bwrap"
    script.write_text(f"#!/bin/sh\necho 'bwrap: {message}' >&2\nexit 1\n")
    script.chmod(0o755)


@pytest.mark.parametrize("message", ["setting up uid map: Permission denied",
                                     "loopback: Failed RTM_NEWADDR: Operation not permitted"])
def test_restricted_user_namespaces_fall_back_to_basic_naming_the_fix(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, message: str) -> None:
    sysctl = tmp_path / "apparmor_restrict_unprivileged_userns"
    sysctl.write_text("1\n")
    monkeypatch.setattr(apparmor, "SYSCTL", sysctl)
    fake_bwrap(tmp_path, message)
    monkeypatch.setenv("PATH", f"{tmp_path}:/usr/bin:/bin")
    backend = choose_backend("auto", use_cgroups=False)
    assert backend.name == "basic" and not backend.is_contained
    assert message in backend.note
    assert "profile bwrap /usr/bin/bwrap" in backend.note and "userns," in backend.note
    assert "sysctl kernel.apparmor_restrict_unprivileged_userns=0" in backend.note


def test_other_bwrap_failures_are_reported_as_they_are(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sysctl = tmp_path / "apparmor_restrict_unprivileged_userns"
    sysctl.write_text("0\n")  # not restricted: the message is bwrap's own
    monkeypatch.setattr(apparmor, "SYSCTL", sysctl)
    fake_bwrap(tmp_path, "setting up uid map: Permission denied")
    monkeypatch.setenv("PATH", f"{tmp_path}:/usr/bin:/bin")
    backend = choose_backend("auto", use_cgroups=False)
    assert backend.note == "bwrap does not work here: bwrap: setting up uid map: Permission denied"
    assert apparmor.explain("setting up uid map: Permission denied", tmp_path / "absent") is None
