"""What the input fuzz tests share: hostile values, and the log records that betray a crash.

The values mix hypothesis' own text and numbers with a corpus of inputs known to break things
somewhere: NUL and control characters, numbers past every column (1e50, 10**40), signalling
NaN, dates outside every range, format strings, huge text. The example counts come from the
hypothesis profile (tests/conftest.py): bounded in the normal suite, `--hypothesis-profile=long`
for a longer run.
"""
from __future__ import annotations

import base64
import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import strategies as st

NASTY_TEXT = [
    "", " ", "\x00", "a\x00b", "%00", "\x01\x7f", "\r\n", "\t", "'", '"', "\\", "<script>", "../../etc/passwd",
    "%s", "%(x)s", "{0}", "${x}", "1;DROP TABLE tds_sync_runs", "NaN", "sNaN", "Infinity", "-Infinity",
    "1e50", "-1e50", "1e999999999", "1E-999999999", "0e999999999", "9" * 40, "-1", "0", "-0", "1.5", "²", "٣",
    "１２", "true", "false", "null", "[]", "{}", "2025-13-45T99:99:99", "0001-01-01T00:00:00+14:00",
    "9999-12-31T23:59:59-14:00", "2025-11-18T02:02:51+0300", "00000000-0000-0000-0000-000000000000",
    "x" * 5000, "é" * 300, "\u202e", "\ufeff", "𝔘𝔫𝔦", "[" * 5000, '{"a": ' * 3000,
]
# Opaque tokens a server decodes (DRF's pagination cursor is base64 of "o=..&r=..&p=<position>").
NASTY_TEXT += [base64.b64encode(token.encode()).decode() for token in (
    "p=notadate", "o=1&p=%00", "p=" + "9" * 40, "r=1&p=9999-12-31 23:59:59-14:00", "p=0001-01-01 00:00:00+14:00",
    "o=99999999999999999999&p=2025-01-01", "r=x", "p=2025-01-01 00:00:00")]
NASTY_NUMBERS: list[Any] = [0, -1, 1, 2**31, 2**63, -(2**63) - 1, 10**30, 10**40, 1e50, -1e308, 1e-300, 0.1, True]

# Text that can travel in a URL or a JSON string: any code point but lone surrogates.
_CHARS = st.characters(blacklist_categories=("Cs",))
hostile_text = st.one_of(st.sampled_from(NASTY_TEXT), st.text(_CHARS, max_size=40),
                         st.integers(min_value=-(10**40), max_value=10**40).map(str),
                         st.floats().map(repr), st.uuids().map(str))
hostile_scalar = st.one_of(st.none(), st.booleans(), hostile_text, st.sampled_from(NASTY_NUMBERS),
                           st.integers(min_value=-(10**40), max_value=10**40), st.floats())
hostile_json = st.recursive(hostile_scalar, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(hostile_text, inner, max_size=4)), max_leaves=12)

# Bodies no generator builds by itself: nesting past any limit, numbers past Python's own limits.
RAW_BODIES = [b"[" * 100_000, b"{\"a\":" * 50_000 + b"1" + b"}" * 50_000, b"[1" + b",[1" * 2_000 + b"]" * 2_001,
              b'{"ids": [' + b"9" * 5_000 + b"]}", b'{"ids": [1e400]}', b'{"ids": [NaN]}', b"\xff\xfe\x00",
              b"null", b"", b'"x"', b"{\"a\": \"\\ud800\"}", b"{\"a\": \"\\u0000\"}"]


def dumps(value: Any) -> bytes:
    """JSON as a careless client writes it: NaN and Infinity as bare words, nothing escaped away."""
    return json.dumps(value, allow_nan=True, ensure_ascii=False).encode("utf-8", "surrogatepass")


class _Recorder(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def crash_log() -> Iterator[list[logging.LogRecord]]:
    """Log records carrying a traceback, from every logger the project and Django write to (some do not
    propagate to the root, where caplog listens)."""
    recorder = _Recorder()
    loggers = [logging.getLogger(name) for name in ("", "tds", "sync", "zoho", "django", "django.request")]
    for logger in loggers:
        logger.addHandler(recorder)
    try:
        yield recorder.records
    finally:
        for logger in loggers:
            logger.removeHandler(recorder)


def tracebacks(records: list[logging.LogRecord]) -> list[str]:
    """The records the console would print with a traceback (sync.logging.RefusalWithoutTraceback
    drops the one Django attaches to a 4xx)."""
    return [f"{r.name}: {r.getMessage()}" for r in records
            if (r.exc_info or r.exc_text) and getattr(r, "status_code", 500) >= 500]


def assert_answer(response: Any, *, where: str, json_success: bool = True) -> None:
    """No 500, and under /api/ a JSON body (for a success too, unless the endpoint serves another format)."""
    assert response.status_code < 500, (where, response.status_code, response.content[:300])
    if where.startswith("/api/") and (json_success or response.status_code >= 400):
        content_type = response.get("Content-Type", "")
        assert content_type.startswith("application/json"), (where, response.status_code, content_type)
        json.loads(response.content)
