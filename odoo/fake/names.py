"""name_search: the records whose name matches, as [id, display name] pairs, at most `limit` (falsy: all).

Any model: an empty name with `like`/`ilike` adds no condition; otherwise (name, operator, name)
joins the caller's domain. Products search as Odoo's product module does: an exact internal
reference first, else an exact barcode, else matching references followed by matching names; a
negative operator keeps a product when its name and its reference (if any) both satisfy it; a
name like "[REF] something" falls back to that reference. Templates search by name only when the
name is empty. Results come in the fake's search order (ids), as everywhere in the fake.
"""
from __future__ import annotations

import re
from typing import Any

from odoo.fake.orm import Database

POSITIVE = ("=", "ilike", "=ilike", "like", "=like")
NEGATIVE = ("!=", "not like", "not ilike", "not in")
PRODUCTS = ("product.product", "product.template")


def name_search(db: Database, model: str, ctx: dict[str, Any], *, name: str, domain: list[Any] | None,
                operator: str, limit: int | None) -> list[list[Any]]:
    domain = list(domain or [])
    if model in PRODUCTS and (name or model == "product.product"):
        ids = _product_ids(db, model, ctx, name=name, domain=domain, operator=operator, limit=limit)
    elif name == "" and operator in ("like", "ilike"):
        ids = db.search(model, domain, limit=limit, context=ctx)
    else:
        ids = db.search(model, [*domain, ("name", operator, name)], limit=limit, context=ctx)
    return [[row["id"], row["display_name"]] for row in db.read(model, ids, ["display_name"], context=ctx)]


def _product_ids(db: Database, model: str, ctx: dict[str, Any], *, name: str, domain: list[Any], operator: str,
                 limit: int | None) -> list[int]:
    def search(extra: list[Any], size: int | None) -> list[int]:
        return db.search(model, [*domain, *extra], limit=size, context=ctx)

    ids: list[int] = []
    if name and operator in POSITIVE:
        ids = search([("default_code", "=", name)], limit) or search([("barcode", "=", name)], limit)
    if not ids and operator not in NEGATIVE:
        ids = search([("default_code", operator, name)], limit)
        if not limit or len(ids) < limit:
            ids += search([("name", operator, name), ("id", "not in", ids)], limit - len(ids) if limit else None)
    elif not ids:
        ids = search(["|", "&", ("default_code", operator, name), ("name", operator, name),
                      "&", ("default_code", "=", False), ("name", operator, name)], limit)
    reference = re.search(r"\[(.*?)\]", name) if not ids and operator in POSITIVE else None
    if reference:
        ids = search([("default_code", "=", reference.group(1))], limit)
    return ids
