"""Content hashes of mapped rows: sha256, 64 hex chars (stored as varchar(64))."""
from __future__ import annotations

import hashlib
from datetime import date, datetime
from decimal import Decimal
from typing import Any

# Bookkeeping columns change on every write. raw is left out: zoho_last_modified is in every row,
# so a Zoho edit changes the hash, while a list and a detail rendering of one version hash alike.
NOT_CONTENT = frozenset({"raw", "content_hash", "last_synced", "created_at", "updated_at", "deleted_in_zoho_at", "id"})


def content_keys(row: dict[str, Any]) -> tuple[str, ...]:
    """The content columns of a row, sorted (compute once per batch: a mapper's keys are fixed)."""
    return tuple(sorted(k for k in row if k not in NOT_CONTENT))


def content_hash(row: dict[str, Any], keys: tuple[str, ...] | None = None) -> str:
    """sha256 over repr() of the content values in key order. A mapped row is rebuilt from
    Zoho's JSON on every pass, so equal input gives equal text; repr of a tuple runs in C,
    several times cheaper than canonical JSON at 10,000+ rows a second."""
    keys = keys or content_keys(row)
    return hashlib.sha256(repr((keys, tuple([row[k] for k in keys]))).encode()).hexdigest()


def lines_hash(row_hash: str, lines: list[dict[str, Any]]) -> str:
    """A row's hash folded with its lines' content: a document whose lines changed has changed, also where
    Zoho gives it no version stamp (adjustments, transfers) and its own fields stay the same."""
    content = [tuple(sorted((k, v) for k, v in line.items() if k != "raw")) for line in lines]
    return hashlib.sha256(repr((row_hash, content)).encode()).hexdigest()


def jsonable(value: Any) -> Any:
    """A column value as the audit trail stores it (JSON)."""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return value
