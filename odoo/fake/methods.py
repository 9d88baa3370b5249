"""The public ORM methods the fake answers, with Odoo's Python signatures, per version profile.

Every protocol (XML-RPC, JSON-RPC, the web client's call_kw, JSON-2) binds its arguments to
these signatures the way Odoo does: positional `args` (ids first for record methods) and
`kwargs` by name, or for JSON-2 every argument by name plus `ids`. A call that does not bind
raises TypeError with Python's message. `lookup` refuses private names (a leading underscore,
or `init`) with AccessError and unknown ones with AttributeError, in each version's words.
"""
from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from odoo.fake.exceptions import AccessError
from odoo.fake.names import name_search
from odoo.fake.orm import Database
from odoo.fake.profiles import Profile

Context = dict[str, Any]
ACCESS_MODES = ("read", "write", "create", "unlink")


def _search(db: Database, model: str, ctx: Context, domain: list, offset: int = 0, limit: int | None = None,
            order: str | None = None) -> list[int]:
    return db.search(model, domain, offset=offset, limit=limit, order=order, context=ctx)


def _search_count(db: Database, model: str, ctx: Context, domain: list, limit: int | None = None) -> int:
    return len(db.search(model, domain, limit=limit, context=ctx))


def _search_read(db: Database, model: str, ctx: Context, domain: list | None = None, fields: list | None = None,
                 offset: int = 0, limit: int | None = None, order: str | None = None, **read_kwargs: Any) -> list[dict]:
    ids = db.search(model, domain or [], offset=offset, limit=limit, order=order, context=ctx)
    return _read(db, model, ctx, ids, fields, **read_kwargs)


def _read(db: Database, model: str, ctx: Context, ids: list[int], fields: list | None = None,
          load: str | None = "_classic_read") -> list[dict]:
    return db.read(model, ids, fields, load=load, context=ctx)


def _create(db: Database, model: str, ctx: Context, vals_list: Any) -> Any:
    if isinstance(vals_list, dict):  # create(dict) -> id, create([dict, ...]) -> [ids]
        return db.create(model, [vals_list], context=ctx)[0]
    return db.create(model, list(vals_list), context=ctx)


def _write(db: Database, model: str, ctx: Context, ids: list[int], vals: dict) -> bool:
    return db.write(model, list(ids), vals, context=ctx)


def _unlink(db: Database, model: str, ctx: Context, ids: list[int]) -> bool:
    return db.unlink(model, list(ids))


def _fields_get(db: Database, model: str, ctx: Context, allfields: list | None = None,
                attributes: list | None = None) -> dict:
    fields = db.model(model)
    names = [n for n in (allfields or fields) if n in fields]
    return {name: fields[name].describe(attributes) for name in names}


def _default_get(db: Database, model: str, ctx: Context, fields_list: list) -> dict:
    return db.default_get(model, list(fields_list), ctx)


def _context_get(db: Database, model: str, ctx: Context) -> dict:
    return {"lang": "en_US", "tz": "Asia/Baghdad", "uid": ctx["uid"]}


def _check_access_rights(db: Database, model: str, ctx: Context, operation: str,
                         raise_exception: bool = True) -> bool | None:
    """The fake's only user is an administrator: every operation is allowed.

    From 18 the method is a deprecated alias of check_access (which returns None) when it may
    raise, and of has_access otherwise; None cannot cross XML-RPC, so Odoo answers a fault.
    """
    _access_mode(operation)
    return None if db.profile.major >= 18 and raise_exception else True


def _check_access(db: Database, model: str, ctx: Context, ids: list[int], operation: str) -> None:
    _access_mode(operation)


def _has_access(db: Database, model: str, ctx: Context, ids: list[int], operation: str) -> bool:
    _access_mode(operation)
    return True


def _access_mode(operation: str) -> None:
    if operation not in ACCESS_MODES:
        raise AssertionError("Invalid access mode")  # Odoo's ir.model.access asserts it


def _check_object_reference(db: Database, model: str, ctx: Context, module: str, xml_id: str,
                            raise_on_access_error: bool = False) -> list[Any]:
    """(model, res_id) of an XML id; res_id is False when the record is not visible (e.g. archived)."""
    rows = db.search("ir.model.data", [("module", "=", module), ("name", "=", xml_id)])
    if not rows:
        raise ValueError(f"External ID not found in the system: {module}.{xml_id}")
    row = db.tables["ir.model.data"][rows[0]]
    if db.search(row["model"], [("id", "=", row["res_id"])]):
        return [row["model"], row["res_id"]]
    if raise_on_access_error:
        raise AccessError(f"Not enough access rights on the external ID {f'{module}.{xml_id}'!r}")
    return [row["model"], False]


def _name_search_17(db: Database, model: str, ctx: Context, name: str = "", args: list | None = None,
                    operator: str = "ilike", limit: int | None = 100) -> list[list[Any]]:
    return name_search(db, model, ctx, name=name, domain=args, operator=operator, limit=limit)


def _name_search_19(db: Database, model: str, ctx: Context, name: str = "", domain: list | None = None,
                    operator: str = "ilike", limit: int | None = 100) -> list[list[Any]]:
    return name_search(db, model, ctx, name=name, domain=domain, operator=operator, limit=limit)


# name -> (function, takes ids: a record method rather than an @api.model one)
Table = dict[str, tuple[Callable[..., Any], bool]]
METHODS: Table = {
    "search": (_search, False), "search_count": (_search_count, False), "search_read": (_search_read, False),
    "read": (_read, True), "create": (_create, False), "write": (_write, True), "unlink": (_unlink, True),
    "fields_get": (_fields_get, False), "default_get": (_default_get, False),
    "check_access_rights": (_check_access_rights, False), "context_get": (_context_get, False),
    "check_object_reference": (_check_object_reference, False),
}
# 18 merged access checks into check_access/has_access; 18.3 renamed name_search's `args` to `domain`.
SINCE: dict[int, Table] = {17: {"name_search": (_name_search_17, False)},
         18: {"check_access": (_check_access, True), "has_access": (_has_access, True)},
         19: {"name_search": (_name_search_19, False)}}
MODEL_ONLY = {"context_get": "res.users", "check_object_reference": "ir.model.data"}


def methods_for(profile: Profile) -> Table:
    table = dict(METHODS)
    for major in sorted(SINCE):
        if major <= profile.major:
            table.update(SINCE[major])
    return table


def check_method_name(profile: Profile, model: str, method: str) -> None:
    """AccessError for a private name: a leading underscore (and `init` up to 18)."""
    if method.startswith("_") or (method == "init" and profile.major < 19):
        shown = f"'{model}.{method}'" if profile.major >= 19 else method
        raise AccessError(f"Private methods (such as {shown}) cannot be called remotely.")


def lookup(profile: Profile, model: str, method: str) -> tuple[Callable[..., Any], bool]:
    """The method, or AccessError (private name) / AttributeError (unknown), worded as each version words it."""
    check_method_name(profile, model, method)
    table = methods_for(profile)
    if method not in table or MODEL_ONLY.get(method, model) != model:
        if profile.major >= 19:
            raise AttributeError(f"The method '{model}.{method}' does not exist")
        raise AttributeError(f"The method '{method}' does not exist on the model '{model}'")
    return table[method]


def bind(func: Callable[..., Any], args: list[Any], kwargs: dict[str, Any]) -> inspect.BoundArguments:
    """Bind like Python would (TypeError on a missing or unexpected argument)."""
    signature = inspect.signature(func)
    params = list(signature.parameters.values())[3:]  # db, model, ctx are ours
    return signature.replace(parameters=params).bind(*args, **kwargs)
