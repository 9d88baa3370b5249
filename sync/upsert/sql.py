"""Bulk row writers behind the one upsert: COPY + INSERT … ON CONFLICT on PostgreSQL, the ORM elsewhere.

Measured on this 2-core machine: Django's bulk_create upsert manages ~2,200 rows/s, COPY into a
temp table + INSERT … SELECT … ON CONFLICT 15–19k rows/s. The PostgreSQL statement also
carries the stale-version guard, so two writers racing on one record cannot let the older
version win even between our read of the existing rows and the write.
"""
from __future__ import annotations

import json
import zlib
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import orjson
from django.db import IntegrityError, connection, models, transaction

GUARD_COLUMN = "zoho_last_modified"


def _json_default(value: Any) -> str:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    raise TypeError(type(value).__name__)


def dump_json(value: Any) -> str | None:
    """JSON text for a jsonb column: orjson (raw payloads are ~2 KB; json.dumps was a tenth of a
    first load's CPU), the standard library for what orjson refuses (e.g. integers over 64 bits)."""
    if value is None:
        return None
    try:
        return orjson.dumps(value, default=_json_default).decode()
    except TypeError:
        return json.dumps(value, default=_json_default)


def columns_for(model: type[models.Model], names: Sequence[str]) -> list[tuple[str, str, bool]]:
    """(row key, db column, is json) for each row key, in order."""
    return [(name, db_column(model, name), isinstance(model_field(model, name), models.JSONField)) for name in names]


def model_field(model: type[models.Model], name: str) -> models.Field:
    """The model's own field ``name``; a reverse relation has no column, so asking for one is a bug."""
    field = model._meta.get_field(name)
    if not isinstance(field, models.Field):
        raise TypeError(f"{model.__name__}.{name} is a reverse relation, not a column")
    return field


def db_column(model: type[models.Model], name: str) -> str:
    column = model_field(model, name).column
    if column is None:
        raise TypeError(f"{model.__name__}.{name} has no database column")
    return column


def col_list_key(cols: list[tuple[str, str, bool]]) -> bytes:
    return ",".join(c for _, c, _ in cols).encode()


def relax_commit() -> None:
    """Inside a bulk transaction on PostgreSQL: commit without waiting for the WAL flush.

    A crash can lose the last few commits, never half of one, and WAL order is kept, so a
    cursor can never be durable without the rows before it; a mirror re-pulls what is lost.
    """
    if connection.vendor == "postgresql" and connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")


def write_rows(*, model: type[models.Model], rows: list[dict[str, Any]], conflict: Sequence[str],
               keep_on_update: Sequence[str] = ("created_at",), guard: bool = False, all_new: bool = False) -> None:
    """Insert or update rows (dicts of model field names, same keys in every row).

    ``all_new``: the caller found none of the keys stored, so on PostgreSQL the rows are copied
    straight into the table; should a concurrent writer have inserted one meanwhile, the
    savepoint is rolled back and the rows go the ON CONFLICT way.

    Two paths on purpose: COPY into a temp table, then INSERT … ON CONFLICT with the stale
    guard, is PostgreSQL's speed path and SQLite has no COPY; there the rows go through
    bulk_create(update_conflicts=True). The caller already dropped stale rows, and SQLite runs
    one writer at a time, so the guard has no concurrent writer to stop there. The whole upsert
    suite runs on either database (CI runs it on PostgreSQL).
    """
    if not rows:
        return
    if connection.vendor == "postgresql":
        if all_new and _copy_new(model, rows):
            return
        _write_pg(model, rows, conflict, keep_on_update, guard)
    else:
        _write_orm(model, rows, conflict, keep_on_update)


def _write_orm(model: type[models.Model], rows: list[dict[str, Any]], conflict: Sequence[str],
               keep_on_update: Sequence[str]) -> None:
    names = list(rows[0])
    attnames = {n: model_field(model, n).attname for n in names}
    objs = [model(**{attnames[k]: v for k, v in row.items()}) for row in rows]
    update = [n for n in names if n not in conflict and n not in keep_on_update]
    model._default_manager.bulk_create(objs, update_conflicts=True, unique_fields=list(conflict), update_fields=update,
                              batch_size=500)


def write_copy_rows(copy: Any, rows: list[dict[str, Any]], cols: list[tuple[str, str, bool]],
                    fill: dict[str, Any]) -> None:
    """Feed rows to a COPY: the given keys in column order, then the fill defaults (same for all)."""
    given = [(key, is_json) for key, _, is_json in cols if key not in fill]
    tail = [dump_json(fill[key]) if is_json else fill[key] for key, _, is_json in cols if key in fill]
    json_at = [i for i, (_, is_json) in enumerate(given) if is_json]
    keys = [key for key, _ in given]
    for row in rows:
        values = [row[key] for key in keys]
        for i in json_at:
            values[i] = dump_json(values[i])
        copy.write_row(values + tail if tail else values)


def _copy_new(model: type[models.Model], rows: list[dict[str, Any]]) -> bool:
    given = list(rows[0])
    fill = {f.name: f.get_default() for f in model._meta.concrete_fields if not f.primary_key and f.name not in given}
    cols = columns_for(model, given + list(fill))
    col_list = ", ".join(f'"{c}"' for _, c, _ in cols)
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            with cursor.cursor.copy(f'COPY "{model._meta.db_table}" ({col_list}) FROM STDIN') as copy:
                write_copy_rows(copy, rows, cols, fill)
    except IntegrityError:
        return False
    return True


def _write_pg(model: type[models.Model], rows: list[dict[str, Any]], conflict: Sequence[str],
              keep_on_update: Sequence[str], guard: bool) -> None:
    given = list(rows[0])
    # Columns the rows do not carry get their model default on INSERT (Django defaults are not
    # database defaults) and are left alone on UPDATE (e.g. image columns owned by the image sync).
    fill = {f.name: f.get_default() for f in model._meta.concrete_fields
            if not f.primary_key and f.name not in given}
    cols = columns_for(model, given + list(fill))
    table = model._meta.db_table
    temp = f"tds_tmp_{table}_{zlib.crc32(col_list_key(cols)):08x}"
    col_list = ", ".join(f'"{c}"' for _, c, _ in cols)
    conflict_cols = ", ".join(f'"{db_column(model, n)}"' for n in conflict)
    keep = {db_column(model, n) for n in (*conflict, *keep_on_update, *fill)}
    updates = ", ".join(f'"{c}" = EXCLUDED."{c}"' for _, c, _ in cols if c not in keep)
    where = ""
    if guard:
        # An undated version never replaces a dated one: NULL <= x is not true.
        where = (f' WHERE "{table}"."{GUARD_COLUMN}" IS NULL'
                 f' OR "{table}"."{GUARD_COLUMN}" <= EXCLUDED."{GUARD_COLUMN}"')
    with connection.cursor() as cursor:
        # Only the written columns, no constraints or defaults (no sequence calls, no NOT NULL on id).
        cursor.execute(f'CREATE TEMP TABLE IF NOT EXISTS "{temp}" AS SELECT {col_list} FROM "{table}" WITH NO DATA')
        raw = cursor.cursor
        with raw.copy(f'COPY "{temp}" ({col_list}) FROM STDIN') as copy:
            write_copy_rows(copy, rows, cols, fill)
        cursor.execute(f'INSERT INTO "{table}" ({col_list}) SELECT {col_list} FROM "{temp}" '
                       f"ON CONFLICT ({conflict_cols}) DO UPDATE SET {updates}{where}")
        cursor.execute(f'TRUNCATE "{temp}"')


def insert_rows(*, model: type[models.Model], rows: list[dict[str, Any]]) -> None:
    """Plain inserts of new rows keyed by column attnames (same keys in every row): COPY on
    PostgreSQL, bulk_create elsewhere."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        model._default_manager.bulk_create([model(**row) for row in rows], batch_size=1000)
        return
    names = list(rows[0])
    fields = {f.attname: f for f in model._meta.concrete_fields}
    json_cols = {n for n in names if isinstance(fields[n], models.JSONField)}
    col_list = ", ".join(f'"{fields[n].column}"' for n in names)
    with connection.cursor() as cursor:
        with cursor.cursor.copy(f'COPY "{model._meta.db_table}" ({col_list}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row([dump_json(row[n]) if n in json_cols else row[n] for n in names])


def rows_by_keys(*, model: type[models.Model], key: str, keys: Sequence[Any],
                 columns: Sequence[str]) -> list[tuple[Any, ...]]:
    """``columns`` of the rows whose ``key`` is in ``keys``. On PostgreSQL one array parameter
    (= ANY(%s)) instead of an IN list: psycopg re-parses a 1,000-placeholder query every batch."""
    if not keys:
        return []
    if connection.vendor != "postgresql":
        return list(model._default_manager.filter(**{f"{key}__in": list(keys)}).values_list(*columns))
    meta = model._meta
    select = ", ".join(f'"{db_column(model, c)}"' for c in columns)
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT {select} FROM "{meta.db_table}" WHERE "{db_column(model, key)}" = ANY(%s)',
                       [list(keys)])
        return cursor.fetchall()
