"""Small, pure conversions from Zoho's JSON to Python values for the mirror.

Zoho renders ids as strings (older docs show numbers), empty numbers as "",
timestamps as "2025-11-18T02:02:51+0300", "2015-05-28 00:00:00+00:00" or a bare
date. Money stays Decimal end to end: json is parsed with float, so values are
converted through str() to keep the digits Zoho sent.
"""
from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from django.conf import settings

_OFFSET = re.compile(r"([+-])(\d{2}):?(\d{2})$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

DEFAULT_ARABIC_NAME_FIELDS = ("name_ar", "cf_name_ar", "arabic_name", "Arabic Name", "Name (Arabic)", "الاسم")
DEFAULT_ARABIC_DESCRIPTION_FIELDS = (
    "description_ar", "cf_description_ar", "arabic_description", "Arabic Description", "Description (Arabic)",
)


def zid(value: Any) -> str:
    """A Zoho id as a string ("" when missing); numbers in old examples become their digits."""
    if type(value) is str:
        return value.strip()
    if value is None or value == "":
        return ""
    return str(value).strip()


def text(value: Any, limit: int | None = None) -> str:
    if type(value) is str:
        out = value.strip()
    elif value is None:
        return ""
    else:
        out = str(value).strip()
    return out[:limit] if limit else out


def money(value: Any) -> Decimal | None:
    """Decimal from a Zoho number; "" and None are NULL (never 0)."""
    kind = type(value)
    if kind is int:
        return Decimal(value)
    if kind is float:
        return Decimal(repr(value))  # the shortest text that round-trips: the digits Zoho sent
    if value is None or value == "" or kind is bool:
        return None
    if kind is Decimal:
        return value
    try:
        return Decimal(str(value).strip())
    except InvalidOperation:
        try:
            return Decimal(str(value).replace(",", "").strip())
        except InvalidOperation:
            return None


# A whole number with more digits than this is no count Zoho keeps (days, quantities): int() of
# Decimal("1e999999999") would build a billion-digit integer before anything could refuse it.
INTEGER_MAX_DIGITS = 30


def integer(value: Any) -> int | None:
    """A whole number from a Zoho number; None when empty or fractional; ValueError beyond 30 digits."""
    number = money(value)
    if number is None or not number.is_finite() or number != number.to_integral_value():
        return None
    if not number.is_zero() and number.adjusted() >= INTEGER_MAX_DIGITS:
        raise ValueError(f"{value!r:.40} is not a whole number of at most {INTEGER_MAX_DIGITS} digits")
    return int(number)


def flag(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in {"true", "1", "yes"}
    return bool(value)


def timestamp(value: Any) -> datetime | None:
    """An aware datetime from Zoho's timestamp shapes; a bare date is midnight UTC."""
    if not value or not isinstance(value, str):
        return None
    raw = value.strip().replace(" ", "T", 1)
    if _DATE.match(raw):
        return datetime.fromisoformat(raw).replace(tzinfo=UTC)
    if raw.endswith("Z"):
        raw = raw[:-1] + "+00:00"
    match = _OFFSET.search(raw)
    if match:
        sign, hours, minutes = match.groups()
        offset = timedelta(hours=int(hours), minutes=int(minutes)) * (-1 if sign == "-" else 1)
        base = raw[: match.start()]
        try:
            return datetime.fromisoformat(base).replace(tzinfo=timezone(offset))
        except ValueError:
            return None
    try:
        parsed = datetime.fromisoformat(raw)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def day(value: Any) -> date | None:
    if not value or not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value.strip()[:10])
    except ValueError:
        return None


def active(record: dict[str, Any]) -> bool:
    """is_active follows Zoho's status; records without a status are active."""
    status = str(record.get("status") or "active").lower()
    return status not in {"inactive", "deleted", "void"}


@lru_cache(maxsize=32)
def _lowered(names: tuple[str, ...]) -> frozenset[str]:
    return frozenset(n.lower() for n in names)


def _custom_value(record: dict[str, Any], names: tuple[str, ...]) -> str:
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
        return tuple(getattr(settings, "TDS_ARABIC_NAME_FIELDS", None) or DEFAULT_ARABIC_NAME_FIELDS)
    return tuple(getattr(settings, "TDS_ARABIC_DESCRIPTION_FIELDS", None) or DEFAULT_ARABIC_DESCRIPTION_FIELDS)


def arabic(record: dict[str, Any], kind: str) -> str:
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
