"""gunicorn's access log without secrets.

A webhook token allowed in the query string (ZOHO_WEBHOOK_TOKEN_IN_QUERY) would
otherwise be written to the access log in every request line. Values of query
parameters whose names look secret, and of secret-looking request headers, are
replaced by `[redacted]` before the line is formatted.
"""
from __future__ import annotations

import re
from typing import Any

from gunicorn.glogging import Logger

REDACTED = "[redacted]"
_SECRET_NAME = r"[^=&;\s?]*(?:token|secret|password|signature|api_key|apikey)[^=&;\s]*"
_QUERY_SECRET = re.compile(rf"(?i)(^|[?&;])({_SECRET_NAME})=([^&;\s\"]*)")
_HEADER_SECRET = re.compile(r"(?i)\{[^}]*(?:token|secret|authorization|signature|cookie)[^}]*\}i")


def redact_query(text: str) -> str:
    """`/x?token=abc&page=2` -> `/x?token=[redacted]&page=2`."""
    return _QUERY_SECRET.sub(lambda m: f"{m.group(1)}{m.group(2)}={REDACTED}", text)


class RedactingLogger(Logger):
    def atoms(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> dict[str, Any]:
        atoms = super().atoms(resp, req, environ, request_time)
        for key, value in atoms.items():
            if _HEADER_SECRET.fullmatch(key):
                atoms[key] = REDACTED
            elif isinstance(value, str) and "=" in value:
                atoms[key] = redact_query(value)
        return atoms
