"""Secrets out of logged URLs: the one list of secret-looking names, and the redaction of their values.

Used by gunicorn's access log (tds_site/gunicorn_logging.py) and by the development server's log
(the ``redact_urls`` filter of the ``django.server`` logger in settings.LOGGING): a webhook token allowed
in the query string (ZOHO_WEBHOOK_TOKEN_IN_QUERY), or any key a client puts in a URL, must not reach a
log file.

A name is judged as the server would read it and then some: percent- and plus-decoded (repeatedly, so
``%2574oken`` counts too), lower-cased, trimmed, with ``-``, ``.`` and spaces read as ``_``. So
``?%74oken=``, ``?TOKEN=``, ``?to%6Ben=``, ``?token+=`` and ``?x-api-key=`` are all secret. Parameters
after ``?``, ``&``, ``;`` and ``#`` (a fragment sent by a careless client) are looked at, every repeat
of a name is redacted, and a value that itself carries a secret parameter (``?next=/x%3Ftoken%3Dabc``)
is redacted whole. Redacting too much costs a log reader a value; too little leaks a key.
"""
from __future__ import annotations

import logging
import re
from urllib.parse import unquote_plus

REDACTED = "[redacted]"
# A normalised name containing one of these is secret ...
SECRET_NAME_PARTS = ("token", "secret", "passw", "signature", "apikey", "api_key", "private_key", "access_key",
                     "credential", "authorization", "oauth", "session", "cookie", "jwt")
# ... and so is one equal to one of these, or ending in "_key".
SECRET_NAMES = frozenset({"key", "sig", "pwd", "pass", "auth", "code", "otp"})
_DECODE_ROUNDS = 4
_NESTING = 3
# A value runs to the next separator; a "?" inside it may start a nested query (see _carries_secret).
_PARAMETER = re.compile(r"(?P<lead>^|[?&;#])(?P<name>[^=&;#?\s\"]*)=(?P<value>[^&;#\s\"]*)")


def _decoded(text: str) -> str:
    for _ in range(_DECODE_ROUNDS):
        decoded = unquote_plus(text)
        if decoded == text:
            break
        text = decoded
    return text


def _normal(name: str) -> str:
    return re.sub(r"[\s.\-]+", "_", _decoded(name).strip().lower()).strip("_")


def secret_name(name: str) -> bool:
    """Whether a parameter or header called ``name`` (raw, as sent) carries a secret."""
    normal = _normal(name)
    return normal in SECRET_NAMES or normal.endswith("_key") or any(part in normal for part in SECRET_NAME_PARTS)


def redact_query(text: str) -> str:
    """`/x?token=abc&page=2` -> `/x?token=[redacted]&page=2`; names are kept as they were sent."""
    return _redact(text, depth=0)


def _redact(text: str, *, depth: int) -> str:
    def one(match: re.Match[str]) -> str:
        value = match.group("value")
        if secret_name(match.group("name")) or _carries_secret(value, depth=depth):
            value = REDACTED
        return f"{match.group('lead')}{match.group('name')}={value}"

    return _PARAMETER.sub(one, text)


def _carries_secret(value: str, *, depth: int) -> bool:
    """A value that, decoded, holds a secret parameter of its own (a return URL with a key in it).
    Nested deeper than _NESTING, a value with parameters in it is taken for secret (and costs no more)."""
    decoded = _decoded(value)
    if "=" not in decoded:
        return False
    return depth >= _NESTING or _redact(decoded, depth=depth + 1) != decoded


class RedactUrlsFilter(logging.Filter):
    """A logging filter that redacts secret query values in a record's message and arguments."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str) and "=" in record.msg:
            record.msg = redact_query(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact_query(a) if isinstance(a, str) and "=" in a else a for a in record.args)
        return True
