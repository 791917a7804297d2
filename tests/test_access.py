"""Who may connect: the access token and its cookie, workshop mode, connection caps."""

from __future__ import annotations

import logging
import re
import signal
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from http.client import HTTPConnection
from typing import Any

import pytest
from flask import Flask, request
from websockets.exceptions import ConnectionClosed, InvalidStatus

from helpers import FIXTURE_CONTENT, Client, Served, live_server, server_process, wait_until
from mpbook import settings
from mpbook.web import create_app
from mpbook.web.access import READER_COOKIE
from mpbook.web.serving import _RedactTokens, banner

TOKEN = "reader-token-1234"


def make_app(**config: Any) -> Flask:
    app = create_app({"content_dir": str(FIXTURE_CONTENT), "warm_sandboxes": 0, **config})
    app.config["TESTING"] = True
    return app


@pytest.fixture
def guarded() -> Flask:
    return make_app(token=TOKEN)


def test_without_a_token_setting_pages_are_open() -> None:
    assert make_app().test_client().get("/").status_code == 200


@pytest.mark.parametrize("path", ["/", "/lessons/first", "/api/examples", "/ws", "/no-such-page"])
def test_without_the_cookie_everything_answers_403(guarded: Flask, path: str) -> None:
    response = guarded.test_client().get(path)
    assert response.status_code == 403
    assert "Ask your instructor for the join link." in response.get_data(as_text=True)


def test_static_files_stay_public(guarded: Flask) -> None:
    client = guarded.test_client()
    assert client.get("/static/pages/lesson.js").status_code == 200
    assert client.get("/static/favicon.svg").status_code == 200


def test_the_token_becomes_a_cookie_and_leaves_the_url(guarded: Flask) -> None:
    client = guarded.test_client()
    response = client.get(f"/lessons/first?x=1&token={TOKEN}")
    assert response.status_code == 303
    assert response.headers["Location"] == "/lessons/first?x=1"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith(f"{READER_COOKIE}=")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/" in cookie
    assert TOKEN not in cookie
    assert client.get("/lessons/first?x=1").status_code == 200
    assert client.get("/api/examples").status_code == 200


def test_a_wrong_token_is_refused_without_a_cookie(guarded: Flask) -> None:
    response = guarded.test_client().get("/?token=guess")
    assert response.status_code == 403
    assert "Set-Cookie" not in response.headers
    assert "not valid for this server" in response.get_data(as_text=True)


def test_instances_with_the_same_token_accept_each_others_cookies(guarded: Flask) -> None:
    name, _, value = guarded.test_client().get(f"/?token={TOKEN}").headers["Set-Cookie"].split(";")[0].partition("=")
    other, stranger = make_app(token=TOKEN).test_client(), make_app(token="another-token").test_client()
    for client in (other, stranger):
        client.set_cookie(name, value)
    assert other.get("/").status_code == 200
    assert stranger.get("/").status_code == 403


def test_scripts_may_send_the_token_as_a_bearer_header(guarded: Flask) -> None:
    client = guarded.test_client()
    assert client.get("/api/examples", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200
    assert client.get("/api/examples", headers={"Authorization": "Bearer nope"}).status_code == 403


def test_the_cookie_is_secure_behind_an_https_proxy() -> None:
    app = make_app(token=TOKEN, proxy_hops=1)
    response = app.test_client().get(f"/?token={TOKEN}", headers={"X-Forwarded-Proto": "https"})
    assert "Secure" in response.headers["Set-Cookie"]


def test_proxy_hops_trusts_only_the_last_forwarded_address() -> None:
    app = make_app(proxy_hops=1)
    app.add_url_rule("/_address", "address", lambda: request.remote_addr or "")
    forged_then_real = {"X-Forwarded-For": "198.51.100.7, 203.0.113.9"}
    response = app.test_client().get("/_address", headers=forged_then_real, environ_base={"REMOTE_ADDR": "127.0.0.1"})
    assert response.get_data(as_text=True) == "203.0.113.9"
    direct = make_app()
    direct.add_url_rule("/_address", "address", lambda: request.remote_addr or "")
    response = direct.test_client().get("/_address", headers=forged_then_real,
                                        environ_base={"REMOTE_ADDR": "127.0.0.1"})
    assert response.get_data(as_text=True) == "127.0.0.1"


def test_workshop_changes_only_defaults_not_given() -> None:
    room = settings.load({"workshop": True}, environ={"MPBOOK_RUNS_PER_MINUTE": "5"})
    assert room["host"] == "0.0.0.0" and room["connections_per_client"] == 8 and room["threads"] == 400
    assert room["runs_per_minute"] == 5
    assert settings.load({"workshop": True, "host": "127.0.0.1"}, environ={})["host"] == "127.0.0.1"
    assert settings.load({}, environ={})["connections_per_client"] == 0


def test_banner_shows_the_token_only_in_the_join_and_status_links() -> None:
    values = settings.load({"workshop": True, "token": "T0K", "status_token": "ST4T"}, environ={})
    lines = banner(values, ["192.168.1.20"])
    assert "  readers join at      http://192.168.1.20:8000/?token=T0K" in lines
    assert any(line.strip() == "http://127.0.0.1:8000/?token=T0K" for line in lines)
    assert [line for line in lines if "ST4T" in line] == [
        "  instructor status at http://192.168.1.20:8000/status?token=ST4T  (keep this one to yourself)"]
    assert banner(settings.load({}, environ={}), []) == ["mpbook: serving the book at http://127.0.0.1:8000/"]


def test_log_lines_never_carry_a_token() -> None:
    record = logging.LogRecord("gunicorn.error", logging.ERROR, __file__, 1, "Error handling request %s",
                               ("/lessons/a?x=1&token=s3cret&y=2",), None)
    _RedactTokens().filter(record)
    assert record.getMessage() == "Error handling request /lessons/a?x=1&token=[hidden]&y=2"


# A real server in workshop mode: the join line, the cookie over HTTP and WebSocket, and its output.

@contextmanager
def workshop_server() -> Iterator[Served]:
    """``mpbook serve --workshop`` on loopback."""
    with server_process({"MPBOOK_CONTENT_DIR": str(FIXTURE_CONTENT)}, args=["--workshop"]) as served:
        yield served


def join(url: str, token: str) -> str:
    """Follow the join link by hand; the cookie it sets, as a Cookie header."""
    host = url.removeprefix("http://")
    connection = HTTPConnection(host, timeout=10)
    connection.request("GET", f"/?token={token}")
    response = connection.getresponse()
    assert response.status == 303, response.status
    cookie = response.getheader("Set-Cookie") or ""
    connection.close()
    return cookie.split(";")[0]


def test_workshop_server_prints_join_links_and_never_logs_the_tokens() -> None:
    with workshop_server() as served:
        url = served.url
        text = served.log.read_text()
        token = re.search(r"readers join at +http://\S+/\?token=(\S+)", text)
        status = re.search(r"instructor status at +\S+/status\?token=(\S+)", text)
        assert token and status, text
        token_value, status_value = token.group(1), status.group(1)
        assert len(token_value) >= 20 and token_value != status_value
        with pytest.raises(InvalidStatus) as refused:
            Client(url)
        assert refused.value.response.status_code == 403
        cookie = join(url, token_value)
        reader = Client(url, headers={"Cookie": cookie})
        assert reader.hello is not None and reader.hello["type"] == "hello"
        reader.close()
        for path in (f"/?token={token_value}x", f"/lessons/first?token={token_value}", f"/status?token={status_value}"):
            try:
                urllib.request.urlopen(url + path, timeout=5).close()
            except urllib.error.HTTPError:
                pass
        # Stopped, the server has written all it will: then nothing it wrote may show a token.
        served.process.send_signal(signal.SIGTERM)
        served.process.wait(20)
        text = served.log.read_text()
    lines = text.splitlines()
    # Bound to 127.0.0.1, the server prints one join link and one status link, and nothing else shows a token.
    assert [line for line in lines if token_value in line] == [token.group(0).join(["  ", ""])]
    assert [line for line in lines if status_value in line] == [
        f"  {status.group(0)}  (keep this one to yourself)"]


# Connection caps: per client address, and the threads kept for pages.

def test_a_client_address_holds_at_most_its_share_of_connections() -> None:
    with live_server({"MPBOOK_CONTENT_DIR": str(FIXTURE_CONTENT), "MPBOOK_CONNECTIONS_PER_CLIENT": "2"}) as url:
        first, second = Client(url), Client(url)
        try:
            assert first.hello == second.hello and first.hello is not None and first.hello["type"] == "hello"
            third = Client(url)
            refused = third.hello
            assert refused is not None and refused["type"] == "error" and refused["code"] == "busy"
            assert "from your address" in refused["message"]
            with pytest.raises(ConnectionClosed) as closed:
                third.ws.recv(timeout=5)
            assert closed.value.rcvd is not None and closed.value.rcvd.code == 1013
            second.close()
            # The server notices the close on its reader thread; until then a third page is refused.
            again = wait_until(lambda: welcomed(url), what="a connection after one closed")
            again.close()
        finally:
            first.close()
            second.close()


def welcomed(url: str) -> Client | None:
    """A connection to ``url`` if the server greets it, else None (it was refused)."""
    client = Client(url)
    if client.hello is not None and client.hello["type"] == "hello":
        return client
    client.close()
    return None


def test_open_connections_never_take_the_threads_pages_need() -> None:
    # 6 threads: 4 for connections, 2 kept for pages.
    with live_server({"MPBOOK_CONTENT_DIR": str(FIXTURE_CONTENT), "MPBOOK_THREADS": "6"}) as url:
        sockets = [Client(url) for _ in range(4)]
        try:
            assert all(ws.hello is not None and ws.hello["type"] == "hello" for ws in sockets)
            extra = Client(url)
            refused = extra.hello
            extra.close()
            assert refused is not None and refused["code"] == "busy" and "reconnects by itself" in refused["message"]
            # A page still has a thread: it is served (without one it would wait for a socket to close).
            with urllib.request.urlopen(url + "/lessons/first", timeout=15) as page:
                assert page.status == 200
        finally:
            for ws in sockets:
                ws.close()
