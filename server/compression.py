"""Gzip for text responses, so that a lesson page's first load stays small.

The editor bundle is 363 KB as built and 122 KB gzipped; the pages, scripts and
styles shrink about fourfold (docs/performance.md). A static file is compressed
once per server process and kept, keyed by its path and ETag (which changes with
the file); other responses (pages, JSON) are small and compressed as they go.
A reverse proxy that compresses as well leaves these alone: they already carry
a Content-Encoding.
"""

from __future__ import annotations

import gzip
import threading

from flask import Flask, Response, request

TYPES = ("text/html", "text/css", "text/javascript", "application/javascript", "application/json", "image/svg+xml")
MIN_BYTES = 1024  # below this, the gzip header and a lost Content-Length check cost more than they save
LEVEL = 6


def register(app: Flask) -> None:
    """Compress text responses for clients that accept gzip."""
    cache: dict[tuple[str, str], bytes] = {}
    lock = threading.Lock()

    @app.after_request
    def compress(response: Response) -> Response:
        static = request.endpoint == "static"
        if (response.status_code != 200 or request.path == "/ws" or response.mimetype not in TYPES
                or "Content-Encoding" in response.headers or request.accept_encodings.quality("gzip") <= 0
                or (response.is_streamed and not static)):
            return response
        response.vary.add("Accept-Encoding")
        etag, _ = response.get_etag()
        key = (request.path, etag or "")
        with lock:
            body = cache.get(key) if static and etag else None
        if body is None:
            response.direct_passthrough = False  # send_file's: read the file here instead
            data = response.get_data()
            if len(data) < MIN_BYTES:
                return response
            body = gzip.compress(data, LEVEL, mtime=0)
            if static and etag:
                with lock:
                    cache[key] = body
        elif hasattr(response.response, "close"):
            response.response.close()  # the file send_file opened, unread
        response.set_data(body)
        response.headers["Content-Encoding"] = "gzip"
        response.headers.pop("Accept-Ranges", None)  # ranges of the file, not of this body
        if etag:
            # Weak, as for any re-encoded body; revalidation still matches (If-None-Match compares weakly).
            response.set_etag(etag, weak=True)
        return response
