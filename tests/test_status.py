"""The instructor's status page: behind its own token, and its numbers follow what the server does."""

from __future__ import annotations

import json
import re
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from helpers import FIXTURE_CONTENT, ROOT, Client, live_server, server_process, wait_until
from mpbook.engine.cgroups import Cgroups
from mpbook.engine.sandbox import BasicBackend
from mpbook.web import create_app
from mpbook.web.access import STATUS_COOKIE
from mpbook.web.status import containment, containment_lines
from mpbook.web.wiring import wiring_of

STATUS = "instructor-token-5678"
READER = "reader-token-1234"


def make_app(**config: Any) -> Flask:
    app = create_app({"content_dir": str(FIXTURE_CONTENT), "warm_sandboxes": 0, **config})
    app.config["TESTING"] = True
    return app


def test_the_page_is_off_without_a_status_token() -> None:
    response = make_app().test_client().get("/status")
    assert response.status_code == 403
    assert "status page is off" in response.get_data(as_text=True)
    assert make_app().test_client().get("/api/status").status_code == 403


def test_the_status_token_opens_the_page_and_nothing_else() -> None:
    app = make_app(token=READER, status_token=STATUS)
    client = app.test_client()
    assert client.get(f"/status?token={READER}").status_code == 403
    entered = client.get(f"/status?token={STATUS}")
    assert entered.status_code == 303 and entered.headers["Location"] == "/status"
    assert entered.headers["Set-Cookie"].startswith(f"{STATUS_COOKIE}=") and "HttpOnly" in entered.headers["Set-Cookie"]
    page = client.get("/status")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Server status" in html and 'data-field="runs.active">0<' in html and "/static/pages/status.js" in html
    assert client.get("/api/status").status_code == 200
    assert client.get("/").status_code == 403  # the instructor's cookie is not a reader's


def test_a_reader_cookie_does_not_open_the_status_page() -> None:
    client = make_app(token=READER, status_token=STATUS).test_client()
    assert client.get(f"/?token={READER}").status_code == 303
    assert client.get("/").status_code == 200
    assert client.get("/status").status_code == 403
    assert client.get("/api/status").status_code == 403


def test_the_numbers_have_every_field_the_page_shows() -> None:
    client = make_app(status_token=STATUS).test_client()
    data = client.get("/api/status", headers={"Authorization": f"Bearer {STATUS}"}).get_json()
    html = client.get("/status", headers={"Authorization": f"Bearer {STATUS}"}).get_data(as_text=True)
    for path in re.findall(r'data-field="([^"]+)"', html):
        value: Any = data
        for key in path.split("."):
            value = value[key]
        assert value is None or isinstance(value, (int, float, list)), path
    assert data["runs"]["slots"] >= 1 and data["machine"]["memory_total_mb"] > 0


def test_the_script_is_strict_and_writes_text_only() -> None:
    script = (ROOT / "site" / "js-src" / "modules" / "status.js").read_text()
    template = (ROOT / "site" / "templates" / "status.html").read_text()
    # The status bundle is an ES module, which runs in strict mode by itself (base.html).
    assert '{% set page_kind = "status" %}' in template
    assert 'import "../modules/status.js";' in (ROOT / "site" / "js-src" / "pages" / "status.js").read_text()
    assert "textContent" in script
    for unsafe in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert unsafe not in script


def fetch_status(url: str) -> dict[str, Any]:
    request = urllib.request.Request(url + "/api/status", headers={"Authorization": f"Bearer {STATUS}"})
    with urllib.request.urlopen(request, timeout=5) as response:
        return json.load(response)


def wait_for(url: str, test: Any, timeout: float = 15) -> dict[str, Any]:
    """The status numbers, once they pass ``test``."""
    def passing() -> dict[str, Any] | None:
        data = fetch_status(url)
        return data if test(data) else None
    return wait_until(passing, timeout, 0.1, "the status numbers")


@pytest.mark.slow
def test_the_numbers_follow_runs_queue_and_limits() -> None:
    env = {"MPBOOK_CONTENT_DIR": str(FIXTURE_CONTENT), "MPBOOK_STATUS_TOKEN": STATUS, "MPBOOK_MAX_RUNS": "1",
           "MPBOOK_QUEUE_SIZE": "1", "MPBOOK_WALL_SECONDS": "3", "MPBOOK_RUNS_PER_MINUTE": "5"}
    with live_server(env) as url:
        a, b, c = Client(url), Client(url), Client(url)
        try:
            for ws in (a, b, c):
                assert ws.hello is not None and ws.hello["type"] == "hello"
            a.send({"op": "run", "example": "hello", "code": "import time\ntime.sleep(60)\n"})
            assert a.next()["type"] == "started"
            b.send({"op": "run", "example": "hello"})
            assert b.next() == {"type": "queued", "position": 1}
            for expected in ("busy", "busy", "busy", "rate_limited"):  # runs 3 to 6 in this minute
                c.send({"op": "run", "example": "hello"})
                assert c.next()["code"] == expected
            data = fetch_status(url)
            assert data["runs"]["active"] == 1 and data["runs"]["waiting"] == 1
            assert data["connections"]["open"] == 3 and data["connections"]["clients"] == 1
            assert data["limit_hits"]["queue_full"] == 3 and data["limit_hits"]["rate_limited"] == 1
            assert data["machine"]["sandbox_processes"] is None or data["machine"]["sandbox_processes"] >= 1
            data = wait_for(url, lambda d: d["exits"].get("ok") == 1, timeout=20)
            assert data["exits"] == {"timeout": 1, "ok": 1}
            assert data["limit_hits"]["timeout"] == 1
            assert data["runs"]["started"] == 2 and data["runs"]["per_minute"] == 2
            assert data["runs"]["active"] == 0 and data["runs"]["waiting"] == 0
        finally:
            for ws in (a, b, c):
                ws.close()
        data = wait_for(url, lambda d: d["connections"]["open"] == 0)
        assert data["connections"]["open"] == 0


def test_containment_says_what_is_in_force() -> None:
    bare = BasicBackend(None, "bubblewrap is not installed")
    assert containment(bare) == {"backend": "basic", "contained": False, "note": "bubblewrap is not installed",
                                 "cgroup_version": None, "cgroup_controllers": [], "whole_run_limits": False}
    assert containment_lines(bare) == [
        "mpbook: sandbox basic, which does NOT contain programs (loopback only): bubblewrap is not installed",
        "  whole-run limits off: memory and processes are limited per process (rlimits)"]
    grouped = BasicBackend(Cgroups(1, {"pids": Path("/x/pids"), "memory": Path("/x/memory")}), "")
    assert containment_lines(grouped)[1] == "  whole-run limits on: cgroup v1 (memory, pids)"
    pids_only = BasicBackend(Cgroups(1, {"pids": Path("/x/pids")}), "")
    assert containment_lines(pids_only)[1].startswith("  whole-run limits off (cgroup controllers here: pids)")


def test_the_page_and_the_numbers_name_the_sandbox() -> None:
    app = make_app(status_token=STATUS)
    backend = wiring_of(app).backend
    client = app.test_client()
    data = client.get("/api/status", headers={"Authorization": f"Bearer {STATUS}"}).get_json()
    assert data["sandbox"] == containment(backend)
    html = client.get("/status", headers={"Authorization": f"Bearer {STATUS}"}).get_data(as_text=True)
    assert f'<td id="sandbox-backend">{backend.name}' in html
    assert ('<td id="sandbox-limits">on: cgroup' in html) == data["sandbox"]["whole_run_limits"]


def test_the_server_prints_its_containment_when_it_starts() -> None:
    with server_process({"MPBOOK_CONTENT_DIR": str(FIXTURE_CONTENT)}) as served:
        def printed() -> str | None:
            text = served.log.read_text()
            return text if "whole-run limits" in text else None
        log = wait_until(printed, what="the containment lines in the server's output")
    assert re.search(r"^mpbook: sandbox (bwrap|basic)", log, re.M)
    assert re.search(r"^  whole-run limits (on|off)", log, re.M)
