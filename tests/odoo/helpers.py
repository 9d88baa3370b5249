"""What the fake Odoo holds, as a user of Odoo would look at it."""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from odoo.fake import FakeOdooServer


def templates(odoo: FakeOdooServer, **where: Any) -> list[dict[str, Any]]:
    """product.template records (archived too), optionally filtered by field values."""
    return [p for p in odoo.products() if all(p.get(k) == v for k, v in where.items())]


def by_sku(odoo: FakeOdooServer) -> dict[str, dict[str, Any]]:
    return {p["default_code"]: p for p in odoo.products() if p["default_code"]}


def iqd(usd: Decimal | None, rate: int = 1500) -> float:
    return float((Decimal(usd) * rate).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def writes(odoo: FakeOdooServer) -> int:
    return odoo.app.counters()["write_calls"]


def records_written(odoo: FakeOdooServer, method: str = "write") -> int:
    return odoo.app.counters()["records_written"].get(f"product.template.{method}", 0)
