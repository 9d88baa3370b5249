"""What a run will do: per Zoho item create, adopt, update or leave alone; SKU conflicts aside.

Matching, in order: the Odoo id stored in the link table (if that product still exists in Odoo,
archived or not), then the SKU (default_code, archived products included), else a new product.
A SKU carried by two or more unlinked Odoo products is a conflict for a person to resolve:
the item is skipped and reported, never matched by guess, never created a second time.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from odoo.answers import record_int, record_str
from odoo.client import OdooClient
from odoo.models import OdooProductLink
from odoo.services.mapping import Mapped
from odoo.services.target import CONTEXT

MODEL = "product.template"
READ_CHUNK = 1000


@dataclass
class Change:
    mapped: Mapped
    odoo_id: int | None = None
    link: OdooProductLink | None = None
    vals: dict[str, Any] = field(default_factory=dict)  # what will be written (all values, or the changed ones)


@dataclass
class Plan:
    create: list[Change] = field(default_factory=list)
    adopt: list[Change] = field(default_factory=list)
    update: list[Change] = field(default_factory=list)
    unchanged: int = 0
    conflicts: dict[str, list[int]] = field(default_factory=dict)  # SKU -> Odoo ids
    relinked: int = 0  # links whose Odoo product was gone (deleted in Odoo)

    @property
    def archive(self) -> list[Change]:
        return [c for c in self.update + self.adopt if c.vals.get("active") is False]


def plan_build(*, mapped: list[Mapped], links: dict[str, OdooProductLink], client: OdooClient) -> Plan:
    plan = Plan()
    linked: list[Change] = []
    new: list[Mapped] = []
    for item in mapped:
        link = links.get(item.zoho_item_id)
        if link is None:
            new.append(item)
        elif link.pushed_hash == item.hash:
            plan.unchanged += 1
        else:
            linked.append(Change(item, odoo_id=link.odoo_template_id, link=link))
    present = _existing_ids(client, [c.odoo_id for c in linked])
    for change in linked:
        if change.odoo_id in present:
            assert change.link is not None, "linked changes carry their link"
            change.vals = _diff(change.mapped.values, change.link.pushed_values)
            plan.update.append(change)
        else:
            plan.relinked += 1
            new.append(change.mapped)
    _match_skus(plan, new, client=client, taken={link.odoo_template_id for link in links.values()}, links=links)
    return plan


def _diff(values: dict[str, Any], pushed: dict[str, Any]) -> dict[str, Any]:
    """Only the fields that changed since the last push (all of them when nothing was stored)."""
    changed = {k: v for k, v in values.items() if k not in pushed or pushed[k] != v}
    return changed or dict(values)


def _existing_ids(client: OdooClient, ids: list[int | None]) -> set[int]:
    found: set[int] = set()
    wanted = [i for i in ids if i]
    for start in range(0, len(wanted), READ_CHUNK):
        chunk = wanted[start:start + READ_CHUNK]
        rows = client.search_read(MODEL, [("id", "in", chunk)], ["id"], context=CONTEXT)
        found.update(record_int(row, "id", f"{MODEL}.search_read") for row in rows)
    return found


def _match_skus(plan: Plan, new: list[Mapped], *, client: OdooClient, taken: set[int],
                links: dict[str, OdooProductLink]) -> None:
    by_sku = _odoo_by_sku(client, sorted({m.sku for m in new if m.sku}), taken=taken)
    zoho_skus: defaultdict[str, int] = defaultdict(int)
    for item in new:
        zoho_skus[item.sku] += 1
    for item in new:
        matches = by_sku.get(item.sku, []) if item.sku else []
        link = links.get(item.zoho_item_id)
        if len(matches) > 1 or (matches and zoho_skus[item.sku] > 1):
            plan.conflicts[item.sku] = sorted(matches)
        elif matches:
            plan.adopt.append(Change(item, odoo_id=matches[0], link=link, vals=dict(item.values)))
        else:
            plan.create.append(Change(item, link=link, vals=dict(item.values)))


def _odoo_by_sku(client: OdooClient, skus: list[str], *, taken: set[int]) -> dict[str, list[int]]:
    """SKU -> ids of Odoo products with that internal reference not yet linked to a Zoho item."""
    out: dict[str, list[int]] = defaultdict(list)
    for start in range(0, len(skus), READ_CHUNK):
        rows = client.search_read(MODEL, [("default_code", "in", skus[start:start + READ_CHUNK])],
                                  ["id", "default_code"], context=CONTEXT)
        for row in rows:
            odoo_id = record_int(row, "id", f"{MODEL}.search_read")
            if odoo_id not in taken:
                out[record_str(row, "default_code", f"{MODEL}.search_read", empty=True)].append(odoo_id)
    return out
