from pathlib import Path

import pytest

from mpbook import settings
from mpbook.engine.runs import Limits

DOCS = Path(__file__).parent.parent / "docs" / "settings.md"


def test_the_table_in_the_docs_is_the_generated_one() -> None:
    text = DOCS.read_text("utf-8")
    table = text.split("-->\n", 1)[1].split("<!-- end of the settings table -->", 1)[0]
    assert table == settings.markdown_table(), "docs/settings.md is stale: paste `mpbook settings --markdown`"


def test_the_table_shows_every_setting_with_its_default() -> None:
    table = settings.markdown_table()
    for s in settings.SETTINGS:
        assert f"| `{s.name}` | `{s.env}` |" in table
    assert "| `port` | `MPBOOK_PORT` | `8000` |" in table
    assert "| `content_dir` | `MPBOOK_CONTENT_DIR` | `content/` of the checkout |" in table
    assert "| `threads` | `MPBOOK_THREADS` | `150`; *workshop:* `400` |" in table
    assert "| `token` | `MPBOOK_TOKEN` | empty |" in table and "| `editing` | `MPBOOK_EDITING` | `true` |" in table


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


def test_run_limits_default_to_the_settings_defaults() -> None:
    defaults = settings.load(environ={})
    assert Limits() == Limits.from_settings(defaults)
    assert Limits().wall_seconds == defaults["wall_seconds"] and Limits().memory_bytes == defaults["memory_mb"] * 2**20
    tight = Limits.from_settings({**defaults, "memory_mb": 64, "output_kb": 16, "wall_seconds": 2})
    assert (tight.memory_bytes, tight.output_bytes, tight.wall_seconds) == (64 * 2**20, 16 * 1024, 2.0)


def test_a_declared_timeout_only_ever_shortens_the_wall_time() -> None:
    limits = Limits(wall_seconds=15.0)
    assert limits.within(None) == limits and limits.within(0) == limits
    assert limits.within(5).wall_seconds == 5 and limits.within(60).wall_seconds == 15.0
    assert limits.within(5).memory_bytes == limits.memory_bytes
