"""Shared fixtures: an app on the small fixture book, one on the real book, and a runner on the
sandbox backend a module's own ``backend`` fixture gives."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from helpers import FIXTURE_CONTENT
from mpbook.engine.runner import Runner
from mpbook.engine.sandbox import Backend
from mpbook.web import create_app


@pytest.fixture
def app() -> Iterator[Flask]:
    app = create_app({"content_dir": str(FIXTURE_CONTENT), "warm_sandboxes": 0})
    app.config["TESTING"] = True
    yield app


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture(scope="session")
def book_app() -> Flask:
    """The application serving the real book in content/."""
    app = create_app({"warm_sandboxes": 0})
    app.config["TESTING"] = True
    return app


@pytest.fixture(scope="module")
def runner(backend: Backend) -> Iterator[Runner]:
    """A runner keeping one sandbox warm, on the ``backend`` of the module that asks (each of
    test_runner, test_inside and test_containment says which backends it runs on)."""
    runner = Runner(backend, warm=1)
    yield runner
    runner.close()
