"""The ``mpbook`` command: serve the book, list settings."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any

from mpbook import settings


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="mpbook", description="An interactive textbook on Python multiprocessing.")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="serve the book (http://127.0.0.1:8000 by default)")
    serve.add_argument("--host", help="address to listen on (setting host)")
    serve.add_argument("--port", type=int, help="port to listen on (setting port)")
    serve.add_argument(
        "--workshop", action="store_true", default=None,
        help="serve a room: on the network, behind a join link with a random token, with room limits "
             "(setting workshop; see docs/deploy.md)",
    )
    serve.add_argument(
        "--setting", nargs=2, action="append", default=[], metavar=("NAME", "VALUE"),
        help="any other setting; see 'mpbook settings'",
    )

    listing = commands.add_parser("settings", help="list every setting with its value, default and description")
    listing.add_argument("--markdown", action="store_true",
                         help="print the table of docs/settings.md instead (defaults, not current values)")

    args = parser.parse_args(argv)
    try:
        overrides = _overrides(args)
        values = settings.load(overrides)
    except ValueError as error:
        parser.error(str(error))
    if args.command == "settings" and args.markdown:
        print(settings.markdown_table(), end="")
        return 0
    if args.command == "settings":
        for s in settings.SETTINGS:
            shown = "(set)" if s.name in settings.SECRETS and values[s.name] else repr(values[s.name])
            print(f"{s.name:24} {shown:24} {s.env}\n{'':24} {s.help}")
        return 0
    from mpbook.web.serving import serve as run_server

    return run_server(values)


def _overrides(args: argparse.Namespace) -> dict[str, Any]:
    overrides: dict[str, Any] = {}
    for name, raw in getattr(args, "setting", []):
        if name not in settings.BY_NAME:
            raise ValueError(f"unknown setting {name!r}; 'mpbook settings' lists them")
        overrides[name] = settings.BY_NAME[name].parse(raw)
    for name in ("host", "port", "workshop"):
        if getattr(args, name, None) is not None:
            overrides[name] = getattr(args, name)
    return overrides


if __name__ == "__main__":
    sys.exit(main())
