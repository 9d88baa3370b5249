"""FakeOdooServer: the fake Odoo app on a threaded HTTP/1.1 server on loopback."""
from __future__ import annotations

import dataclasses
import logging
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from odoo.fake.app import SERVICE_UNAVAILABLE, ConnectionReset, FakeOdooApp, _ServiceUnavailable
from odoo.fake.config import FakeConfig

access_log = logging.getLogger("odoo.fake")


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def setup(self) -> None:
        super().setup()
        # Without NODELAY small answers wait for the client's delayed ACK (Nagle): ~40 ms a call.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        headers = {key.title(): value for key, value in self.headers.items()}
        try:
            response = self.server.app.handle(self.command, self.path.partition("?")[0], headers, body)
        except ConnectionReset:
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        except _ServiceUnavailable:
            response = SERVICE_UNAVAILABLE
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(response.body)))
        for name, value in response.headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(response.body)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _serve

    def log_message(self, format: str, *args: Any) -> None:  # stdlib signature
        """Access lines go to the `odoo.fake` logger at DEBUG: tests and benchmarks would drown."""
        if access_log.isEnabledFor(logging.DEBUG):
            access_log.debug("%s %s", self.address_string(), format % args)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    request_queue_size = 128
    app: FakeOdooApp

    def handle_error(self, request: Any, client_address: Any) -> None:
        import sys

        if isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError, OSError)):
            return  # a client that went away is not a fault of the fake
        super().handle_error(request, client_address)


class FakeOdooServer:
    """`with FakeOdooServer(FakeConfig(version=19)) as odoo:` serves on 127.0.0.1 (free port by default)."""

    def __init__(self, config: FakeConfig | None = None, **overrides: Any) -> None:
        config = config or FakeConfig()
        self.config = dataclasses.replace(config, **overrides) if overrides else config
        self.app = FakeOdooApp(self.config)
        self.url = ""
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def db(self) -> Any:
        return self.app.db

    def start(self) -> FakeOdooServer:
        self._httpd = _Server((self.config.host, self.config.port), _Handler)
        self._httpd.app = self.app
        host, port = self._httpd.server_address[:2]
        host = host.decode() if isinstance(host, bytes) else host
        self.url = f"http://{host}:{port}"
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.1},
                                        name="odoo-fake", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self) -> FakeOdooServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def products(self, *, active_test: bool = False) -> list[dict[str, Any]]:
        """Every product.template as the API reads it (archived too unless active_test)."""
        ids = self.db.search("product.template", [], context={"active_test": active_test})
        return self.db.read("product.template", ids)
