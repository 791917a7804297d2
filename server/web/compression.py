"""Compressed responses (Flask-Compress), so that a lesson page's first load stays small.

The editor bundle is 363 KB as built and about 120 KB compressed; pages, scripts
and styles shrink about fourfold (docs/performance.md). Flask-Compress picks the
best encoding the browser accepts. A reverse proxy that compresses as well leaves
these responses alone: they already carry a Content-Encoding.
"""

from __future__ import annotations

from flask import Flask
from flask_compress import Compress

compress = Compress()


def register(app: Flask) -> None:
    """Compress text responses for clients that accept it."""
    app.config.setdefault("COMPRESS_MIN_SIZE", 1024)
    # Static files are streamed; the library leaves gzip out of its streaming list by
    # default, which would send them uncompressed to a client that only takes gzip.
    app.config.setdefault("COMPRESS_ALGORITHM_STREAMING", ["zstd", "br", "gzip", "deflate"])
    compress.init_app(app)
