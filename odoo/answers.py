"""Odoo's answers checked against the shapes its external API documents, before any use.

A server that answers a dict where a list of records is due, a string for an id or a number
for a name would otherwise end deep in the sync as AttributeError or TypeError text. Each
check here raises OdooAnswerError with one line naming the call and what was wrong; the value
itself is never echoed whole (it can be huge), only its type.
"""
from __future__ import annotations

from typing import Any

from odoo.errors import OdooAnswerError

__all__ = ["OdooAnswerError", "answer_bool", "answer_ids", "answer_int", "answer_mapping", "answer_records",
           "many2one", "record_bool", "record_int", "record_str"]


def _kind(value: Any) -> str:
    return "null" if value is None else type(value).__name__


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def answer_records(value: Any, what: str) -> list[dict[str, Any]]:
    """A list of records (dicts), as search_read answers."""
    if not isinstance(value, list):
        raise OdooAnswerError(f"Odoo answered {what} with a {_kind(value)}, not a list of records")
    for index, row in enumerate(value):
        if not isinstance(row, dict):
            raise OdooAnswerError(f"Odoo answered {what} with a {_kind(row)} as record {index}, not a record")
    return value


def answer_mapping(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise OdooAnswerError(f"Odoo answered {what} with a {_kind(value)}, not an object")
    return value


def answer_int(value: Any, what: str) -> int:
    if not _is_int(value):
        raise OdooAnswerError(f"Odoo answered {what} with a {_kind(value)}, not an integer")
    return int(value)


def answer_bool(value: Any, what: str) -> bool:
    if not isinstance(value, bool):
        raise OdooAnswerError(f"Odoo answered {what} with a {_kind(value)}, not true or false")
    return value


def answer_ids(value: Any, what: str) -> list[int]:
    """Record ids: a list of integers (or one integer, as create answers for a single record)."""
    ids = value if isinstance(value, list) else [value]
    for item in ids:
        if not _is_int(item) or item <= 0:
            raise OdooAnswerError(f"Odoo answered {what} with a {_kind(item)} where a record id is due")
    return list(ids)


def record_int(row: dict[str, Any], name: str, what: str) -> int:
    value = row.get(name)
    if not isinstance(value, int) or isinstance(value, bool):
        raise OdooAnswerError(f"Odoo answered {what} with {name} = a {_kind(value)}, not an integer")
    return value


def record_str(row: dict[str, Any], name: str, what: str, *, empty: bool = False) -> str:
    """A char field; ``empty=True`` reads Odoo's False (an unset field) as ""."""
    value = row.get(name)
    if empty and value is False:
        return ""
    if not isinstance(value, str):
        raise OdooAnswerError(f"Odoo answered {what} with {name} = a {_kind(value)}, not text")
    return value


def record_bool(row: dict[str, Any], name: str, what: str) -> bool:
    value = row.get(name)
    if not isinstance(value, bool):
        raise OdooAnswerError(f"Odoo answered {what} with {name} = a {_kind(value)}, not true or false")
    return value


def many2one(row: dict[str, Any], name: str, what: str) -> tuple[int, str] | None:
    """A many2one as read: [id, display name], or False when unset (None here)."""
    value = row.get(name)
    if value is False or value is None:
        return None
    if (not isinstance(value, list | tuple) or len(value) != 2 or not _is_int(value[0])
            or not isinstance(value[1], str)):
        raise OdooAnswerError(f"Odoo answered {what} with {name} = a {_kind(value)}, not [id, name]")
    return int(value[0]), value[1]
