"""Small, pure conversions from Zoho's JSON to Python values for the mirror.

Zoho renders ids as strings (older docs show numbers), empty numbers as "", timestamps as
"2025-11-18T02:02:51+0300" (zoho.times reads every shape Zoho uses). Money stays Decimal end to
end: json is parsed with float, so values are converted through repr() to keep the digits Zoho
sent. A value that cannot be converted faithfully (a JSON object where text belongs, "abc" where
a number belongs, a time without a zone) becomes an ``Unreadable`` carrying the reason, never a
guess (a repr, NULL, a UTC reading) and never a cut: sync.upsert.validate names the column and
refuses the record, on every path a record arrives by.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from django.conf import settings

from zoho.ids import json_kind
from zoho.times import ZohoTimeError, zoho_time_read


@dataclass(frozen=True)
class Unreadable:
    """A Zoho value its column cannot hold faithfully; ``reason`` says why (the column is named later)."""

    reason: str


def zid(value: Any) -> str:
    """A Zoho id as a string ("" when missing); numbers in old examples become their digits.

    Whether it is a Zoho id at all is checked by the record validation (zoho.ids.zoho_id_problem).
    """
    if type(value) is str:
        return value.strip()
    if value is None or value == "":
        return ""
    return str(value).strip()


def first(record: dict[str, Any], *keys: str) -> Any:
    """The value of the first of ``keys`` the record fills (not missing, null or ""), else None.

    Not ``a or b``: a falsy value of the wrong type (``{}``, ``false``, ``0``) is kept, so the
    validation sees it instead of the fallback hiding it.
    """
    for key in keys:
        value = record.get(key)
        if value is not None and value != "":
            return value
    return None


def text(value: Any) -> str | Unreadable:
    """Text as Zoho sent it (stripped); a number becomes its digits; any other JSON value is Unreadable."""
    kind = type(value)
    if kind is str:
        return value.strip()
    if value is None:
        return ""
    if kind is int or kind is Decimal:
        return str(value)
    if kind is float and math.isfinite(value):
        return repr(value)
    return Unreadable(f"a JSON {json_kind(value)} is not text")


def money(value: Any) -> Decimal | Unreadable | None:
    """Decimal from a Zoho number; "" and None are NULL (never 0); what is not a number is Unreadable."""
    kind = type(value)
    if kind is int:
        return Decimal(value)
    if kind is float:
        return Decimal(repr(value))  # the shortest text that round-trips: the digits Zoho sent
    if value is None or value == "":
        return None
    if kind is Decimal:
        return value
    if kind is not str:
        return Unreadable(f"a JSON {json_kind(value)} is not a number")
    try:
        return Decimal(value.strip())
    except InvalidOperation:
        try:
            return Decimal(value.replace(",", "").strip())  # "1,250.75": Zoho's formatted amounts
        except InvalidOperation:
            return Unreadable(f"{value[:40]!r} is not a number")


# A whole number with more digits than this is no count Zoho keeps (days, quantities): int() of
# Decimal("1e999999999") would build a billion-digit integer before anything could refuse it.
INTEGER_MAX_DIGITS = 30


def integer(value: Any) -> int | Unreadable | None:
    number = money(value)
    if number is None or isinstance(number, Unreadable):
        return number
    if not number.is_finite() or number != number.to_integral_value():
        return Unreadable(f"{str(value)[:40]!r} is not a whole number")
    if not number.is_zero() and number.adjusted() >= INTEGER_MAX_DIGITS:
        return Unreadable(f"{str(value)[:40]!r} is not a whole number of at most {INTEGER_MAX_DIGITS} digits")
    return int(number)


def flag(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in {"true", "1", "yes"}
    return bool(value)


def timestamp(value: Any) -> datetime | Unreadable | None:
    """An aware datetime from Zoho's timestamp shapes; None when missing (an undated version)."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        return Unreadable(f"a JSON {json_kind(value)} is not a timestamp")
    try:
        return zoho_time_read(value)
    except ZohoTimeError as exc:
        return Unreadable(str(exc))


def day(value: Any) -> date | Unreadable | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        return Unreadable(f"a JSON {json_kind(value)} is not a date")
    try:
        return date.fromisoformat(value.strip()[:10])
    except ValueError:
        return Unreadable(f"{value[:40]!r} is not a date")


def active(record: dict[str, Any]) -> bool:
    """is_active follows Zoho's status; records without a status are active."""
    status = str(record.get("status") or "active").lower()
    return status not in {"inactive", "deleted", "void"}


@lru_cache(maxsize=32)
def _lowered(names: tuple[str, ...]) -> frozenset[str]:
    return frozenset(n.lower() for n in names)


def _custom_value(record: dict[str, Any], names: tuple[str, ...]) -> str | Unreadable:
    wanted = _lowered(names)
    for field in record.get("custom_fields") or ():
        if not isinstance(field, dict) or field.get("value") in (None, ""):
            continue
        for key in ("api_name", "label", "placeholder"):
            name = field.get(key)
            if name and str(name).lower() in wanted:
                return text(field["value"])
    return ""


def _field_names(kind: str) -> tuple[str, ...]:
    if kind == "name":
        return tuple(settings.TDS_ARABIC_NAME_FIELDS)
    return tuple(settings.TDS_ARABIC_DESCRIPTION_FIELDS)


def arabic(record: dict[str, Any], kind: str) -> str | Unreadable:
    """Arabic name/description: a name_ar-style field, else a custom field by label or api_name
    (settings TDS_ARABIC_NAME_FIELDS / TDS_ARABIC_DESCRIPTION_FIELDS name them)."""
    names = _field_names(kind)
    for name in names:
        value = record.get(name)
        if value not in (None, ""):
            return text(value)
    return _custom_value(record, names)


def mirror_fields(record: dict[str, Any]) -> dict[str, Any]:
    """The columns every mirrored row carries beside its own fields."""
    return {
        "raw": record,
        "zoho_last_modified": timestamp(record.get("last_modified_time")),
        "is_active": active(record),
    }
