"""One HTTP exchange with Odoo: a total deadline and a maximum answer size.

Socket timeouts alone bound each read, not the call: a server that drips one byte every few
seconds never trips them. So every call runs under a watchdog timer that shuts the socket down
when the call's deadline passes, whatever the socket is doing (connecting, sending, reading the
headers or the body). The body is read in chunks and refused as soon as it passes the cap (or
at once when Content-Length announces more), so an endless or huge answer never sits in memory.

Both protocols (XML-RPC and JSON-2) go through ``wire_exchange``; failures are typed OdooErrors
with one-line messages.
"""
from __future__ import annotations

import http.client
import socket
import ssl
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from odoo.errors import OdooAnswerTooLargeError, OdooTimeoutError, OdooTransientError

CHUNK = 64 * 1024
DEFAULT_MAX_ANSWER_BYTES = 4 * 1024 * 1024


@dataclass(frozen=True)
class WireAnswer:
    status: int
    reason: str
    content_type: str
    body: bytes


class _Watchdog:
    """Shuts a connection's socket down when the deadline passes; ``fired`` says it did."""

    def __init__(self, connection: http.client.HTTPConnection, seconds: float) -> None:
        self.fired = False
        self._connection = connection
        self._timer = threading.Timer(max(seconds, 0.0), self._cut)
        self._timer.daemon = True

    def __enter__(self) -> _Watchdog:
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._timer.cancel()

    def _cut(self) -> None:
        self.fired = True
        # Only shut the socket down: the calling thread, woken in its recv/send, fails with an
        # OSError or HTTPException and closes the connection itself (closing it from here could
        # pull the socket from under a call in progress).
        sock = self._connection.sock
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def wire_exchange(method: str, url: str, *, body: bytes | None = None, headers: dict[str, str] | None = None,
                  deadline: float, max_bytes: int, what: str) -> WireAnswer:
    """Send one request and read the whole answer within ``deadline`` seconds and ``max_bytes``.

    ``what`` names the call in messages ("POST /json/2/product.template/search_read").
    """
    parts = urlsplit(url)
    connection: http.client.HTTPConnection
    if parts.scheme == "https":
        connection = http.client.HTTPSConnection(parts.hostname or "", parts.port, timeout=deadline,
                                                 context=ssl.create_default_context())
    else:
        connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=deadline)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    started = time.monotonic()
    watchdog = _Watchdog(connection, deadline)
    try:
        with watchdog:
            connection.request(method, target or "/", body=body, headers=headers or {})
            response = connection.getresponse()
            data = _read_capped(response, max_bytes=max_bytes, what=what)
        if watchdog.fired:  # the cut may read as a clean end of the body: it is not an answer
            raise OdooTimeoutError(f"Odoo did not answer {what} within {deadline:g} s")
        return WireAnswer(status=response.status, reason=response.reason or "",
                          content_type=response.getheader("Content-Type", "") or "", body=data)
    except (OSError, http.client.HTTPException, ValueError) as exc:
        if watchdog.fired or time.monotonic() - started >= deadline:
            raise OdooTimeoutError(f"Odoo did not answer {what} within {deadline:g} s") from None
        raise OdooTransientError(f"cannot reach Odoo: {describe(exc)}") from None
    finally:
        connection.close()


def _read_capped(response: http.client.HTTPResponse, *, max_bytes: int, what: str) -> bytes:
    declared = response.getheader("Content-Length")
    if declared and declared.strip().isdigit() and int(declared) > max_bytes:
        raise OdooAnswerTooLargeError(f"Odoo's answer to {what} is {int(declared):,} bytes, over "
                                      f"ODOO_MAX_ANSWER_BYTES ({max_bytes:,}); nothing of it was read")
    chunks: list[bytes] = []
    size = 0
    while True:
        chunk = response.read1(CHUNK) if hasattr(response, "read1") else response.read(CHUNK)
        if not chunk:
            if response.length:  # Content-Length promised more than came
                raise http.client.IncompleteRead(b"", response.length)
            return b"".join(chunks)
        size += len(chunk)
        if size > max_bytes:
            raise OdooAnswerTooLargeError(f"Odoo's answer to {what} passed ODOO_MAX_ANSWER_BYTES ({max_bytes:,} "
                                          "bytes); the rest was not read")
        chunks.append(chunk)


def describe(exc: BaseException) -> str:
    """A network failure in a few words (never the request, which may carry the API key)."""
    text = str(exc) or type(exc).__name__
    for needle, phrase in (("refused", "connection refused"), ("reset", "connection reset"),
                           ("timed out", "timed out"), ("RemoteDisconnected", "connection closed by the server"),
                           ("Name or service not known", "host name not found"),
                           ("IncompleteRead", "the answer was cut short")):
        if needle in text or needle in type(exc).__name__:
            return phrase
    return type(exc).__name__
