"""Every setting of mpbook: a name, a default and one line of help.

Settings are read in one place, here: from ``MPBOOK_<NAME>`` environment
variables, then from explicit overrides (the command line or a test config).
``docs/settings.md`` documents each one; a test fails when it does not.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Setting:
    """One named setting with its default and a one-line description."""

    name: str
    default: Any
    help: str

    @property
    def env(self) -> str:
        return f"MPBOOK_{self.name.upper()}"

    def parse(self, raw: str) -> Any:
        """Turn an environment string into the default's type, or raise ValueError."""
        kind: Callable[[str], Any] = type(self.default)
        if isinstance(self.default, bool):
            lowered = raw.strip().lower()
            if lowered in {"1", "true", "yes", "on"}:
                return True
            if lowered in {"0", "false", "no", "off"}:
                return False
            raise ValueError(f"{self.env} must be true or false, not {raw!r}")
        if self.default is None:
            return raw
        try:
            return kind(raw)
        except ValueError:
            raise ValueError(
                f"{self.env} must be a {kind.__name__}, not {raw!r}"
            ) from None


SETTINGS: tuple[Setting, ...] = (
    Setting("host", "127.0.0.1", "Address to listen on; loopback unless you mean to serve a network."),
    Setting("port", 8000, "TCP port to listen on."),
    Setting("content_dir", str(ROOT / "content"), "Folder holding SUMMARY.md, lessons/ and examples/."),
    Setting("site_dir", str(ROOT / "site"), "Folder holding templates/ and static/."),
    Setting("allowed_hosts", "",
            "Extra Host names accepted besides the bound host and loopback names, comma-separated."),
    Setting("sandbox", "auto", "Sandbox backend: auto (bwrap when usable), bwrap, or basic."),
    Setting("python", "", "Interpreter that runs readers' programs (a path, 3.11 or later); empty: the server's own."),
    Setting("allow_basic_on_network", False, "Let the basic (uncontained) backend serve a non-loopback address."),
    Setting("warm_sandboxes", 1, "Sandboxes kept started and waiting, so a Run starts without an interpreter start; "
            "more for two minutes after runs start together (up to twice max_runs); 0 means none."),
    Setting("max_runs", 0, "Runs executing at once across the server; 0 means one per CPU core."),
    Setting("queue_size", 200, "Runs that may wait for a free slot; beyond it readers are told the server is busy."),
    Setting("runs_per_minute", 0, "Runs one client address may start in any minute; 0 means no limit."),
    Setting("editing", True,
            "Let readers edit examples and run their own code; false runs only the published examples."),
    Setting("solutions", "after_check",
            "When readers may see an exercise's solution: after_check (their first Check), always, or off."),
    Setting("wall_seconds", 15.0, "Wall-clock seconds a run may take before it is stopped."),
    Setting("cpu_seconds", 15, "CPU seconds each process of a run may use."),
    Setting("memory_mb", 512, "Memory for a whole run, all its processes together, in MiB."),
    Setting("processes", 64, "Processes and threads a whole run may have at once."),
    Setting("output_kb", 256, "Output a run may print, stdout and stderr together, in KiB."),
    Setting("file_mb", 8, "Largest file a run may write, in MiB."),
    Setting("open_files", 256, "Files each process of a run may hold open."),
    Setting("source_kb", 64, "Largest program (with its files) a reader may send, in KiB."),
    Setting("tmp_mb", 32, "Size of a run's private /tmp and /dev/shm, each, in MiB."),
    Setting("input_kb", 64, "Input a reader may type into a running program's stdin, in all, in KiB."),
    Setting("threads", 150, "Threads of the server process; each open page with a live connection holds one."),
    Setting("ws_ping_seconds", 20, "Seconds between WebSocket pings; a client that stops answering is dropped."),
    Setting("ws_max_message_kb", 128, "Largest WebSocket message accepted from a client, in KiB."),
    Setting("workshop", False, "Serve a room: network address, access token, room defaults (see docs/deploy.md)."),
    Setting("token", "",
            "Access token readers need (from the join link); empty: none, or a random one in workshop mode."),
    Setting("status_token", "",
            "Token of the instructor status page /status; empty: page off, or random in workshop mode."),
    Setting("connections_per_client", 0, "Open WebSocket connections one client address may hold; 0 means no limit."),
    Setting("proxy_hops", 0, "Reverse proxies in front whose X-Forwarded-For and -Proto headers are trusted."),
)

# What --workshop changes, for settings not given explicitly (environment or command line).
WORKSHOP_DEFAULTS: dict[str, Any] = {
    "host": "0.0.0.0",
    "runs_per_minute": 20,
    "connections_per_client": 8,
    "threads": 400,
}

# Never printed: only the join lines of `mpbook serve` show a token.
SECRETS = frozenset({"token", "status_token"})

BY_NAME: dict[str, Setting] = {s.name: s for s in SETTINGS}

# Settings that take one of a few words.
CHOICES: dict[str, tuple[str, ...]] = {"solutions": ("after_check", "always", "off")}


def load(
    overrides: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Return every setting's value: default, then environment, then overrides.

    With ``workshop`` true, WORKSHOP_DEFAULTS replace the defaults of settings
    that neither the environment nor the overrides give. Raises ValueError
    with a plain message for an unknown override or a bad value.
    """
    environ = os.environ if environ is None else environ
    values = {s.name: s.default for s in SETTINGS}
    explicit: set[str] = set()
    for setting in SETTINGS:
        raw = environ.get(setting.env)
        if raw is not None and raw != "":
            values[setting.name] = setting.parse(raw)
            explicit.add(setting.name)
    for name, value in (overrides or {}).items():
        if name not in BY_NAME:
            raise ValueError(f"unknown setting {name!r}")
        if value is not None:
            values[name] = value
            explicit.add(name)
    if values["workshop"]:
        values.update({name: value for name, value in WORKSHOP_DEFAULTS.items() if name not in explicit})
    for name, choices in CHOICES.items():
        if values[name] not in choices:
            raise ValueError(f"{BY_NAME[name].env} must be one of {', '.join(choices)}, not {values[name]!r}")
    return values


def _shown_default(value: Any) -> str:
    """A default as docs/settings.md shows it."""
    if value == "":
        return "empty"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, str) and value.startswith(str(ROOT) + os.sep):
        return f"`{os.path.relpath(value, ROOT)}/` of the checkout"
    return f"`{value}`"


def markdown_table() -> str:
    """The table of every setting for docs/settings.md (``mpbook settings --markdown``)."""
    rows = ["| setting | environment | default | what it does |", "| --- | --- | --- | --- |"]
    for s in SETTINGS:
        default = _shown_default(s.default)
        if s.name in WORKSHOP_DEFAULTS:
            default += f"; *workshop:* {_shown_default(WORKSHOP_DEFAULTS[s.name])}"
        rows.append(f"| `{s.name}` | `{s.env}` | {default} | {s.help.replace('|', '/')} |")
    return "\n".join(rows) + "\n"
