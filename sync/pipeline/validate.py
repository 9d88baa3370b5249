"""Ingest validation: a record is accepted only when every value it puts in a typed column can be
stored and read back faithfully.

The webhook view runs the entity's own mapper (and line mapper) on the record and checks each
mapped value against its model field: decimals finite and, rounded to the column's places, within
its digits; integers within the column's range; timestamps inside the window Python, PostgreSQL and
the stale-version guard can all work with; text within its length. What fails here would fail at
apply, or worse, be stored and poison every later read of its row, so it is refused at the door
with the reason, naming the column and the Zoho field it came from.

Every check is plain comparison: a number such as 1e999999999 is a valid Decimal whose arithmetic
(quantize to a whole number, int()) raises or runs for minutes, so magnitudes are read from the
exponent and rounding is done under the column's own precision, the way the database will do it.
"""
from __future__ import annotations

from datetime import UTC, datetime
from decimal import Context, Decimal, InvalidOperation
from typing import Any

from django.db import models
from django.db.backends.base.operations import BaseDatabaseOperations

from sync.entities import get_spec, spec_for
from sync.mappers.common import money, text, timestamp, zid
from zoho.webhooks import EARLIEST, FUTURE_SKEW


def record_problems(*, entity: str, record: dict[str, Any], now: datetime | None = None) -> list[str]:
    """Why `record` cannot be stored as `entity` (empty when it can)."""
    spec = get_spec(spec_for(entity).reads)
    try:
        row = spec.mapper(record)
        lines = spec.lines.mapper(record) if spec.lines is not None else None
    except Exception as exc:  # noqa: BLE001 - whatever the mapper trips on, the record cannot be applied
        return [f"the record cannot be read as {spec.name}: {type(exc).__name__}: {exc}"[:300]]
    moment = now or datetime.now(UTC)
    problems = _row_problems(spec.model, row, moment, record)
    if lines and spec.lines is not None:
        line_model = spec.model._meta.apps.get_model("sync", spec.lines.model)
        for line in lines:
            line_id = line.get(spec.lines.key, "?")
            problems += [f"line {line_id}: {p}"
                         for p in _row_problems(line_model, line, moment, _line_record(record, str(line_id)))]
    return problems


def _row_problems(model: type[models.Model], row: dict[str, Any], now: datetime,
                  record: dict[str, Any]) -> list[str]:
    fields = {f.name: f for f in model._meta.concrete_fields}
    problems = []
    for name, value in row.items():
        field = fields.get(name)
        if field is None or value is None:
            continue
        problem = _value_problem(field, value, now)
        if problem:
            problems.append(f"{_named(name, value, record)}: {problem}")
    return problems


def _named(column: str, value: Any, record: dict[str, Any]) -> str:
    """The column, and the Zoho field it was read from when one holds that value: 'unit_price (rate)'."""
    read = money if isinstance(value, (Decimal, int)) else timestamp if isinstance(value, datetime) else text
    for key, raw in record.items():
        if isinstance(raw, (str, int, float)) and not isinstance(raw, bool) and raw != "":
            try:  # str() first: a NaN equals nothing, and comparing a signalling NaN raises
                same = str(read(raw)) == str(value) or read(raw) == value
            except (ArithmeticError, TypeError, ValueError):
                same = False
            if same:
                return column if key == column else f"{column} ({key})"
    return column


def _line_record(record: dict[str, Any], line_id: str) -> dict[str, Any]:
    """The raw line (in any list of the record) that carries this line id, to name its fields."""
    for value in record.values():
        for line in value if isinstance(value, list) else ():
            if isinstance(line, dict) and any(zid(v) == line_id for k, v in line.items() if k.endswith("_id")):
                return line
    return {}


def _value_problem(field: models.Field, value: Any, now: datetime) -> str:
    if isinstance(field, models.DecimalField) and isinstance(value, Decimal):
        return _decimal_problem(value, field.max_digits or 0, field.decimal_places or 0)
    if isinstance(field, models.IntegerField) and isinstance(value, int):
        return _integer_problem(field, value)
    if isinstance(field, models.DateTimeField) and isinstance(value, datetime):
        return _time_problem(value, now, windowed=field.name == "zoho_last_modified")
    if isinstance(field, models.CharField) and isinstance(value, str) and field.max_length:
        return f"longer than {field.max_length} characters" if len(value) > field.max_length else ""
    return ""


def _decimal_problem(value: Decimal, max_digits: int, places: int) -> str:
    if not value.is_finite():
        return f"{_shown(value)} is not a number"
    if not max_digits:
        return ""
    try:  # what the database stores: rounded to the column's places, at most max_digits digits
        value.quantize(Decimal(1).scaleb(-places), context=Context(prec=max_digits))
    except InvalidOperation:
        return (f"{_shown(value)} does not fit: at most {max_digits - places} digits before the decimal point "
                f"once rounded to {places} places")
    return ""


def _integer_problem(field: models.IntegerField, value: int) -> str:
    # The documented ranges, which PostgreSQL enforces; SQLite would store more, and a copy could not.
    low, high = BaseDatabaseOperations.integer_field_ranges.get(field.get_internal_type(), (None, None))
    if (low is not None and value < low) or (high is not None and value > high):
        return f"{_shown(value)} is outside {low} .. {high}"
    return ""


def _shown(value: Decimal | int) -> str:
    """The number as sent, or its magnitude when it is too long to quote."""
    shown = str(value)
    return shown if len(shown) <= 40 else f"{Decimal(value):.6E}"


def _time_problem(value: datetime, now: datetime, *, windowed: bool) -> str:
    """Every stored time must survive the shift to UTC; the version stamp must also be plausible."""
    try:
        moment = value.astimezone(UTC)
    except (OverflowError, ValueError):
        return f"{value.isoformat()} cannot be expressed in UTC"
    if windowed and (moment < EARLIEST or moment > now + FUTURE_SKEW):
        minutes = int(FUTURE_SKEW.total_seconds() // 60)
        return f"{value.isoformat()} is outside {EARLIEST:%Y-%m-%d} .. now + {minutes} minutes"
    return ""

