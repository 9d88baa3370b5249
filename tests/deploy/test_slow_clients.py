"""The production topology: nginx with the shipped site in front of two gunicorn instances started by the
ExecStart of tds-web@.service, on unix sockets. Clients that trickle their headers cost nginx a
connection until client_header_timeout cuts them; gunicorn never sees them, so /api/tds/health keeps
answering at once. Reached directly, a dozen such clients used to hold every gunicorn thread."""
from __future__ import annotations

import re
import select
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
import requests
from django.conf import settings

from tests.deploy import stack
from tests.deploy.stack import Layout

SLOW_CLIENTS = 50
TRICKLE_EVERY = 2.0  # seconds between two header lines of a slow client
HEALTH_BUDGET = 1.0  # seconds: a health check answered later than this counts as stalled


def _site_value(directive: str) -> str:
    [value] = set(re.findall(rf"(?m)^\s+{directive}\s+([^;]+);", stack.SITE.read_text()))
    return value


def _seconds(value: str) -> float:
    match = re.fullmatch(r"(\d+)(s|m)?", value)
    assert match, f"{value!r} is not in seconds or minutes"
    return float(match[1]) * (60 if match[2] == "m" else 1)


def _instances() -> list[int]:
    return [int(n) for n in re.findall(r"server unix:/run/tds/web-(\d+)\.sock", stack.SITE.read_text())]


@dataclass
class Stack:
    layout: Layout
    webs: dict[int, subprocess.Popen] = field(default_factory=dict)


@pytest.fixture(scope="module")
def topology(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    layout = stack.layout_create(tmp_path_factory.mktemp("stack"))
    up = Stack(layout)
    started = []
    try:
        for instance in _instances():
            up.webs[instance] = stack.web_start(layout, instance)
            started.append(up.webs[instance])
        started.append(stack.nginx_start(layout))
        for _ in range(3 * len(up.webs)):  # every worker has loaded Django before anything is timed
            assert _health(layout).status_code == 200
        yield up
    finally:
        for process in reversed(started):
            stack.stop(process)


def _health(layout: Layout) -> requests.Response:
    return requests.get(layout.url("/api/tds/health"), verify=str(layout.cert), timeout=10,
                        headers={"Connection": "close"})


def test_health_answers_through_nginx(topology: Stack) -> None:
    answer = _health(topology.layout)
    assert answer.status_code == 200 and answer.json() == {"status": "healthy"}
    assert len(topology.webs) >= 2


def test_gunicorn_listens_on_its_unix_socket_and_on_no_tcp_port(topology: Stack) -> None:
    listening_tcp = stack.tcp_listening_inodes()
    for instance, process in topology.webs.items():
        tree = stack.process_tree(process.pid)
        assert len(tree) >= 2  # the master and its worker
        inodes = stack.socket_inodes(tree)
        assert not inodes & listening_tcp, f"tds-web@{instance} listens on a TCP port"
        assert str(topology.layout.run_dir / f"web-{instance}.sock") in stack.unix_socket_paths(inodes)


def test_the_webhook_limit_is_the_same_at_nginx_and_in_tds(topology: Stack) -> None:
    limit = settings.TDS_WEBHOOK_MAX_BYTES
    webhook_limits = re.findall(r"location[^{]*webhooks[^{]*\{\s*client_max_body_size (\d+)m;",
                                stack.SITE.read_text())
    assert webhook_limits and {int(m) * 1024 * 1024 for m in webhook_limits} == {limit}
    for path in ("/api/webhooks/zoho", "/api/tds/webhooks/items"):
        at_limit = stack.raw_request(topology.layout, f"POST {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close"
                                                      f"\r\nContent-Type: application/json\r\nContent-Length: {limit}"
                                                      "\r\n\r\n".encode() + b" " * limit)
        # Past nginx: TDS itself answers (no signature), not a 413 from either side.
        assert at_limit.startswith(b"HTTP/1.1 401") and b"Missing webhook signature." in at_limit, at_limit[:300]
        over = stack.raw_request(topology.layout, f"POST {path} HTTP/1.1\r\nHost: localhost\r\n"
                                                  f"Content-Length: {limit + 1}\r\n\r\n".encode())
        assert over.startswith(b"HTTP/1.1 413") and b'"error": "too_large"' in over


class SlowClients:
    """``count`` TLS connections that each send a request line, then one header line every ``every`` s
    and never the blank line that ends the headers; records when the server closed each of them."""

    def __init__(self, layout: Layout, count: int, every: float) -> None:
        self.every, self.stopping = every, threading.Event()
        self.sockets: list[ssl.SSLSocket] = []
        self.received: list[bytes] = [b""] * count
        self.closed_after: list[float | None] = [None] * count
        context = stack.tls_context(layout)
        for _ in range(count):
            plain = socket.create_connection(("127.0.0.1", layout.https_port), timeout=10)
            sock = context.wrap_socket(plain, server_hostname="localhost")
            sock.sendall(b"GET /api/tds/health HTTP/1.1\r\nHost: localhost\r\n")
            sock.setblocking(False)
            self.sockets.append(sock)
        self.opened = time.monotonic()
        self.thread = threading.Thread(target=self._trickle, daemon=True)
        self.thread.start()

    def _trickle(self) -> None:
        tick, next_line = 0, self.opened + self.every
        while not self.stopping.is_set() and None in self.closed_after:
            line = None
            if time.monotonic() >= next_line:
                tick, next_line = tick + 1, next_line + self.every
                line = f"X-Slow-{tick}: still sending\r\n".encode()
            for index, sock in enumerate(self.sockets):
                if self.closed_after[index] is None and self._closed(index, sock, line):
                    self.closed_after[index] = time.monotonic() - self.opened
            self.stopping.wait(0.1)

    def _closed(self, index: int, sock: ssl.SSLSocket, line: bytes | None) -> bool:
        try:
            while select.select([sock], [], [], 0)[0]:
                data = sock.recv(4096)
                if not data:
                    return True
                self.received[index] += data
            if line:
                sock.sendall(line)
        except (ssl.SSLWantReadError, ssl.SSLWantWriteError):
            return False
        except OSError:  # ssl.SSLError included: the connection is gone
            return True
        return False

    def close(self) -> None:
        self.stopping.set()
        self.thread.join(timeout=10)
        for sock in self.sockets:
            sock.close()


@pytest.mark.slow
def test_slow_clients_are_cut_by_nginx_while_health_answers_at_once(topology: Stack) -> None:
    header_timeout = _seconds(_site_value("client_header_timeout"))
    clients = SlowClients(topology.layout, SLOW_CLIENTS, TRICKLE_EVERY)
    try:
        timings = []
        while time.monotonic() - clients.opened < header_timeout - 1.5:
            started = time.monotonic()
            answer = _health(topology.layout)
            timings.append(time.monotonic() - started)
            assert answer.status_code == 200 and answer.json() == {"status": "healthy"}
            time.sleep(0.2)
        assert not any(clients.closed_after), "nginx cut slow clients before client_header_timeout"
        assert len(timings) >= 10 and max(timings) < HEALTH_BUDGET, timings
        clients.thread.join(timeout=header_timeout + 10)
    finally:
        clients.close()
    cut = [after for after in clients.closed_after if after is not None]
    assert len(cut) == SLOW_CLIENTS, f"{SLOW_CLIENTS - len(cut)} slow clients still open"
    assert header_timeout - 1 <= min(cut) and max(cut) <= header_timeout + 5, cut
    assert not any(b"200 OK" in data for data in clients.received)
    assert _health(topology.layout).status_code == 200
