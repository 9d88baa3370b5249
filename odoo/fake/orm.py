"""An in-memory ORM with the semantics of Odoo's external API (one database).

Each call runs under one lock and is all-or-nothing, as each RPC call is its own transaction
in Odoo: values are checked for every record before any is stored. Empty values read as False,
many2one fields read as [id, display name] (as the bare id with any `load` but the default
"_classic_read"), `active` records only unless the domain mentions `active` or the context says
active_test=False. Model-specific rules plug in as hooks (see products.py and data.py).
"""
from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from odoo.fake.domain import compile_domain, mentions_active
from odoo.fake.exceptions import MissingError, UserError, ValidationError
from odoo.fake.profiles import Profile
from odoo.fake.schema import Field, model_fields

Record = dict[str, Any]
Hook = Callable[["Database", str, list[Record], dict[str, Any]], None]
UnlinkHook = Callable[["Database", list[Record]], None]
Compute = Callable[["Database", Record, dict[str, Any]], Any]


class Database:
    def __init__(self, name: str, profile: Profile) -> None:
        self.name = name
        self.profile = profile
        self.fields = model_fields(profile)
        self.tables: dict[str, dict[int, Record]] = {model: {} for model in self.fields}
        self.next_id: dict[str, int] = {model: 1 for model in self.fields}
        self.lock = threading.RLock()
        # Model-specific rules (product.template's variant, UoM categories, ...), see products.py.
        self.before_create: dict[str, Hook] = {}
        self.after_create: dict[str, Hook] = {}
        self.before_write: dict[str, Hook] = {}
        self.after_write: dict[str, Hook] = {}
        self.after_unlink: dict[str, UnlinkHook] = {}
        self.display: dict[str, Callable[[Record], str]] = {}  # display_name when it is not just `name`
        self.computed: dict[str, dict[str, Compute]] = {}  # fields computed when read, per model
        self.defaults: dict[str, Callable[[Database], dict[str, Any]]] = {}  # defaults that need the data

    # --- reading ---------------------------------------------------------------------

    def model(self, model: str) -> dict[str, Field]:
        if model not in self.fields:
            raise KeyError(model)  # what Odoo's registry raises for an unknown model
        return self.fields[model]

    def search(self, model: str, domain: list[Any] | None = None, *, offset: int = 0, limit: int | None = None,
               order: str | None = None, context: dict[str, Any] | None = None) -> list[int]:
        fields = self.model(model)
        domain = list(domain or [])
        predicate = compile_domain(domain, set(fields))
        active_filter = ("active" in fields and (context or {}).get("active_test", True)
                         and not mentions_active(domain))
        rows = [r for r in self.tables[model].values()
                if (not active_filter or r.get("active", True)) and predicate(r)]
        rows = _ordered(rows, order or "id")
        ids = [r["id"] for r in rows]
        return ids[offset:offset + limit] if limit else ids[offset:]

    def read(self, model: str, ids: Iterable[int], fields: list[str] | None = None, *,
             load: str | None = "_classic_read", context: dict[str, Any] | None = None) -> list[Record]:
        schema = self.model(model)
        names = list(fields or schema)
        unknown = [n for n in names if n not in schema]
        if unknown:
            raise ValueError(f"Invalid field {unknown[0]!r} on model {model!r}")
        table = self.tables[model]
        out = []
        for record_id in ids:
            if record_id not in table:
                raise MissingError(f"Record does not exist or has been deleted.\n"
                                   f"(Record: {model}({record_id},), User: 2)")
            out.append(self._present(model, table[record_id], names, load == "_classic_read", context or {}))
        return out

    def display_name(self, model: str, record: Record | None) -> str:
        if record is None:
            return ""
        show = self.display.get(model)
        return show(record) if show else str(record.get("name") or "")

    def default_get(self, model: str, fields: list[str], context: dict[str, Any]) -> dict[str, Any]:
        """Defaults of the named fields: declared ones, the data's (e.g. a product's unit), `default_<field>` keys."""
        schema = self.model(model)
        known = {n: f.default for n, f in schema.items() if f.default is not None}
        known.update(self.defaults[model](self) if model in self.defaults else {})
        known.update({k[len("default_"):]: v for k, v in context.items() if k.startswith("default_")})
        return {name: known[name] for name in fields if name in known and name in schema}

    def _present(self, model: str, record: Record, names: list[str], classic: bool, context: dict[str, Any]) -> Record:
        schema = self.fields[model]
        computed = self.computed.get(model, {})
        row: Record = {"id": record["id"]}
        for name in names:
            value = computed[name](self, record, context) if name in computed else record.get(name, False)
            field = schema[name]
            if field.type == "many2one" and value:
                target = self.tables[field.relation].get(value)
                if not target:
                    value = False
                elif classic:
                    value = [value, self.display_name(field.relation, target)]
            elif field.type in ("many2many", "one2many"):
                value = list(value or [])
            elif name == "display_name":
                value = self.display_name(model, record)
            elif value is None or (value == "" and field.type not in ("float", "integer")):
                value = False
            row[name] = value
        return row

    # --- writing ---------------------------------------------------------------------

    def create(self, model: str, vals_list: list[dict[str, Any]], *, context: dict[str, Any] | None = None
               ) -> list[int]:
        schema = self.model(model)
        prepared = []
        for vals in vals_list:
            self._check_vals(model, schema, vals)
            record = {name: _default(field) for name, field in schema.items() if name not in COMPUTED}
            record.update(self._coerce(schema, vals))
            prepared.append(record)
        with self.lock:
            hook = self.before_create.get(model)
            if hook:
                hook(self, model, prepared, context or {})
            for record in prepared:
                self._check_required(model, schema, record)
            stamp = _now()
            for record in prepared:
                record.update(id=self.next_id[model], create_date=stamp, write_date=stamp)
                self.next_id[model] += 1
                self.tables[model][record["id"]] = record
            if model in self.after_create:
                self.after_create[model](self, model, prepared, context or {})
        return [r["id"] for r in prepared]

    def write(self, model: str, ids: list[int], vals: dict[str, Any], *,
              context: dict[str, Any] | None = None) -> bool:
        schema = self.model(model)
        self._check_vals(model, schema, vals)
        values = self._coerce(schema, vals)
        with self.lock:
            table = self.tables[model]
            missing = [i for i in ids if i not in table]
            if missing:
                raise MissingError(f"Record does not exist or has been deleted.\n"
                                   f"(Record: {model}({missing[0]},), User: 2)")
            staged = [{**table[i], **values} for i in ids]
            hook = self.before_write.get(model)
            if hook:
                hook(self, model, staged, {**(context or {}), "vals": values})
            for record in staged:
                self._check_required(model, schema, record)
            stamp = _now()
            for record in staged:
                record["write_date"] = stamp
                table[record["id"]] = record
            if model in self.after_write:
                self.after_write[model](self, model, staged, {**(context or {}), "vals": values})
        return True

    def unlink(self, model: str, ids: list[int]) -> bool:
        """Delete the records (ids already gone are skipped, as Odoo does for unlink); hooks cascade."""
        self.model(model)
        with self.lock:
            removed = [r for r in (self.tables[model].pop(i, None) for i in ids) if r is not None]
            if removed and model in self.after_unlink:
                self.after_unlink[model](self, removed)
        return True

    def _check_vals(self, model: str, schema: dict[str, Field], vals: Any) -> None:
        if not isinstance(vals, dict):
            raise ValueError(f"expected a dict of values for {model}, got {type(vals).__name__}")
        for name in vals:
            if name not in schema:
                raise ValueError(f"Invalid field {name!r} on model {model!r}")
            field = schema[name]
            if field.type == "selection" and vals[name] not in (False, *field.selection):
                raise ValueError(f"Wrong value for {model}.{name}: {vals[name]!r}")
            if field.type == "many2one" and vals[name] and vals[name] not in self.tables[field.relation]:
                raise MissingError(f"Record does not exist or has been deleted.\n"
                                   f"(Record: {field.relation}({vals[name]},), User: 2)")

    def _coerce(self, schema: dict[str, Field], vals: dict[str, Any]) -> dict[str, Any]:
        out = {}
        for name, value in vals.items():
            field = schema[name]
            if field.type == "float" and value is not False:
                value = float(value)
                if field.digits is not None:  # Odoo rounds half-up to the field's decimal precision
                    step = Decimal(1).scaleb(-field.digits[1])
                    value = float(Decimal(repr(value)).quantize(step, ROUND_HALF_UP))
            out[name] = value
        return out

    def _check_required(self, model: str, schema: dict[str, Field], record: Record) -> None:
        for name, field in schema.items():
            if field.required and name not in COMPUTED and record.get(name) in (False, None, ""):
                raise ValidationError(f"The operation cannot be completed: Missing required value for the "
                                      f"field '{field.string}' ({name}).\nModel: {model}")

    def xmlid(self, module: str, name: str) -> int:
        for row in self.tables["ir.model.data"].values():
            if row["module"] == module and row["name"] == name:
                return row["res_id"]
        raise ValueError(f"External ID not found in the system: {module}.{name}")


COMPUTED = {"id", "display_name", "create_date", "write_date"}


def _default(field: Field) -> Any:
    if field.default is not None:
        return field.default
    if field.type == "boolean":
        return False
    if field.type in ("many2many", "one2many"):
        return []
    if field.type in ("float", "integer"):
        return 0
    return False


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")  # Odoo's datetime strings, UTC


def _sort_key(value: Any) -> tuple[int, Any]:
    if isinstance(value, (bool, int, float)):
        return (0, value)
    return (1, "") if value in (False, None) else (0, str(value))


def _by_field(name: str) -> Callable[[Record], Any]:
    return lambda r: _sort_key(r.get(name))


def _ordered(rows: list[Record], order: str) -> list[Record]:
    for part in reversed([p.strip() for p in order.split(",") if p.strip()]):
        name, _, direction = part.partition(" ")
        rows.sort(key=_by_field(name), reverse=direction.strip().lower() == "desc")
    return rows


__all__ = ["Database", "UserError", "ValidationError", "MissingError"]
