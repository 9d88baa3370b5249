"""A local product (the Zoho mirror) as the product.template values TDS pushes to Odoo.

Prices: Zoho's USD rate x ODOO_USD_TO_IQD with Decimal, rounded half-up to ODOO_PRICE_DECIMALS
(whole dinars by default). An empty Zoho rate leaves Odoo's price alone (no key at all), and
so does an unknown unit: both are reported, never guessed. The hash covers exactly the values
pushed, so a change anywhere (including a unit created in Odoo later) means one write.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

# Zoho unit names and the standard Odoo unit each stands for (Odoo's names are in en_US).
UNIT_ALIASES = {"pcs": "Units", "pc": "Units", "piece": "Units", "pieces": "Units", "unit": "Units",
                "units": "Units", "nos": "Units", "ea": "Units", "each": "Units", "kgs": "kg", "kilogram": "kg",
                "gram": "g", "grams": "g", "litre": "L", "liter": "L", "litres": "L", "ltr": "L", "meter": "m",
                "metre": "m", "hour": "Hours", "hours": "Hours", "hrs": "Hours", "day": "Days", "days": "Days",
                "dozen": "Dozens", "dz": "Dozens"}


@dataclass(frozen=True)
class MappingRules:
    rate: Decimal
    decimals: int
    units: dict[str, int]  # lower-cased Odoo unit name -> uom.uom id (archived units included)
    aliases: dict[str, str]
    type_fields: tuple[str, ...]  # which of detailed_type / type / is_storable the server has
    uom_po: bool  # 16-18: uom_po_id must follow uom_id (same category)


@dataclass
class Mapped:
    zoho_item_id: str
    sku: str
    values: dict[str, Any]
    hash: str
    missing_unit: str = ""
    no_price: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


def usd_to_iqd(amount: Decimal, *, rate: Decimal, decimals: int) -> Decimal:
    return (Decimal(amount) * rate).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def product_map(row: dict[str, Any], *, rules: MappingRules) -> Mapped:
    """`row` holds the Product columns used here (see PRODUCT_COLUMNS)."""
    active = bool(row["is_active"]) and row["deleted_in_zoho_at"] is None
    values: dict[str, Any] = {"name": row["name"] or row["sku"] or row["zoho_item_id"],
                              "default_code": row["sku"] or False,
                              "description_sale": row["description"] or False, "active": active}
    if row["unit_price"] is not None:
        values["list_price"] = float(usd_to_iqd(row["unit_price"], rate=rules.rate, decimals=rules.decimals))
    if row["cost_price"] is not None:
        values["standard_price"] = float(usd_to_iqd(row["cost_price"], rate=rules.rate, decimals=rules.decimals))
    unit_id = _unit(row["unit"], rules)
    if unit_id:
        values["uom_id"] = unit_id
        if rules.uom_po:
            values["uom_po_id"] = unit_id
    values.update(_type(row, rules.type_fields))
    return Mapped(zoho_item_id=row["zoho_item_id"], sku=row["sku"] or "", values=values, hash=values_hash(values),
                  missing_unit="" if unit_id or not row["unit"] else row["unit"], no_price=row["unit_price"] is None)


PRODUCT_COLUMNS = ("zoho_item_id", "sku", "name", "description", "unit_price", "cost_price", "unit", "item_type",
                   "product_type", "is_active", "deleted_in_zoho_at")


def values_hash(values: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(values, sort_keys=True, default=str).encode()).hexdigest()


def _unit(name: str, rules: MappingRules) -> int | None:
    if not name:
        return None
    key = name.strip().lower()
    target = rules.aliases.get(key, name.strip())
    return rules.units.get(target.lower())


def _type(row: dict[str, Any], fields: tuple[str, ...]) -> dict[str, Any]:
    """Zoho's item/product type as Odoo's product type, in the fields this server version has."""
    service = row["product_type"] == "service"
    tracked = row["item_type"] == "inventory" and not service
    if "detailed_type" in fields:  # 16-17
        return {"detailed_type": "service" if service else "product" if tracked else "consu"}
    out: dict[str, Any] = {"type": "service" if service else "consu"}
    if "is_storable" in fields:  # 18+ with the stock app
        out["is_storable"] = tracked
    return out


def unit_aliases(configured: list[str]) -> dict[str, str]:
    """Built-in aliases plus ODOO_UNIT_MAP entries ("box=Box")."""
    aliases = dict(UNIT_ALIASES)
    for entry in configured:
        zoho, _, odoo = entry.partition("=")
        if zoho.strip() and odoo.strip():
            aliases[zoho.strip().lower()] = odoo.strip()
    return aliases
