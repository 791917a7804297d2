from pathlib import Path

import pytest

from mpbook import settings

DOCS = Path(__file__).parent.parent / "docs" / "settings.md"


def test_every_setting_is_documented() -> None:
    text = DOCS.read_text("utf-8")
    missing = [s.name for s in settings.SETTINGS if f"`{s.name}`" not in text or s.env not in text]
    assert not missing, f"docs/settings.md does not document: {missing}"


def test_every_setting_has_a_one_line_help() -> None:
    for s in settings.SETTINGS:
        assert s.help and "\n" not in s.help, s.name


def test_environment_overrides_default_and_is_typed() -> None:
    values = settings.load(environ={"MPBOOK_PORT": "9001", "MPBOOK_ALLOW_BASIC_ON_NETWORK": "yes"})
    assert values["port"] == 9001
    assert values["allow_basic_on_network"] is True


def test_overrides_win_over_environment() -> None:
    assert settings.load({"port": 7000}, environ={"MPBOOK_PORT": "9001"})["port"] == 7000


def test_bad_value_is_a_plain_message() -> None:
    with pytest.raises(ValueError, match="MPBOOK_PORT must be a int, not 'abc'"):
        settings.load(environ={"MPBOOK_PORT": "abc"})


def test_unknown_override_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown setting 'nope'"):
        settings.load({"nope": 1})
