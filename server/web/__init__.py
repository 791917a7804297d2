"""mpbook: an interactive textbook on Python multiprocessing."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from mpbook import settings
from mpbook.book.lessons import load_book
from mpbook.web import access, compression, errors, exercises, pages, security, sockets, status, styles
from mpbook.web.wiring import EXTENSION, build_wiring


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the application; ``test_config`` overrides settings by name."""
    values = settings.load(test_config)
    site = Path(values["site_dir"])
    app = Flask(__name__, template_folder=str(site / "templates"), static_folder=str(site / "static"))
    app.config["MPBOOK"] = values
    if values["proxy_hops"] > 0:
        # The reader's address and scheme as the proxies saw them, for rate limits, caps and cookies.
        hops = values["proxy_hops"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]
    book = load_book(Path(values["content_dir"]))
    app.extensions["mpbook.book"] = book
    app.extensions[EXTENSION] = build_wiring(values, book)
    styles.register(app, site)
    security.register(app)
    access.register(app)
    app.register_blueprint(pages.bp)
    app.register_blueprint(exercises.bp)
    app.register_blueprint(status.bp)
    sockets.init_app(app)
    errors.register(app)
    compression.register(app)
    return app
