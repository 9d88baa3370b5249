"""The Odoo side as a run starts: server version, company currency, product fields, units.

The company currency is checked first: list_price is a plain float in the company currency,
so IQD amounts written into a USD company would be wrong by a factor of the rate.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings

from odoo.answers import many2one, record_bool, record_int, record_str
from odoo.client import OdooClient, ServerInfo
from odoo.errors import OdooConfigError
from odoo.services.mapping import MappingRules, unit_aliases

TARGET_CURRENCY = "IQD"  # ODOO_USD_TO_IQD converts to dinars
TYPE_FIELDS = ("detailed_type", "type", "is_storable", "uom_po_id")
# lang: names are translatable; active_test False: archived products and units count too.
CONTEXT = {"lang": "en_US", "active_test": False}


@dataclass(frozen=True)
class Target:
    server: ServerInfo
    currency: str
    rules: MappingRules


def target_open(*, client: OdooClient, rate: Decimal | None = None) -> Target:
    server = client.info or client.connect()
    currency = company_currency(client=client, uid=server.uid)
    if currency != TARGET_CURRENCY:
        raise OdooConfigError(f"Odoo's company currency is {currency}, not {TARGET_CURRENCY}: prices are converted "
                              f"to dinars (ODOO_USD_TO_IQD), so TDS will not write them into a {currency} company")
    fields = client.fields_get("product.template", ["type", "string"])
    rules = MappingRules(
        rate=rate if rate is not None else Decimal(str(settings.ODOO_USD_TO_IQD)),
        decimals=settings.ODOO_PRICE_DECIMALS, units=units_read(client=client),
        aliases=unit_aliases(list(settings.ODOO_UNIT_MAP)),
        type_fields=tuple(name for name in TYPE_FIELDS[:3] if name in fields), uom_po="uom_po_id" in fields)
    return Target(server=server, currency=currency, rules=rules)


def company_currency(*, client: OdooClient, uid: int) -> str:
    users = client.search_read("res.users", [("id", "=", uid)], ["company_id"], context=CONTEXT)
    company = many2one(users[0], "company_id", "res.users.search_read") if users else None
    domain: list[Any] = [("id", "=", company[0])] if company else []
    rows = client.search_read("res.company", domain, ["currency_id"], limit=1)
    currency = many2one(rows[0], "currency_id", "res.company.search_read") if rows else None
    if currency is None:
        raise OdooConfigError("Odoo's company has no currency set")
    return currency[1]


def units_read(*, client: OdooClient) -> dict[str, int]:
    """Lower-cased unit name -> id, archived units too (an active unit wins a name clash)."""
    what = "uom.uom.search_read"
    rows = client.search_read("uom.uom", [], ["id", "name", "active"], context=CONTEXT)
    units = [(record_bool(row, "active", what), record_str(row, "name", what).lower(), record_int(row, "id", what))
             for row in rows]
    return {name: unit_id for _, name, unit_id in sorted(units, key=lambda unit: unit[0])}
