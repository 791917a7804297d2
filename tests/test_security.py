import pytest
from flask.testing import FlaskClient

from mpbook.web.security import allowed_hosts, host_name, same_origin


@pytest.mark.parametrize(
    ("header", "name"),
    [("localhost:8000", "localhost"), ("127.0.0.1", "127.0.0.1"), ("[::1]:8000", "::1"),
     ("Example.ORG:80", "example.org")],
)
def test_host_name(header: str, name: str) -> None:
    assert host_name(header) == name


def test_allowed_hosts_adds_bound_and_extra_names() -> None:
    hosts = allowed_hosts("10.0.0.5", "book.example.org, other ")
    assert {"localhost", "127.0.0.1", "::1", "10.0.0.5", "book.example.org", "other"} <= hosts


@pytest.mark.parametrize(
    ("origin", "host", "same"),
    [
        ("http://127.0.0.1:8000", "127.0.0.1:8000", True),
        ("http://localhost", "localhost:80", True),
        ("https://book.example", "book.example", True),
        ("http://127.0.0.1:9999", "127.0.0.1:8000", False),
        ("http://evil.example:8000", "127.0.0.1:8000", False),
        ("null", "127.0.0.1:8000", False),
        ("http://[::1]:8000", "[::1]:8000", True),
    ],
)
def test_same_origin(origin: str, host: str, same: bool) -> None:
    assert same_origin(origin, host, "http" if not origin.startswith("https") else "https") is same


def test_foreign_host_is_refused(client: FlaskClient) -> None:
    response = client.get("/", headers={"Host": "evil.example:8000"})
    assert response.status_code == 403
    assert "does not answer to that host name" in response.get_data(as_text=True)


def test_websocket_from_foreign_origin_is_refused(client: FlaskClient) -> None:
    response = client.get("/ws", headers={"Origin": "http://evil.example", "Upgrade": "websocket"})
    assert response.status_code == 403


def test_page_from_own_origin_is_served(client: FlaskClient) -> None:
    assert client.get("/", headers={"Origin": "http://localhost"}).status_code == 200
