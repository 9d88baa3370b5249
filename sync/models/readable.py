"""Any value the database holds reads back in Python, even one Python cannot represent.

PostgreSQL keeps timestamps from 4713 BC to the year 294276 and ``infinity``; ``datetime`` holds
the years 1 to 9999. ``jsonb`` keeps numbers of any size and nesting thousands deep; ``json.loads``
refuses integers over 4,300 digits and nesting past the recursion limit, and turns 1e400 into an
infinite float that strict JSON cannot write. Ingest keeps such values out, but a row written
another way (by hand, a restore, another application) must not take down every page that lists
its table, nor stop the workers. So nothing read from the database fails to load:

- a timestamp beyond ``datetime`` (with a day's margin, so that any time zone can show it) reads
  as the nearest one that is not, marked as an ``UnreadableDatetime`` that keeps the stored text;
  order and comparisons keep their sense (``infinity`` is later than any real time);
- a JSON document Python cannot hold faithfully reads as its stored text, an ``UnreadableJSON``
  (a ``str``), through ``ReadableJSONDecoder`` on the JSON fields of the pipeline's tables.

The quarantine (sync.pipeline.quarantine) finds these markers on queue and inbox rows and
rewrites the columns; every other read simply shows the nearest time or the text.

On PostgreSQL this is a psycopg loader, the way psycopg documents for reading infinite dates,
installed on each new connection; on SQLite a converter through ``sqlite3.register_converter``,
the hook Django itself uses for that backend's dates.
"""
from __future__ import annotations

import json
import re
import sqlite3
from datetime import UTC, date, datetime, timedelta
from datetime import tzinfo as TzInfo
from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils.dateparse import parse_datetime

# A day inside datetime's range, so a time zone's offset never carries a value out of it.
EARLIEST = datetime.min.replace(tzinfo=UTC) + timedelta(days=1)
LATEST = datetime.max.replace(tzinfo=UTC) - timedelta(days=1)
_LATE_TEXT = re.compile(r"^\s*(\+?infinity|\d{5,}-)", re.IGNORECASE)


class Unreadable:
    """Marks a value read in place of one Python cannot hold; ``stored`` is the database's text."""

    stored: str = ""


class UnreadableDatetime(datetime, Unreadable):
    """The nearest time Python can hold (EARLIEST or LATEST) to a stored one it cannot."""


class UnreadableJSON(str, Unreadable):
    """A stored JSON document Python cannot hold faithfully, as its text (``stored`` is the same text)."""

    @classmethod
    def of(cls, text: str) -> UnreadableJSON:
        value = cls(text)
        value.stored = text
        return value


def nearest_time(stored: str, *, tz: TzInfo | None = UTC, late: bool | None = None) -> UnreadableDatetime:
    """EARLIEST or LATEST in ``tz`` (naive when None), remembering ``stored``.

    Unless ``late`` says which: ``infinity`` and years past 9999 are later than any real time;
    anything else (``-infinity``, BC dates, text that is no time at all) is earlier.
    """
    if late is None:
        late = bool(_LATE_TEXT.match(stored)) and not stored.rstrip().upper().endswith("BC")
    edge = LATEST if late else EARLIEST
    edge = edge.astimezone(tz) if tz is not None else edge.replace(tzinfo=None)
    value = UnreadableDatetime(edge.year, edge.month, edge.day, edge.hour, edge.minute, edge.second,
                               edge.microsecond, tzinfo=edge.tzinfo)
    value.stored = stored
    return value


def readable_time(value: datetime, *, stored: str) -> datetime:
    """``value`` itself when it lies between EARLIEST and LATEST, else the nearest of the two, marked."""
    aware = value if value.tzinfo else value.replace(tzinfo=UTC)
    if EARLIEST <= aware <= LATEST:
        return value
    return nearest_time(stored, tz=value.tzinfo, late=aware > LATEST)


# --- JSON -------------------------------------------------------------------------------------


def _finite_float(text: str) -> float:
    number = float(text)
    if number in (float("inf"), float("-inf")):
        raise ValueError(f"{text[:40]} is beyond a float")
    return number


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


class ReadableJSONDecoder(json.JSONDecoder):
    """Stored JSON as Python objects, or as its text (UnreadableJSON) when Python cannot hold it.

    Malformed text still raises JSONDecodeError (so a form refuses it); well-formed JSON with an
    integer over 4,300 digits, a number beyond a float or nesting past the recursion limit reads as
    its text instead of failing.
    """

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("parse_float", _finite_float)
        kwargs.setdefault("parse_constant", _no_constant)
        super().__init__(**kwargs)

    def decode(self, s: str, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().decode(s, *args, **kwargs)
        except json.JSONDecodeError:
            raise
        except (ValueError, RecursionError):
            return UnreadableJSON.of(s)


def json_stored(value: Any) -> Any:
    """A JSON value to write back as it was read: JSON ``null`` stays JSON null (a bare None would write
    SQL NULL, which the NOT NULL payload columns refuse)."""
    from django.db.models import JSONField, Value

    return Value(None, output_field=JSONField()) if value is None else value


# --- loaders ------------------------------------------------------------------------------------


def _postgres_loaders(tz: TzInfo | None) -> list[tuple[str, type]]:
    """Loaders for timestamptz, timestamp and date: psycopg's own, wrapped (its C loaders cannot be
    subclassed; wrapping them is also twice as fast as Django's pure-Python timestamptz loader), and
    the nearest readable value where they give up."""
    from psycopg import DataError, adapters
    from psycopg.adapt import Loader
    from psycopg.pq import Format

    def psycopg_loader(name: str, oid: int, context: Any) -> Any:
        loader: Any = adapters.get_loader(adapters.types[name].oid, Format.TEXT)
        return loader(oid, context).load

    class Timestamptz(Loader):
        timezone = tz  # as Django's own loader: Django's create_cursor compares it with the connection's

        def __init__(self, oid: int, context: Any = None) -> None:
            super().__init__(oid, context)
            self._load = psycopg_loader("timestamptz", oid, context)

        def load(self, data: Any) -> datetime:
            try:
                value = self._load(data).replace(tzinfo=self.timezone)
            except DataError:
                return nearest_time(bytes(data).decode(), tz=self.timezone)
            if value.year == 9999 or value.year == 1:  # within a day of the edge: past it in some zone
                return readable_time(value, stored=bytes(data).decode())
            return value

    class Timestamp(Loader):
        def __init__(self, oid: int, context: Any = None) -> None:
            super().__init__(oid, context)
            self._load = psycopg_loader("timestamp", oid, context)

        def load(self, data: Any) -> datetime:
            try:
                return self._load(data)
            except DataError:
                return nearest_time(bytes(data).decode(), tz=None)

    class Date(Loader):
        def __init__(self, oid: int, context: Any = None) -> None:
            super().__init__(oid, context)
            self._load = psycopg_loader("date", oid, context)

        def load(self, data: Any) -> date:
            try:
                return self._load(data)
            except DataError:
                return nearest_time(bytes(data).decode()).date()

    return [("timestamptz", Timestamptz), ("timestamp", Timestamp), ("date", Date)]


def readable_loaders_install(sender: object, connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
    """connection_created receiver: this connection reads every stored time (Django's time zone kept)."""
    if connection.vendor != "postgresql":
        return
    adapters = connection.connection.adapters
    for name, loader in _postgres_loaders(connection.timezone):
        adapters.register_loader(name, loader)


def _sqlite_datetime(raw: bytes) -> datetime | None:
    """Django's own converter for SQLite dates, but text that is no datetime reads as the nearest one."""
    text = raw.decode()
    try:
        value = parse_datetime(text)
    except ValueError:
        value = None
    if value is None:
        return nearest_time(text)
    # Django makes a naive value aware afterwards; a stand-in is returned aware (UTC, as Django reads them).
    checked = readable_time(value.replace(tzinfo=value.tzinfo or UTC), stored=text)
    return checked if isinstance(checked, Unreadable) else value


def readable_sqlite_converters() -> None:
    """Replace Django's SQLite datetime converters (they give None or raise for such text)."""
    import django.db.backends.sqlite3.base  # noqa: F401 - registers Django's converters first

    for name in ("datetime", "timestamp"):
        sqlite3.register_converter(name, _sqlite_datetime)


def unreadable_values(row: Any) -> dict[str, str]:
    """The model instance's fields that hold a stand-in for an unreadable value, with the stored text."""
    found = {}
    for field in row._meta.concrete_fields:
        value = row.__dict__.get(field.attname)
        if isinstance(value, Unreadable):
            found[field.name] = value.stored
    return found
