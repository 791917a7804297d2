"""Gzip of text responses (server/compression.py)."""

from __future__ import annotations

import gzip
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient

GZIP = {"Accept-Encoding": "gzip, deflate"}


def static_file(app: Flask, name: str) -> bytes:
    assert app.static_folder is not None
    return (Path(app.static_folder) / name).read_bytes()


def test_static_script_is_gzipped_for_clients_that_accept_it(app: Flask, client: FlaskClient) -> None:
    response = client.get("/static/js/run.js", headers=GZIP)
    assert response.status_code == 200
    assert response.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response.headers["Vary"]
    assert "Accept-Ranges" not in response.headers
    assert response.headers["ETag"].startswith('W/"')
    assert int(response.headers["Content-Length"]) == len(response.data)
    assert gzip.decompress(response.data) == static_file(app, "js/run.js")
    again = client.get("/static/js/run.js", headers=GZIP)  # from the cache this time
    assert again.data == response.data


def test_identity_without_accept_encoding(app: Flask, client: FlaskClient) -> None:
    response = client.get("/static/js/run.js")
    assert "Content-Encoding" not in response.headers
    assert response.data == static_file(app, "js/run.js")
    refused = client.get("/static/js/run.js", headers={"Accept-Encoding": "gzip;q=0"})
    assert "Content-Encoding" not in refused.headers


def test_revalidation_with_the_weak_etag_is_not_modified(client: FlaskClient) -> None:
    etag = client.get("/static/css/run.css", headers=GZIP).headers["ETag"]
    response = client.get("/static/css/run.css", headers={**GZIP, "If-None-Match": etag})
    assert response.status_code == 304


def test_pages_are_gzipped_and_tiny_files_are_not(client: FlaskClient) -> None:
    page = client.get("/", headers=GZIP)
    assert page.headers["Content-Encoding"] == "gzip"
    assert b"<html" in gzip.decompress(page.data)
    tiny = client.get("/static/js/theme.js", headers=GZIP)
    assert "Content-Encoding" not in tiny.headers
