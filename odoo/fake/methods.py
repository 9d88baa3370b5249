"""The public ORM methods the fake answers, with Odoo's Python signatures.

Both protocols bind their arguments to these signatures the way Odoo does: XML-RPC passes
`args` positionally (ids first for record methods) and `kwargs` by name; JSON-2 passes every
argument by name plus `ids`. A call that does not bind raises TypeError with Python's message.
"""
from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from odoo.fake.orm import Database

Context = dict[str, Any]


def _search(db: Database, model: str, ctx: Context, domain: list, offset: int = 0, limit: int | None = None,
            order: str | None = None) -> list[int]:
    return db.search(model, domain, offset=offset, limit=limit, order=order, context=ctx)


def _search_count(db: Database, model: str, ctx: Context, domain: list, limit: int | None = None) -> int:
    return len(db.search(model, domain, limit=limit, context=ctx))


def _search_read(db: Database, model: str, ctx: Context, domain: list | None = None, fields: list | None = None,
                 offset: int = 0, limit: int | None = None, order: str | None = None) -> list[dict]:
    ids = db.search(model, domain or [], offset=offset, limit=limit, order=order, context=ctx)
    return db.read(model, ids, fields)


def _read(db: Database, model: str, ctx: Context, ids: list[int], fields: list | None = None,
          load: str = "_classic_read") -> list[dict]:
    return db.read(model, ids, fields)


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


def _context_get(db: Database, model: str, ctx: Context) -> dict:
    return {"lang": "en_US", "tz": "Asia/Baghdad", "uid": ctx["uid"]}


# name -> (function, takes ids: a record method rather than an @api.model one)
METHODS: dict[str, tuple[Callable[..., Any], bool]] = {
    "search": (_search, False), "search_count": (_search_count, False), "search_read": (_search_read, False),
    "read": (_read, True), "create": (_create, False), "write": (_write, True), "unlink": (_unlink, True),
    "fields_get": (_fields_get, False), "context_get": (_context_get, False),
}
MODEL_ONLY = {"context_get": "res.users"}


def lookup(model: str, method: str) -> tuple[Callable[..., Any], bool]:
    if method not in METHODS or MODEL_ONLY.get(method, model) != model:
        raise AttributeError(f"The method '{method}' does not exist on the model '{model}'")
    return METHODS[method]


def bind(func: Callable[..., Any], args: list[Any], kwargs: dict[str, Any]) -> inspect.BoundArguments:
    """Bind like Python would (TypeError on a missing or unexpected argument)."""
    signature = inspect.signature(func)
    params = list(signature.parameters.values())[3:]  # db, model, ctx are ours
    return signature.replace(parameters=params).bind(*args, **kwargs)
