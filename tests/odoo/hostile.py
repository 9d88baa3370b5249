"""A hostile Odoo on loopback: a proxy in front of the fake Odoo that answers chosen calls badly.

Every call is forwarded to the fake (so the rest of the conversation is Odoo's) unless a rule
names it: then the proxy drips the answer a byte at a time, sends an endless or huge body, or
answers a value of the wrong shape in the call's own protocol (JSON-2 or XML-RPC).
"""
from __future__ import annotations

import http.client
import json
import threading
import time
import xmlrpc.client
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

MB = 1024 * 1024


@dataclass
class Drip:
    every: float = 3.0  # one byte every `every` seconds, for ever
    body: bool = False  # the headers at once, then the body drips (else the headers drip)


@dataclass
class Huge:
    size: int = 200 * MB
    declared: bool = False  # send Content-Length (else a body that just keeps coming)


@dataclass
class Value:
    value: Any  # answered as the call's result, in the call's protocol


@dataclass
class HostileOdoo:
    upstream: str
    rules: dict[str, Drip | Huge | Value] = field(default_factory=dict)  # "model.method" or "GET /web/version"
    seen: list[str] = field(default_factory=list)

    def start(self) -> HostileOdoo:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True
        self._stopping = threading.Event()
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def stop(self) -> None:
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()


def call_name(method: str, path: str, body: bytes) -> tuple[str, str]:
    """("model.method" or "service.method" or "GET /path", protocol)."""
    if path.startswith("/json/2/"):
        model, name = path[len("/json/2/"):].split("/", 1)
        return f"{model}.{name}", "json"
    if path.startswith("/xmlrpc/2/"):
        params, name = xmlrpc.client.loads(body, use_builtin_types=True)
        if name == "execute_kw":
            return f"{params[3]}.{params[4]}", "xmlrpc"
        return f"{path.rsplit('/', 1)[-1]}.{name}", "xmlrpc"
    return f"{method} {path}", "json"


def _handler(proxy: HostileOdoo) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            self._serve("GET", b"")

        def do_POST(self) -> None:
            self._serve("POST", self.rfile.read(int(self.headers.get("Content-Length") or 0)))

        def _serve(self, method: str, body: bytes) -> None:
            name, protocol = call_name(method, self.path, body)
            proxy.seen.append(name)
            rule = proxy.rules.get(name)
            try:
                if isinstance(rule, Drip):
                    self._drip(rule)
                elif isinstance(rule, Huge):
                    self._huge(rule)
                elif isinstance(rule, Value):
                    self._value(rule.value, protocol)
                else:
                    self._forward(method, body)
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True

        def _drip(self, rule: Drip) -> None:
            line = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Slow: " + b"a" * 100000
            if rule.body:
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", "100000")
                self.end_headers()
                self.wfile.flush()
                line = b" " * 100000
            for byte in line:
                if proxy._stopping.wait(rule.every):
                    return
                self.wfile.write(bytes([byte]))
                self.wfile.flush()

        def _huge(self, rule: Huge) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            if rule.declared:
                self.send_header("Content-Length", str(rule.size))
            else:
                self.send_header("Connection", "close")
            self.end_headers()
            chunk = b"[" + b"1," * (MB // 2 - 1)
            sent = 0
            while sent < rule.size and not proxy._stopping.is_set():
                self.wfile.write(chunk)
                sent += len(chunk)
            self.close_connection = True

        def _value(self, value: Any, protocol: str) -> None:
            if protocol == "xmlrpc":
                data = xmlrpc.client.dumps((value,), methodresponse=True, allow_none=True).encode()
                kind = "text/xml"
            else:
                data, kind = json.dumps(value).encode(), "application/json"
            self._reply(200, kind, data)

        def _forward(self, method: str, body: bytes) -> None:
            up = urlsplit(proxy.upstream)
            conn = http.client.HTTPConnection(up.hostname or "", up.port, timeout=30)
            headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")}
            conn.request(method, self.path, body=body or None, headers=headers)
            answer = conn.getresponse()
            data = answer.read()
            self._reply(answer.status, answer.getheader("Content-Type", "application/json"), data)
            conn.close()

        def _reply(self, status: int, kind: str, data: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return Handler


def wait_for(predicate: Any, seconds: float = 30.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False
