"""The ``mpbook`` command: settings listed from SETTINGS, overrides checked, secrets never printed."""

from __future__ import annotations

import pytest

from mpbook import cli, settings


def test_settings_lists_every_setting_with_its_value(capsys: pytest.CaptureFixture[str],
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MPBOOK_PORT", "9123")
    monkeypatch.setenv("MPBOOK_TOKEN", "very-secret-token")
    assert cli.main(["settings"]) == 0
    out = capsys.readouterr().out
    for s in settings.SETTINGS:
        assert s.name in out and s.env in out and s.help in out
    assert "9123" in out
    assert "very-secret-token" not in out and "(set)" in out


def test_settings_markdown_is_the_docs_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["settings", "--markdown"]) == 0
    assert capsys.readouterr().out == settings.markdown_table()


def test_an_unknown_setting_is_refused_in_plain_words(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        cli.main(["serve", "--setting", "nope", "1"])
    assert stopped.value.code == 2
    assert "unknown setting 'nope'; 'mpbook settings' lists them" in capsys.readouterr().err


def test_a_bad_value_is_refused_before_serving(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        cli.main(["serve", "--setting", "port", "eighty"])
    assert "MPBOOK_PORT must be a int, not 'eighty'" in capsys.readouterr().err


def test_serve_passes_flags_and_settings_to_the_server(monkeypatch: pytest.MonkeyPatch) -> None:
    served: list[dict[str, object]] = []
    monkeypatch.setattr("mpbook.web.serving.serve", lambda values: served.append(values) or 0)
    assert cli.main(["serve", "--host", "0.0.0.0", "--port", "9001", "--setting", "max_runs", "3"]) == 0
    [values] = served
    assert (values["host"], values["port"], values["max_runs"]) == ("0.0.0.0", 9001, 3)


def test_workshop_flag_brings_the_room_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    served: list[dict[str, object]] = []
    monkeypatch.setattr("mpbook.web.serving.serve", lambda values: served.append(values) or 0)
    cli.main(["serve", "--workshop", "--setting", "threads", "50"])
    [values] = served
    assert values["workshop"] is True and values["runs_per_minute"] == settings.WORKSHOP_DEFAULTS["runs_per_minute"]
    assert values["threads"] == 50  # what you give wins over the room's default
