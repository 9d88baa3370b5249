"""A mirror row as the values pushed to Odoo: prices, units, types, active; the hash follows them."""
from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from odoo.services.mapping import MappingRules, product_map, unit_aliases, usd_to_iqd

UNITS = {"units": 1, "kg": 2, "box": 7}


def rules(**overrides: object) -> MappingRules:
    base = {"rate": Decimal("1500"), "decimals": 0, "units": UNITS, "aliases": unit_aliases(["carton=Box"]),
            "type_fields": ("type", "is_storable"), "uom_po": False}
    return MappingRules(**{**base, **overrides})


def row(**overrides: object) -> dict:
    base = {"zoho_item_id": "1", "sku": "TSH-1", "name": "Cable", "description": "", "unit_price": Decimal("1.25"),
            "cost_price": Decimal("0.8"), "unit": "pcs", "item_type": "inventory", "product_type": "goods",
            "is_active": True, "deleted_in_zoho_at": None}
    return {**base, **overrides}


@pytest.mark.parametrize(("usd", "decimals", "iqd"), [
    ("1.2345", 0, "1852"), ("0.001", 0, "2"), ("12.345", 0, "18518"), ("0.0003", 0, "0"), ("1.23457", 2, "1851.86"),
])
def test_usd_to_iqd_is_decimal_half_up(usd, decimals, iqd):
    assert usd_to_iqd(Decimal(usd), rate=Decimal("1500"), decimals=decimals) == Decimal(iqd)


def test_values_pushed():
    mapped = product_map(row(), rules=rules())
    assert mapped.values == {"name": "Cable", "default_code": "TSH-1", "description_sale": False, "active": True,
                             "list_price": 1875.0, "standard_price": 1200.0, "uom_id": 1, "type": "consu",
                             "is_storable": True}
    assert not mapped.missing_unit and not mapped.no_price


def test_no_zoho_rate_leaves_the_odoo_price_alone_and_is_reported():
    mapped = product_map(row(unit_price=None), rules=rules())
    assert "list_price" not in mapped.values and mapped.no_price


def test_units_by_alias_or_name_and_a_missing_unit_is_reported_not_invented():
    assert product_map(row(unit="carton"), rules=rules()).values["uom_id"] == 7
    kg = product_map(row(unit="KG"), rules=rules(uom_po=True)).values
    assert (kg["uom_id"], kg["uom_po_id"]) == (2, 2)  # 16-18: the purchase unit follows, same category
    missing = product_map(row(unit="drum"), rules=rules())
    assert "uom_id" not in missing.values and missing.missing_unit == "drum"


def test_inactive_or_deleted_items_are_pushed_archived():
    assert product_map(row(is_active=False), rules=rules()).values["active"] is False
    deleted = product_map(row(deleted_in_zoho_at=datetime(2026, 1, 1, tzinfo=UTC)), rules=rules())
    assert deleted.values["active"] is False


def test_product_type_in_each_version():
    assert product_map(row(), rules=rules(type_fields=("detailed_type", "type"))).values["detailed_type"] == "product"
    service = product_map(row(product_type="service"), rules=rules())
    assert (service.values["type"], service.values["is_storable"]) == ("service", False)


def test_the_hash_follows_exactly_the_pushed_values():
    one, same = product_map(row(), rules=rules()), product_map(row(), rules=rules())
    assert one.hash == same.hash
    assert product_map(row(unit_price=Decimal("1.26")), rules=rules()).hash != one.hash
    assert product_map(row(), rules=rules(rate=Decimal("1310"))).hash != one.hash
    assert product_map(row(zoho_item_id="2"), rules=rules()).hash == one.hash  # not a pushed value
