"""The one validation of a Zoho record: it becomes a row only when every value can be stored and
read back faithfully, whichever way it arrived (pull, stock sync, webhook, re-fetch).

``record_map`` is where a raw record becomes its row: the upsert calls it for every record it
writes, and the webhook door calls it (through ``record_problems``) before it stores a delivery,
so both refuse the same records with the same words. A record is refused when:

- its id, or any Zoho id it refers to (customer, item, warehouse, line), is not a Zoho id;
- a value is of a type its column cannot hold (an object or true/false where text belongs,
  "abc" where a number belongs, a time without a zone): the mappers mark it ``Unreadable``;
- text is longer than its column: refused, never cut;
- a number has more whole digits than its NUMERIC column, is not finite, or an integer is out of
  its column's range;
- a time cannot be expressed in UTC, or the version stamp lies outside EARLIEST .. now +
  FUTURE_SKEW (a version from the future would block every real edit behind the stale guard).

What callers do with a refusal: the webhook door answers 422 with the reasons; a pull or stock
sync skips the record, counts it failed and writes a SyncLog line; a queued record (a webhook
applied later, a re-fetch) goes to the dead-letter queue with the reasons.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Context, Decimal, InvalidOperation
from functools import cache
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.db import models
from django.utils import timezone

from sync.entities import EntitySpec, get_spec, spec_for
from sync.mappers.common import Unreadable, money, text, timestamp, zid
from sync.mappers.items import stock_levels
from zoho.ids import zoho_id_problem
from zoho.webhooks import EARLIEST, FUTURE_SKEW

if TYPE_CHECKING:
    from sync.ledger import RunTracker

MAX_LOGGED_PER_BATCH = 50  # SyncLog lines per batch of refusals; the count covers all of them
_INT_RANGES = {"IntegerField": (-(2**31), 2**31 - 1), "PositiveIntegerField": (0, 2**31 - 1),
               "BigIntegerField": (-(2**63), 2**63 - 1), "SmallIntegerField": (-(2**15), 2**15 - 1)}


class RecordRefused(ValueError):
    """A record that cannot be stored faithfully; ``problems`` names each value and why."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Mapped:
    row: dict[str, Any]
    lines: list[dict[str, Any]] | None  # None: the record carries no lines (a list rendering)


@dataclass(frozen=True)
class Refusal:
    """One refused record of a batch: its id when that is a Zoho id ("" otherwise) and the reasons."""

    zoho_id: str
    message: str


def record_map(*, spec: EntitySpec, record: Any, now: datetime | None = None) -> Mapped:
    """The row (and lines) of one Zoho record, or RecordRefused naming every value that cannot be stored."""
    if not isinstance(record, dict):
        raise RecordRefused([f"the record is not a JSON object but {type(record).__name__}"])
    try:
        row = spec.mapper(record)
        lines = spec.lines.mapper(record) if spec.lines is not None else None
    except Exception as exc:  # whatever the mapper trips on, the record cannot be applied
        raise RecordRefused([f"the record cannot be read as {spec.name}: {type(exc).__name__}: {exc}"[:300]]) from None
    moment = now or timezone.now()
    raw_id = record.get(spec.id_field, row.get(spec.model_id_field))
    problems = [p for p in [zoho_id_problem(spec.id_field, raw_id)] if p]
    problems += row_problems(_fields(spec.model_name), row, moment, skip={spec.model_id_field}, record=record)
    if lines and spec.lines is not None:
        line_fields = _fields(spec.lines.model)
        for line in lines:
            line_id = line.get(spec.lines.key, "?")
            problems += [f"line {line_id}: {p}" for p in row_problems(line_fields, line, moment,
                                                                     record=_line_record(record, str(line_id)))]
    if spec.stock_levels:
        problems += stock_problems(record, moment)
    if problems:
        raise RecordRefused(problems)
    return Mapped(row=row, lines=lines)


def record_problems(*, entity: str, record: Any, now: datetime | None = None) -> list[str]:
    """Why `record` cannot be stored as `entity` (empty when it can): the webhook door's check."""
    try:
        record_map(spec=get_spec(spec_for(entity).reads), record=record, now=now)
    except RecordRefused as refused:
        return refused.problems
    return []


def stock_problems(record: dict[str, Any], now: datetime) -> list[str]:
    """Why the per-warehouse stock an item record carries cannot be stored (empty when it can)."""
    fields = _stock_fields()
    problems: list[str] = []
    for entry in stock_levels(record):
        where = entry.get("zoho_warehouse_id") or "?"
        problems += [f"warehouse {where}: {p}" for p in row_problems(fields, entry, now)]
    return problems


def refusals_log(tracker: RunTracker, refusals: Iterable[Refusal]) -> None:
    """One WARNING SyncLog line per refused record of a batch (at most MAX_LOGGED_PER_BATCH)."""
    for refusal in list(refusals)[:MAX_LOGGED_PER_BATCH]:
        tracker.log(refusal.message, level="WARNING", zoho_id=refusal.zoho_id)


# --- the column checks --------------------------------------------------------------------------------


def row_problems(fields: dict[str, models.Field], row: dict[str, Any], now: datetime, *,
                 skip: Iterable[str] = (), record: dict[str, Any] | None = None) -> list[str]:
    """Why values of ``row`` cannot be stored; ``record`` (the raw Zoho record) names the field each came from."""
    problems = []
    skipped = set(skip)
    for name, value in row.items():
        if value is None or name in skipped:
            continue
        if isinstance(value, Unreadable):
            problems.append(f"{_shown(name)}: {value.reason}")
            continue
        field = fields.get(name)
        problem = _value_problem(field, value, now) if field is not None else ""
        if problem:
            # Named only now: finding the Zoho field a value came from re-reads every field of the record,
            # which cost most of a valid record's check when it was done for every value.
            problems.append(problem.format(name=_named(name, value, record or {})))
    return problems


def _named(column: str, value: Any, record: dict[str, Any]) -> str:
    """The column as messages show it, and the Zoho field it was read from where that name differs and
    one field of the record holds that value: 'unit_price (rate)'."""
    shown = _shown(column)
    if isinstance(value, bool) or not isinstance(value, (Decimal, int, datetime, str)):
        return shown
    read = money if isinstance(value, (Decimal, int)) else timestamp if isinstance(value, datetime) else text
    for key, raw in record.items():
        if key in (column, shown) or isinstance(raw, bool) or not isinstance(raw, (str, int, float)) or raw == "":
            continue
        try:  # str() first: a NaN equals nothing, and comparing a signalling NaN raises
            read_back = read(raw)
            same = str(read_back) == str(value) or read_back == value
        except (ArithmeticError, TypeError, ValueError):
            same = False
        if same:
            return f"{shown} ({key})"
    return shown


def _line_record(record: dict[str, Any], line_id: str) -> dict[str, Any]:
    """The raw line (in any list of the record) that carries this line id, to name its fields."""
    for value in record.values():
        for line in value if isinstance(value, list) else ():
            if isinstance(line, dict) and any(zid(v) == line_id for k, v in line.items() if k.endswith("_id")):
                return line
    return {}


def _shown(column: str) -> str:
    """The name a message gives a column: Zoho's field name where ours differs only by convention."""
    if column == "zoho_last_modified":
        return "last_modified_time"
    return column.removeprefix("zoho_") if _is_id_column(column) else column


def _value_problem(field: models.Field, value: Any, now: datetime) -> str:
    """Why ``value`` cannot be stored in ``field`` ("" when it can), with "{name}" where the value's name goes."""
    if _is_id_column(field.name) and value != "":
        return _braced(zoho_id_problem("\x00", value)).replace("\x00", "{name}")
    if isinstance(value, str):
        length = field.max_length if isinstance(field, models.CharField) else None
        return f"{{name}}: {len(value)} characters, its column holds {length}" if length and len(value) > length else ""
    if isinstance(value, Decimal) and isinstance(field, models.DecimalField):
        problem = _decimal_problem(value, field.max_digits or 0, field.decimal_places or 0)
        return "{name}: " + _braced(problem) if problem else ""
    if isinstance(value, int) and not isinstance(value, bool) and field.get_internal_type() in _INT_RANGES:
        low, high = _INT_RANGES[field.get_internal_type()]
        return "" if low <= value <= high else f"{{name}}: {_number(Decimal(value))} is outside {low} .. {high}"
    if isinstance(value, datetime):
        problem = _time_problem(value, now, windowed=field.name == "zoho_last_modified")
        return "{name}: " + _braced(problem) if problem else ""
    return ""


def _braced(text: str) -> str:
    """Text placed in a format string as it is (a refused value may hold braces)."""
    return text.replace("{", "{{").replace("}", "}}")


def _is_id_column(name: str) -> bool:
    """Columns holding Zoho ids: zoho_<thing>_id, and the image's document id."""
    return (name.startswith("zoho_") and name.endswith("_id")) or name == "image_document_id"


def _decimal_problem(value: Decimal, max_digits: int, places: int) -> str:
    """What the database would refuse: the value rounded to the column's places has more digits than it holds.

    Plain comparison and rounding under the column's own precision: a number such as 1e999999999 is a
    valid Decimal whose full arithmetic would run for minutes, so its size is read from the exponent.
    """
    if not value.is_finite():
        return f"{_number(value)} is not a number"
    if not max_digits:
        return ""
    whole_digits = value.adjusted() + 1 if value else 0  # digits before the point; exact for any size
    if whole_digits <= max_digits - places:
        try:
            value.quantize(Decimal(1).scaleb(-places), context=Context(prec=max_digits))
            return ""
        except InvalidOperation:  # 99999999999999.99999 rounds up to one digit more than the column holds
            whole_digits += 1
    return (f"{_number(value)} does not fit: {whole_digits} digits before the decimal point once rounded to "
            f"{places} places, its column holds {max_digits - places}")


def _number(value: Decimal) -> str:
    """The number as sent, or its magnitude when it is too long to quote."""
    shown = str(value)
    return shown if len(shown) <= 40 else f"{value:.6E}"


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


@cache
def _fields(model_name: str) -> dict[str, models.Field]:
    model = apps.get_model("sync", model_name)
    return {f.name: f for f in model._meta.concrete_fields}


@cache
def _stock_fields() -> dict[str, models.Field]:
    """A stock entry's values land in stock_levels, its warehouse id and name in warehouses."""
    warehouse = _fields("Warehouse")
    return {**_fields("StockLevel"), "zoho_warehouse_id": warehouse["zoho_warehouse_id"], "name": warehouse["name"]}
