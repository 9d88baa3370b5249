"""Base data a fresh Odoo database holds: company, currencies, units, the "All" category, ir.model.

Names and XML ids follow Odoo's data files: units of measure (some archived by default),
res.currency (IQD ships archived with rounding 0.001, hence 3 decimal places; the company's
currency is active; the symbol goes after the amount unless the data says before),
"Product Price" precision 2, one ir.model row per model the fake serves.
"""
from __future__ import annotations

import math
from typing import Any

from odoo.fake.orm import Database, Record
from odoo.fake.schema import DESCRIPTIONS

CURRENCIES = [  # name, full name, symbol, rounding, symbol position
    ("USD", "United States dollar", "$", 0.01, "before"), ("EUR", "Euro", "€", 0.01, "after"),
    ("IQD", "Iraqi dinar", " ع.د", 0.001, "after"), ("AED", "United Arab Emirates dirham", "AED", 0.01, "after"),
]
# (xmlid, name, category, uom_type, factor, active) for 16-18, with UoM categories.
UNITS_CATEGORIES = [
    ("product_uom_unit", "Units", "Unit", "reference", 1.0, True),
    ("product_uom_dozen", "Dozens", "Unit", "bigger", 1 / 12, True),
    ("product_uom_kgm", "kg", "Weight", "reference", 1.0, True),
    ("product_uom_gram", "g", "Weight", "smaller", 1000.0, True),
    ("product_uom_ton", "t", "Weight", "bigger", 0.001, True),
    ("product_uom_lb", "lb", "Weight", "smaller", 2.20462, False),
    ("product_uom_oz", "oz", "Weight", "smaller", 35.274, False),
    ("product_uom_hour", "Hours", "Working Time", "smaller", 8.0, True),
    ("product_uom_day", "Days", "Working Time", "reference", 1.0, True),
    ("product_uom_meter", "m", "Length / Distance", "reference", 1.0, True),
    ("product_uom_cm", "cm", "Length / Distance", "smaller", 100.0, True),
    ("product_uom_millimeter", "mm", "Length / Distance", "smaller", 1000.0, True),
    ("product_uom_inch", "in", "Length / Distance", "smaller", 39.3701, False),
    ("product_uom_foot", "ft", "Length / Distance", "smaller", 3.28084, False),
    ("product_uom_litre", "L", "Volume", "reference", 1.0, True),
]
# (xmlid, name, active) for 19, where units have no category.
UNITS_19 = [
    ("product_uom_unit", "Units", True), ("product_uom_pack_6", "Pack of 6", True),
    ("product_uom_hour", "Hours", True), ("product_uom_day", "Days", True),
    ("product_uom_millimeter", "mm", True), ("product_uom_meter", "m", True),
    ("uom_square_meter", "m²", True), ("product_uom_litre", "L", True), ("product_uom_gram", "g", True),
    ("product_uom_kgm", "kg", True), ("product_uom_ton", "Ton", True), ("product_uom_inch", "inch", False),
    ("product_uom_foot", "foot", False), ("uom_square_foot", "ft²", False), ("product_uom_lb", "lb", False),
]


def seed(db: Database, *, currency: str, company: str, login: str) -> None:
    db.before_create["res.currency"] = db.before_write["res.currency"] = _decimal_places
    for model in db.fields:
        db.create("ir.model", [{"name": DESCRIPTIONS[model], "model": model, "state": "base"}])
    _currencies(db, company_currency=currency)
    currency_id = db.search("res.currency", [("name", "=", currency)], context={"active_test": False})[0]
    company_id = db.create("res.company", [{"name": company, "currency_id": currency_id}])[0]
    _xmlid(db, "base", "main_company", "res.company", company_id)
    db.create("res.users", [{"name": "OdooBot", "login": "__system__", "active": False, "company_id": company_id}])
    admin = db.create("res.users", [{"name": "Administrator", "login": login, "company_id": company_id}])[0]
    _xmlid(db, "base", "user_admin", "res.users", admin)
    category = db.create("product.category", [{"name": "All"}])[0]
    _xmlid(db, "product", "product_category_all", "product.category", category)
    db.create("decimal.precision", [{"name": "Product Price", "digits": 2}])
    _units(db)


def _decimal_places(db: Database, model: str, records: list[Record], context: dict[str, Any]) -> None:
    """res.currency.decimal_places, a stored field Odoo computes from the rounding."""
    for record in records:
        rounding = record.get("rounding") or 0
        record["decimal_places"] = int(math.ceil(math.log10(1 / rounding))) if 0 < rounding < 1 else 0


def _currencies(db: Database, *, company_currency: str) -> None:
    known = {name for name, *_ in CURRENCIES}
    extra = (company_currency, company_currency, company_currency, 0.01, "after")
    rows = CURRENCIES if company_currency in known else [*CURRENCIES, extra]
    for name, full_name, symbol, rounding, position in rows:
        active = name in ("USD", "EUR") or name == company_currency
        record_id = db.create("res.currency", [{"name": name, "full_name": full_name, "symbol": symbol,
                                                "rounding": rounding, "position": position, "active": active}])[0]
        _xmlid(db, "base", name, "res.currency", record_id)


def _units(db: Database) -> None:
    if not db.profile.uom_categories:
        for xmlid, name, active in UNITS_19:
            unit = db.create("uom.uom", [{"name": name, "active": active, "rounding": 0.01}])[0]
            _xmlid(db, "uom", xmlid, "uom.uom", unit)
        return
    categories: dict[str, int] = {}
    for xmlid, name, category, uom_type, factor, active in UNITS_CATEGORIES:
        if category not in categories:
            categories[category] = db.create("uom.category", [{"name": category}])[0]
        unit = db.create("uom.uom", [{"name": name, "category_id": categories[category], "uom_type": uom_type,
                                      "factor": factor, "rounding": 0.01, "active": active}])[0]
        _xmlid(db, "uom", xmlid, "uom.uom", unit)


def _xmlid(db: Database, module: str, name: str, model: str, res_id: int) -> None:
    db.create("ir.model.data", [{"module": module, "name": name, "model": model, "res_id": res_id}])


def company_currency(db: Database) -> str:
    company: dict[str, Any] = db.read("res.company", [1], ["currency_id"])[0]
    return company["currency_id"][1]
