"""A hall: docs/nginx.conf in front of two mpbook instances on loopback, one stopped mid-event."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack
from http.client import HTTPConnection
from pathlib import Path
from typing import Any

import pytest
from websockets.exceptions import ConnectionClosed

from helpers import FIXTURE_CONTENT, ROOT, Client, answers, free_port, live_server, wait_until

NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if os.access("/usr/sbin/nginx", os.X_OK) else None)
TOKEN = "hall-token-for-the-test"
STATUS = "hall-status-token"
TICKS = "import time\nfor i in range(16):\n    print('tick', i, flush=True)\n    time.sleep(0.5)\n"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(NGINX is None, reason="nginx is not installed; `make browser-deps` installs it as root "
                                             "(apt-get install nginx)"),
]


def nginx_config(directory: Path, listen: int, upstreams: list[str]) -> Path:
    """docs/nginx.conf with the test's addresses, inside a main config that keeps everything in ``directory``."""
    site = (ROOT / "docs" / "nginx.conf").read_text()
    servers = "".join(f"    server {address} max_fails=1 fail_timeout=10s;\n" for address in upstreams)
    site, count = re.subn(r"(?m)^    server 127\.0\.0\.1:800\d [^\n]*\n", "", site)
    assert count == 2, "docs/nginx.conf no longer has the two example upstream lines this test replaces"
    site = site.replace("    least_conn;\n", "    least_conn;\n" + servers)
    site, count = re.subn(r"(?m)^    listen 8080;", f"    listen 127.0.0.1:{listen};", site)
    assert count == 1
    (directory / "mpbook.conf").write_text(site)
    main = directory / "nginx.conf"
    temp_paths = "".join(f"    {kind}_temp_path {directory / kind};\n"
                         for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    main.write_text(
        f"worker_processes 1;\nerror_log {directory / 'error.log'} notice;\npid {directory / 'nginx.pid'};\n"
        f"events {{ worker_connections 1024; }}\n"
        f"http {{\n    access_log off;\n{temp_paths}    include {directory / 'mpbook.conf'};\n}}\n"
    )
    return main


@pytest.fixture
def hall() -> Iterator[tuple[str, list[str], ExitStack, ExitStack]]:
    """nginx on a free loopback port before two instances; yields its URL, theirs, and their stoppers."""
    env = {"MPBOOK_CONTENT_DIR": str(FIXTURE_CONTENT), "MPBOOK_TOKEN": TOKEN, "MPBOOK_STATUS_TOKEN": STATUS,
           "MPBOOK_PROXY_HOPS": "1", "MPBOOK_MAX_RUNS": "4", "MPBOOK_WALL_SECONDS": "12"}
    with ExitStack() as first, ExitStack() as second, tempfile.TemporaryDirectory(prefix="mpbook-nginx-") as tmp:
        instances = [first.enter_context(live_server(env)), second.enter_context(live_server(env))]
        directory = Path(tmp)
        directory.chmod(0o755)  # nginx's workers drop root and must reach their temp paths
        port = free_port()
        config = nginx_config(directory, port, [url.removeprefix("http://") for url in instances])
        assert NGINX is not None
        checked = subprocess.run([NGINX, "-t", "-p", tmp, "-c", str(config)], capture_output=True, text=True)
        assert checked.returncode == 0, checked.stderr
        nginx = subprocess.Popen([NGINX, "-p", tmp, "-c", str(config), "-g", "daemon off;"],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        url = f"http://127.0.0.1:{port}"
        try:
            def up() -> bool:
                assert nginx.poll() is None, nginx.stderr.read().decode() if nginx.stderr else ""
                return answers(url)
            wait_until(up, 10, 0.1, "nginx answering")
            yield url, instances, first, second
        finally:
            nginx.send_signal(signal.SIGQUIT)  # graceful: finishes open connections, then exits
            try:
                nginx.wait(10)
            except subprocess.TimeoutExpired:
                nginx.kill()
                nginx.wait(5)


def join(url: str) -> str:
    """Follow the join link through nginx; the access cookie, as a Cookie header."""
    connection = HTTPConnection(url.removeprefix("http://"), timeout=10)
    connection.request("GET", f"/lessons/first?token={TOKEN}")
    response = connection.getresponse()
    assert response.status == 303 and response.getheader("Location") == "/lessons/first"
    cookie = (response.getheader("Set-Cookie") or "").split(";")[0]
    connection.close()
    return cookie


class Reader(Client):
    """One reader's page: a WebSocket through nginx, sent from the page's origin with the access cookie."""

    def __init__(self, url: str, cookie: str, forged_address: str) -> None:
        # A forged X-Forwarded-For: nginx appends the real address, and mpbook trusts only that one.
        super().__init__(url, origin=url, headers={"Cookie": cookie, "X-Forwarded-For": forged_address})
        assert self.hello is not None and self.hello["type"] == "hello"

    def start(self, **fields: Any) -> None:
        self.send({"op": "run", **fields})


def status(instance: str) -> dict[str, Any]:
    request = urllib.request.Request(instance + "/api/status", headers={"Authorization": f"Bearer {STATUS}"})
    with urllib.request.urlopen(request, timeout=5) as response:
        return json.load(response)


def output(frames: list[dict[str, Any]]) -> str:
    return "".join(f["data"] for f in frames if f["type"] == "output" and f["stream"] == "stdout")


def left_by_dead_servers() -> set[Path]:
    """Run cgroups and runtime dirs whose server process is gone (names carry its pid)."""
    found = set()
    runtime_dirs = Path(tempfile.gettempdir()).glob("mpbook-runtime-*-*")
    for path in [*Path("/sys/fs/cgroup").glob("*/mpbook/sandbox-*-*"), *runtime_dirs]:
        owner = path.name.split("-")[-2] if path.name.startswith("mpbook-runtime-") else path.name.split("-")[1]
        if owner.isdigit() and not Path(f"/proc/{owner}").exists():
            found.add(path)
    return found


def test_pages_and_runs_go_through_nginx(hall: tuple[str, list[str], ExitStack, ExitStack]) -> None:
    url, instances, _, _ = hall
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(url + "/", timeout=5)
    assert refused.value.code == 403
    cookie = join(url)
    page = urllib.request.Request(url + "/lessons/first", headers={"Cookie": cookie})
    with urllib.request.urlopen(page, timeout=5) as response:
        assert response.status == 200 and "<html" in response.read().decode()
    readers = [Reader(url, cookie, f"198.51.100.{i}") for i in range(4)]
    try:
        for reader in readers:
            frames = reader.run(example="hello")
            assert frames[-1]["reason"] == "ok" and output(frames) == "hello <b>world</b>\n"
        counts = [status(instance)["connections"] for instance in instances]
        # least_conn spreads the sockets; each instance sees one address, the real one, not the forged ones.
        assert [c["open"] for c in counts] == [2, 2]
        assert [c["clients"] for c in counts] == [1, 1]
    finally:
        for reader in readers:
            reader.close()


def test_an_instance_stopped_mid_event(hall: tuple[str, list[str], ExitStack, ExitStack]) -> None:
    url, instances, first, _ = hall
    cookie = join(url)
    stale_before = left_by_dead_servers()
    readers = [Reader(url, cookie, "203.0.113.1") for _ in range(6)]
    try:
        assert [status(instance)["connections"]["open"] for instance in instances] == [3, 3]
        for reader in readers:
            reader.start(example="hello", code=TICKS)
        for reader in readers:
            frames = [reader.next()]
            while "\n" not in output(frames):  # a line may come in two pieces on a busy machine
                frames.append(reader.next())
            assert frames[0]["type"] == "started" and output(frames) == "tick 0\n", frames
        first.close()  # SIGTERM to the first instance, while every reader's program is running
        survivors, dropped = [], []
        for reader in readers:
            try:
                frames = reader.until_exit(timeout=30)
            except ConnectionClosed as closed:
                assert closed.rcvd is not None and closed.rcvd.code == 1012  # service restart
                dropped.append(reader)
                continue
            if frames[-1]["reason"] == "ok":
                assert output(frames) == "".join(f"tick {i}\n" for i in range(1, 16))
                survivors.append(reader)
            else:  # on the stopped instance: its run ended first, then the socket closes
                with pytest.raises(ConnectionClosed):
                    reader.next(timeout=10)
                dropped.append(reader)
        assert len(survivors) == 3 and len(dropped) == 3
        for reader in survivors:
            assert reader.run(example="hello")[-1]["reason"] == "ok"
        for reader in dropped:
            reader.close()
            # The page reconnects through nginx, which sends it to the instance still up.
            again = Reader(url, cookie, "203.0.113.1")
            readers.append(again)
            assert output(again.run(example="hello")) == "hello <b>world</b>\n"
        assert status(instances[1])["connections"]["open"] == 6
        # The stopped instance ended its runs and removed their cgroups and its runtime dir.
        assert left_by_dead_servers() - stale_before == set()
    finally:
        for reader in readers:
            try:
                reader.close()
            except Exception:
                pass
