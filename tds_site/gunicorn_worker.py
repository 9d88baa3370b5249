"""gunicorn's own error answers as JSON under /api/.

gunicorn refuses some requests before Django ever sees them: a request line over
`limit_request_line` (414), too many or too large headers (431), a malformed request line,
method, version or header (400). `Worker.handle_error` decides status, reason and message and
writes them with `gunicorn.util.write_error` as a small HTML page, in one method, with no
setting or hook to change the body. So this worker (gthread, as before) overrides
`handle_error`: it lets gunicorn's own method run, unchanged (logging, access log, the mapping
of each parse error to its status), against a stand-in for the client socket that keeps the
bytes, and then sends the same status and message to the client as JSON,
``{"error": "uri_too_long", "message": "...", "status": "error"}``, like every other /api/ error.

Which answers become JSON: every one, unless gunicorn hands its error handler a path outside
/api/ (a request whose Content-Length or Transfer-Encoding it refuses, for instance), which
keeps gunicorn's page. For most parse errors gunicorn passes no path (an over-long or malformed
request line has none; a bad header is refused before the request object exists): JSON is
then the right guess, since a caller that sends such a request is a program, and the programs
that talk to TDS talk to /api/; a browser on the dashboard reads a one-line JSON error too.

Raising the limits instead so that Django answers was not an option: gunicorn caps the request
line at 8190 bytes whatever the setting, and a malformed request never reaches Django. In
production nginx answers most of these itself (its own JSON errors under /api/, deploy/);
this covers gunicorn when it is reached directly or nginx lets such a request through.
"""
from __future__ import annotations

import html
import json
import re
from typing import Any

from gunicorn import util
from gunicorn.workers.gthread import ThreadWorker

API_PREFIX = "/api/"
_STATUS_LINE = re.compile(rb"^HTTP/1\.[01] (\d{3}) ([^\r\n]*)\r\n")
_PAGE_MESSAGE = re.compile(rb"</h1>\s*(.*?)\s*</body>", re.S)
CODES = {400: "bad_request", 403: "forbidden", 414: "uri_too_long", 417: "expectation_failed",
         431: "headers_too_large", 500: "server_error", 501: "not_implemented"}


class JsonErrorsWorker(ThreadWorker):
    """gunicorn's gthread worker whose own error answers are JSON under /api/ (see the module docstring)."""

    def handle_error(self, req: Any, client: Any, addr: Any, exc: BaseException) -> None:
        if not wants_json(request_path(req, exc)):
            super().handle_error(req, client, addr, exc)
            return
        page = _KeptBytes()
        super().handle_error(req, page, addr, exc)
        answer = json_answer(bytes(page.data))
        if answer is None:  # not the page gunicorn writes: send it as it was
            answer = bytes(page.data)
        try:
            util.write_nonblock(client, answer)
        except Exception:  # the client is gone; gunicorn ignores this too
            self.log.debug("Failed to send error message.")


def request_path(req: Any, exc: BaseException) -> str | None:
    """The path gunicorn read for this request, when it got that far."""
    for source in (req, getattr(exc, "req", None)):
        path = getattr(source, "path", None)
        if isinstance(path, str) and path:
            return path
    return None


def wants_json(path: str | None) -> bool:
    return path is None or path.startswith(API_PREFIX) or path == API_PREFIX.rstrip("/")


def json_answer(page: bytes) -> bytes | None:
    """gunicorn's HTML error answer as the same status with a JSON body; None when it is not one."""
    status = _STATUS_LINE.match(page)
    if status is None:
        return None
    code, reason = int(status.group(1)), status.group(2).decode("latin-1")
    found = _PAGE_MESSAGE.search(page)
    message = html.unescape(found.group(1).decode("latin-1")).strip() if found else ""
    body = json.dumps({"error": CODES.get(code, "bad_request" if code < 500 else "server_error"),
                       "message": message or f"{reason}.", "status": "error"}).encode()
    head = (f"HTTP/1.1 {code} {reason}\r\nConnection: close\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n")
    return head.encode("latin-1") + body


class _KeptBytes:
    """What gunicorn's write_error needs of a socket, keeping what it is given."""

    def __init__(self) -> None:
        self.data = bytearray()

    def gettimeout(self) -> float:
        return 0.0

    def setblocking(self, flag: bool) -> None:
        """Kept bytes are never blocking or not: gunicorn calls this before writing, nothing to change."""

    def sendall(self, data: bytes) -> None:
        self.data += data

    def send(self, data: bytes) -> int:
        self.data += data
        return len(data)
