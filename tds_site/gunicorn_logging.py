"""gunicorn's access log without secrets.

A webhook token allowed in the query string (ZOHO_WEBHOOK_TOKEN_IN_QUERY), or any key a client puts
in a URL, would otherwise be written to the access log in every request line. Values of query
parameters whose names look secret, and of secret-looking request and response headers and environ
variables, are replaced by `[redacted]` before the line is formatted; which names are secret, and how
a name is decoded first, is tds_site/redaction.py.
"""
from __future__ import annotations

import re
from typing import Any

from gunicorn.glogging import Logger

from tds_site.redaction import REDACTED, redact_query, secret_name

__all__ = ["REDACTED", "RedactingLogger", "redact_query"]
# gunicorn's atoms for a header or environ variable: {name}i, {name}o, {name}e.
_BRACED = re.compile(r"\{(?P<name>[^}]*)\}[ioe]")


class RedactingLogger(Logger):
    def atoms(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> dict[str, Any]:
        atoms = super().atoms(resp, req, environ, request_time)
        for key, value in atoms.items():
            braced = _BRACED.fullmatch(key)
            if braced and secret_name(braced.group("name")):
                atoms[key] = REDACTED
            elif isinstance(value, str) and "=" in value:
                atoms[key] = redact_query(value)
        return atoms
