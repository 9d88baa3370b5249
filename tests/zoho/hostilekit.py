"""A hostile Zoho for the host allow-list tests, over real HTTP.

- `Recorder`: an HTTP server on 127.0.0.2 (loopback, but off every allow-list) that records
  whatever reaches it and answers like a Zoho would (a JSON envelope, or a PNG under /image),
  so a leak would look like success to a careless client.
- `HostileZoho`: a reverse proxy on 127.0.0.1 in front of the real sandbox that rewrites the
  token answer's `api_domain` and can answer API calls with a redirect to any Location.
- `CORPUS`: URL-parser confusions aimed at the recorder, written with `{R}` (the recorder's
  port), `{A}` (the proxy's host:port) and `{AP}` (the proxy's port).
"""
from __future__ import annotations

import io
import json
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import requests
from PIL import Image

OFF_LIST_HOST = "127.0.0.2"


@dataclass(frozen=True)
class Variant:
    id: str
    template: str
    leaks: bool = False  # a plain requests session sends the request to the recorder

    def url(self, recorder_port: int, allowed: str) -> str:
        """The variant aimed at the recorder's port, with `allowed` (host:port) as the decoy."""
        return self.template.format(R=recorder_port, A=allowed, AP=allowed.rsplit(":", 1)[1])


CORPUS = [
    # the reported one: urlsplit sees userinfo and 127.0.0.1, urllib3 a path after 127.0.0.2
    Variant("backslash-userinfo", "http://127.0.0.2:{R}\\@{A}", leaks=True),
    Variant("double-backslash-userinfo", "http://127.0.0.2:{R}\\\\@{A}", leaks=True),
    Variant("backslash-dot", "http://127.0.0.2:{R}\\.{A}", leaks=True),
    Variant("plain-off-list", "http://127.0.0.2:{R}", leaks=True),
    Variant("userinfo-allowed-name", "http://{A}@127.0.0.2:{R}", leaks=True),
    Variant("userinfo-with-password", "http://127.0.0.1:{AP}:pw@127.0.0.2:{R}", leaks=True),
    Variant("userinfo-off-list", "http://127.0.0.2:{R}@{A}"),
    Variant("encoded-slash-userinfo", "http://127.0.0.2:{R}%2f@{A}"),
    Variant("encoded-slash-then-off-list", "http://{A}%2f@127.0.0.2:{R}", leaks=True),
    Variant("encoded-backslash-userinfo", "http://127.0.0.2:{R}%5c@{A}"),
    Variant("hash-at-off-list-first", "http://127.0.0.2:{R}#@{A}", leaks=True),
    Variant("hash-at-allowed-first", "http://{A}#@127.0.0.2:{R}"),
    Variant("query-at", "http://{A}?@127.0.0.2:{R}"),
    Variant("space-amp-hash", "http://127.0.0.2:{R} &@{A}# @{A}"),
    Variant("ipv4-mapped-ipv6", "http://[::ffff:127.0.0.2]:{R}", leaks=True),
    Variant("ipv4-mapped-ipv6-hex", "http://[::ffff:7f00:2]:{R}", leaks=True),
    Variant("ipv4-mapped-ipv6-long", "http://[0:0:0:0:0:ffff:127.0.0.2]:{R}", leaks=True),
    Variant("ipv4-compatible-ipv6", "http://[::127.0.0.2]:{R}"),
    Variant("ipv6-zone", "http://[::1%25lo]:{AP}"),
    Variant("ipv6-long-loopback", "http://[0:0:0:0:0:0:0:1]:{AP}"),
    Variant("ipv6-mapped-backslash", "http://[::ffff:127.0.0.2]:{R}\\@{A}", leaks=True),
    Variant("decimal-ipv4", "http://2130706434:{R}", leaks=True),
    Variant("hex-ipv4", "http://0x7f000002:{R}", leaks=True),
    Variant("hex-first-octet", "http://0x7f.0.0.2:{R}", leaks=True),
    Variant("octal-ipv4", "http://0177.0.0.2:{R}", leaks=True),
    Variant("octal-whole", "http://017700000002:{R}", leaks=True),
    Variant("short-ipv4", "http://127.2:{R}", leaks=True),
    Variant("short-ipv4-three", "http://127.0.2:{R}", leaks=True),
    Variant("zero-padded-ipv4", "http://127.000.000.002:{R}", leaks=True),
    Variant("zero-address", "http://0:{AP}"),
    Variant("trailing-dot-off-list", "http://127.0.0.2.:{R}"),
    Variant("trailing-dot-localhost", "http://localhost.:{AP}"),
    Variant("trailing-dot-loopback", "http://127.0.0.1.:{AP}"),
    Variant("mixed-case-scheme-off-list", "HtTp://127.0.0.2:{R}", leaks=True),
    Variant("ideographic-dots", "http://127\u30020\u30020\u30022:{R}"),
    Variant("fullwidth-dots", "http://127\uff0e0\uff0e0\uff0e2:{R}"),
    Variant("halfwidth-dots", "http://127\uff610\uff610\uff612:{R}"),
    Variant("fullwidth-digits", "http://\uff11\uff12\uff17.0.0.2:{R}"),
    Variant("fullwidth-colon", "http://127.0.0.2\uff1a{R}"),
    Variant("fullwidth-letter-localhost", "http://loc\uff41lhost:{AP}"),
    Variant("circled-letter-localhost", "http://\u24dbocalhost:{AP}"),
    Variant("percent-encoded-digit", "http://127.0.0.%32:{R}", leaks=True),
    Variant("percent-encoded-dots", "http://127%2e0%2e0%2e2:{R}", leaks=True),
    Variant("percent-encoded-trailing-dot", "http://127.0.0.2%2e:{R}"),
    Variant("tab-in-host", "http://127.0.0.2:{R}\t@{A}"),
    Variant("newline-in-host", "http://127.0.0.2:{R}\n@{A}"),
    Variant("nul-in-host", "http://127.0.0.2:{R}\x00@{A}"),
    Variant("del-in-host", "http://127.0.0.2:{R}\x7f@{A}"),
    Variant("leading-space", " http://127.0.0.2:{R}", leaks=True),
    Variant("scheme-relative", "//127.0.0.2:{R}"),
    Variant("scheme-without-slashes", "http:127.0.0.2:{R}"),
    Variant("backslash-scheme-relative", "\\\\127.0.0.2:{R}"),
    Variant("slash-backslash", "/\\127.0.0.2:{R}"),
    Variant("other-scheme", "ftp://127.0.0.2:{R}"),
    Variant("double-port", "http://127.0.0.2:{R}:{AP}"),
    Variant("zero-padded-port", "http://127.0.0.2:0{R}", leaks=True),
]


class _Recording(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _RecordingServer

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        self.server.requests.append({"method": self.command, "path": self.path, "headers": dict(self.headers)})
        if "/image" in self.path:
            body, content_type = foreign_png(), "image/png"
        else:
            body, content_type = json.dumps({"code": 0, "message": "success", "items": [], "organizations": [],
                                             "access_token": "stolen", "api_domain": ""}).encode(), "application/json"
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _answer

    def log_message(self, format: str, *args: Any) -> None:  # stdlib signature
        pass


class _RecordingServer(ThreadingHTTPServer):
    daemon_threads = True
    requests: list[dict[str, Any]]


class Recorder:
    """`with Recorder() as rec:` listens on 127.0.0.2; `rec.requests` is everything that arrived."""

    def __init__(self, host: str = OFF_LIST_HOST) -> None:
        self._httpd = _RecordingServer((host, 0), _Recording)
        self._httpd.requests = []
        self.port = self._httpd.server_address[1]
        self.url = f"http://{host}:{self.port}"

    @property
    def requests(self) -> list[dict[str, Any]]:
        return self._httpd.requests

    def __enter__(self) -> Recorder:
        threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


def foreign_png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 40), (255, 0, 0)).save(buffer, format="PNG")
    return buffer.getvalue()


class _Proxying(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _ProxyServer

    def _relay(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        hostile = self.server.hostile
        hostile.seen.append({"method": self.command, "path": self.path, "headers": dict(self.headers)})
        if hostile.redirect_to is not None and hostile.redirect_matches(self.path):
            self._raw_redirect(hostile.redirect_to)
            return
        headers = {k: v for k, v in self.headers.items() if k.lower() in ("authorization", "content-type")}
        upstream = hostile.upstream.request(self.command, hostile.sandbox_url + self.path, headers=headers,
                                            data=body, timeout=10, allow_redirects=False)
        answer = upstream.content
        if self.path.startswith("/oauth/v2/token") and upstream.status_code == 200:
            answer = json.dumps({**upstream.json(), "api_domain": hostile.api_domain}).encode()
        self.send_response(upstream.status_code)
        for key in ("Content-Type", "X-Rate-Limit-Limit", "X-Rate-Limit-Remaining", "X-Rate-Limit-Reset"):
            if key in upstream.headers:
                self.send_header(key, upstream.headers[key])
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def _raw_redirect(self, location: str) -> None:
        # Written by hand: http.server would refuse the odd bytes a hostile server is free to send.
        self.close_connection = True
        self.wfile.write(b"HTTP/1.1 302 Found\r\nLocation: " + location.encode("utf-8", "surrogateescape")
                         + b"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")

    do_GET = do_POST = _relay

    def log_message(self, format: str, *args: Any) -> None:  # stdlib signature
        pass


class _ProxyServer(ThreadingHTTPServer):
    daemon_threads = True
    hostile: HostileZoho


class HostileZoho:
    """A reverse proxy on 127.0.0.1 in front of `sandbox_url` that lies where told to.

    `api_domain` replaces the token answer's (default: the proxy itself, so the flow works);
    `redirect_to` answers every API path matching `redirect_path` with a 302 to it.
    """

    def __init__(self, sandbox_url: str) -> None:
        self.sandbox_url = sandbox_url
        self._httpd = _ProxyServer(("127.0.0.1", 0), _Proxying)
        self._httpd.hostile = self
        self.port = self._httpd.server_address[1]
        self.authority = f"127.0.0.1:{self.port}"
        self.url = f"http://{self.authority}"
        self.upstream = requests.Session()
        self.seen: list[dict[str, Any]] = []
        self.reset()

    def reset(self) -> None:
        self.api_domain: str = self.url
        self.redirect_to: str | None = None
        self.redirect_path = "/inventory/v1/"
        self.seen.clear()

    def redirect_matches(self, path: str) -> bool:
        return path.startswith(self.redirect_path)

    def __enter__(self) -> HostileZoho:
        threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self.upstream.close()
