"""Correlation ids: one per run or request, carried into every log line; refusals logged as one line."""
from __future__ import annotations

import contextvars
import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

_correlation_id: contextvars.ContextVar[str] = contextvars.ContextVar("tds_correlation_id", default="-")


def get_correlation_id() -> str:
    return _correlation_id.get()


def new_correlation_id() -> str:
    return uuid.uuid4().hex[:16]


@contextmanager
def correlation(correlation_id: str | None = None) -> Iterator[str]:
    token = _correlation_id.set(correlation_id or new_correlation_id())
    try:
        yield _correlation_id.get()
    finally:
        _correlation_id.reset(token)


class CorrelationIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.correlation_id = get_correlation_id()
        return True


class RefusalWithoutTraceback(logging.Filter):
    """A 4xx answer is the caller's mistake: one line, no traceback.

    Django logs some refusals with the exception that caused them (a bad Host header, a
    PermissionDenied, a BadRequest); its records carry the answer's ``status_code``. Below 500
    the traceback is dropped; a 500 keeps it, that one is ours to fix.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", 500) < 500:
            record.exc_info, record.exc_text = None, None
        return True
