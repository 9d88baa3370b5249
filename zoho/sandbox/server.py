"""SandboxServer: the sandbox app on a threaded HTTP/1.1 (keep-alive) server on loopback."""
from __future__ import annotations

import dataclasses
import logging
import socket
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote

import requests

from zoho.sandbox.app import SandboxApp
from zoho.sandbox.config import SandboxConfig
from zoho.sandbox.private import PrivateApi
from zoho.sandbox.webhooks import ENTITIES, build_delivery, post_delivery

access_log = logging.getLogger("zoho.sandbox")


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def setup(self) -> None:
        super().setup()
        # Headers and body go out as two writes; without NODELAY small answers wait ~40 ms for
        # the client's delayed ACK (Nagle), which would dominate every small call.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        path, _, query = self.path.partition("?")
        headers = {key.title(): value for key, value in self.headers.items()}
        response = self.server.app.handle(self.command, unquote(path), query, headers, body)
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(response.body)))
        for key, value in response.headers or []:
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(response.body)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _serve

    def log_message(self, format: str, *args: Any) -> None:  # stdlib signature
        """Access lines go to the `zoho.sandbox` logger at DEBUG, not stderr: tests and benchmarks would drown."""
        if access_log.isEnabledFor(logging.DEBUG):  # the serve loop is a benchmark's hot path
            access_log.debug("%s %s", self.address_string(), format % args)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    request_queue_size = 128
    app: SandboxApp

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that gave up (the timeouts fault) is not an error of the sandbox; anything
        # else is a sandbox bug and must show, not look like a dropped connection.
        if isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            return
        super().handle_error(request, client_address)


class SandboxServer:
    """`with SandboxServer(cfg) as sb:` serves on 127.0.0.1 (a free port unless cfg.port is set)."""

    def __init__(self, config: SandboxConfig | None = None, **overrides: Any) -> None:
        config = config or SandboxConfig()
        self.config = dataclasses.replace(config, **overrides) if overrides else config
        self.app = SandboxApp(self.config)
        self.app.private = PrivateApi(self)
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None
        self._stop_warming = threading.Event()

    @property
    def url(self) -> str:
        return self.app.base_url

    @property
    def store(self) -> Any:
        return self.app.store

    @property
    def calls(self) -> Any:
        return self.app.calls

    def start(self) -> SandboxServer:
        self._httpd = _Server((self.config.host, self.config.port), _Handler)
        self._httpd.app = self.app
        host, port = self._httpd.server_address[:2]
        host = host.decode() if isinstance(host, bytes) else host
        self.app.base_url = f"http://{host}:{port}"
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.1},
                                        name="zoho-sandbox", daemon=True)
        self._thread.start()
        self._stop_warming.clear()
        threading.Thread(target=self.store.warm, args=(self._stop_warming,), name="zoho-sandbox-warm",
                         daemon=True).start()
        return self

    def stop(self) -> None:
        self._stop_warming.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def serve_forever(self) -> None:
        """Foreground serving (the management command); returns when stop() is called."""
        if self._thread is not None:
            self._thread.join()

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def info(self) -> dict[str, Any]:
        return {"url": self.url, "organization_id": self.config.organization_id,
                "counts": {entity: len(rows) for entity, rows in self.store.records.items()},
                "stock_shape": self.config.stock_shape, "faults": self.config.faults}

    def send_webhook(self, url: str, entity: str, record_id: str, *, secret: str = "", fmt: str = "json",
                     token: str | None = None, session: requests.Session | None = None) -> int:
        """POST one signed Zoho-shaped delivery for a record; returns the receiver's HTTP status."""
        record = self.store.detail(ENTITIES.get(entity, entity), record_id)
        if record is None:
            raise KeyError(f"{entity} {record_id} does not exist")
        body, headers, params = build_delivery(entity, record, secret=secret, fmt=fmt, token=token)
        return post_delivery(url, body, headers, params, session=session).status_code
