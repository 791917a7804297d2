"""Compressed responses (server/compression.py, Flask-Compress)."""

from __future__ import annotations

import gzip
import zlib
from pathlib import Path

import brotli
from flask import Flask
from flask.testing import FlaskClient

BROWSER = {"Accept-Encoding": "gzip, deflate, br"}


def decoded(encoding: str, body: bytes) -> bytes:
    decoders = {"gzip": gzip.decompress, "br": brotli.decompress, "deflate": zlib.decompress}
    return decoders[encoding](body)


def static_file(app: Flask, name: str) -> bytes:
    assert app.static_folder is not None
    return (Path(app.static_folder) / name).read_bytes()


def test_static_script_is_compressed_for_clients_that_accept_it(app: Flask, client: FlaskClient) -> None:
    response = client.get("/static/pages/lesson.js", headers=BROWSER)
    assert response.status_code == 200
    encoding = response.headers["Content-Encoding"]
    assert "Accept-Encoding" in response.headers["Vary"]
    assert decoded(encoding, response.data) == static_file(app, "pages/lesson.js")
    assert len(response.data) < len(static_file(app, "pages/lesson.js")) / 2


def test_gzip_only_clients_get_gzip(app: Flask, client: FlaskClient) -> None:
    response = client.get("/static/pages/lesson.js", headers={"Accept-Encoding": "gzip"})
    assert response.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(response.data) == static_file(app, "pages/lesson.js")


def test_identity_without_accept_encoding(app: Flask, client: FlaskClient) -> None:
    response = client.get("/static/pages/lesson.js")
    assert "Content-Encoding" not in response.headers
    assert response.data == static_file(app, "pages/lesson.js")
    identity = client.get("/static/pages/lesson.js", headers={"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in identity.headers


def test_revalidation_answers_not_modified(client: FlaskClient) -> None:
    etag = client.get("/static/pages/home.js", headers=BROWSER).headers["ETag"]
    response = client.get("/static/pages/home.js", headers={**BROWSER, "If-None-Match": etag})
    assert response.status_code == 304


def test_pages_are_compressed_and_tiny_files_are_not(client: FlaskClient) -> None:
    page = client.get("/", headers={"Accept-Encoding": "gzip"})
    assert page.headers["Content-Encoding"] == "gzip"
    assert b"<html" in gzip.decompress(page.data)
    tiny = client.get("/static/pages/plain.js", headers=BROWSER)
    assert "Content-Encoding" not in tiny.headers
