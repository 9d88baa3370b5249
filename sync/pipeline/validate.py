"""Ingest validation: a record is accepted only when every value it puts in a typed column can be
stored and read back faithfully.

The webhook view runs the entity's own mapper (and line mapper) on the record and checks each
mapped value against its model field: decimals finite and within the column's digits, timestamps
inside the window Python, PostgreSQL and the stale-version guard can all work with, text within
its length. What fails here would fail at apply, or worse, be stored and poison every later read
of its row, so it is refused at the door with the reason.
"""
from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from django.db import models

from sync.entities import get_spec, spec_for
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
    problems = _row_problems(spec.model, row, moment)
    if lines and spec.lines is not None:
        line_model = spec.model._meta.apps.get_model("sync", spec.lines.model)
        for line in lines:
            problems += [f"line {line.get(spec.lines.key, '?')}: {p}" for p in _row_problems(line_model, line, moment)]
    return problems


def _row_problems(model: type[models.Model], row: dict[str, Any], now: datetime) -> list[str]:
    fields = {f.name: f for f in model._meta.concrete_fields}
    problems = []
    for name, value in row.items():
        field = fields.get(name)
        if field is None or value is None:
            continue
        problem = _value_problem(field, value, now)
        if problem:
            problems.append(f"{name}: {problem}")
    return problems


def _value_problem(field: models.Field, value: Any, now: datetime) -> str:
    if isinstance(field, models.DecimalField) and isinstance(value, Decimal):
        return _decimal_problem(value, field.max_digits or 0, field.decimal_places or 0)
    if isinstance(field, models.DateTimeField) and isinstance(value, datetime):
        return _time_problem(value, now, windowed=field.name == "zoho_last_modified")
    if isinstance(field, models.CharField) and isinstance(value, str) and field.max_length:
        return f"longer than {field.max_length} characters" if len(value) > field.max_length else ""
    return ""


def _decimal_problem(value: Decimal, max_digits: int, places: int) -> str:
    if not value.is_finite():
        return f"{value} is not a number"
    whole_digits = len(str(abs(value).quantize(Decimal(1), rounding="ROUND_DOWN")).lstrip("0"))
    if max_digits and whole_digits > max_digits - places:
        return f"{value} has more than {max_digits - places} digits before the decimal point"
    return ""


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

