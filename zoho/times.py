"""Zoho's timestamps: the one reader for every path a time from Zoho takes (webhook door, mappers).

Zoho renders a time in the organization's zone with its offset: "2025-11-18T02:02:51+0300"; its
examples also show "+03:00", "Z", fractional seconds ("2015-05-28T00:00:00.000Z"), a space for
the "T" ("2015-05-28 00:00:00+00:00") and, in older examples, a bare date ("2013-01-24"), read as
midnight UTC. A date and time without a zone is refused rather than guessed: read as UTC (or as
this server's zone) it would be off by the organization's offset, and the stale-version guard
orders versions by these times.
"""
from __future__ import annotations

import re
from datetime import UTC, date, datetime

_ZONE = re.compile(r"(Z|[+-]\d{2}:?\d{2})$")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?")


class ZohoTimeError(ValueError):
    """A value that is not a Zoho timestamp; the message says why, in a few words."""


def zoho_time_read(value: str) -> datetime:
    """An aware datetime from one of Zoho's shapes; ZohoTimeError (with the reason) otherwise."""
    raw = value.strip()
    shown = repr(raw[:40])
    if _DATE.fullmatch(raw):
        try:
            return datetime.combine(date.fromisoformat(raw), datetime.min.time(), tzinfo=UTC)
        except ValueError:
            raise ZohoTimeError(f"{shown} is not a date") from None
    zone = _ZONE.search(raw)
    base = raw[: zone.start()] if zone else raw
    if not _DATE_TIME.fullmatch(base):
        raise ZohoTimeError(f"{shown} is not a Zoho timestamp (like 2025-11-18T02:02:51+0300)")
    if zone is None:
        raise ZohoTimeError(f"{shown} has no time zone (Zoho sends its offset, like +0300)")
    offset = "+00:00" if zone.group(1) == "Z" else zone.group(1)
    if ":" not in offset:
        offset = f"{offset[:3]}:{offset[3:]}"
    try:
        moment = datetime.fromisoformat(base.replace(" ", "T", 1) + offset)
        moment.astimezone(UTC)  # the edges of datetime's range cannot be shifted to UTC, nor stored
    except (ValueError, OverflowError):
        raise ZohoTimeError(f"{shown} cannot be stored (out of the range of times)") from None
    return moment
