"""Org-time-zone timestamps and ids in Zoho's formats."""
from __future__ import annotations

import re
import time
from datetime import datetime

from zoho.sandbox.config import ORG_TZ

# Generated history ends here so the data does not depend on the wall clock.
HISTORY_END = int(datetime(2025, 11, 18, 2, 2, 51, tzinfo=ORG_TZ).timestamp())
HISTORY_START = int(datetime(2023, 1, 1, 8, 0, 0, tzinfo=ORG_TZ).timestamp())
DAY = 86400

ENTITY_CODES = {
    "items": 11, "contacts": 12, "pricebooks": 13, "warehouses": 14, "invoices": 15, "bills": 16,
    "customerpayments": 17, "vendorpayments": 18, "creditnotes": 19, "salesorders": 20, "purchaseorders": 21,
    "inventory_adjustments": 22, "transfer_orders": 23, "composite_items": 24, "lines": 25, "images": 26,
    "pricebook_items": 27, "custom_fields": 28,
}


def zoho_time(epoch: int) -> str:
    """`2025-11-18T02:02:51+0300` in the org time zone."""
    return datetime.fromtimestamp(epoch, ORG_TZ).strftime("%Y-%m-%dT%H:%M:%S%z")


def zoho_date(epoch: int) -> str:
    return datetime.fromtimestamp(epoch, ORG_TZ).strftime("%Y-%m-%d")


def now() -> int:
    return int(time.time())


_OFFSET = re.compile(r"([+-]\d{2}):?(\d{2})$")


def parse_zoho_time(value: str) -> int | None:
    """Epoch seconds for `yyyy-MM-ddTHH:mm:ss±hhmm` (also `±hh:mm`, `Z`, or a bare date); None if unreadable."""
    text = value.strip().replace(" ", "+", 1) if "T" in value else value.strip()
    text = text[:-1] + "+0000" if text.endswith("Z") else _OFFSET.sub(r"\1\2", text)
    for fmt in ("%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M:%S.%f%z", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d"):
        try:
            parsed = datetime.strptime(text, fmt)
        except ValueError:
            continue
        return int((parsed if parsed.tzinfo else parsed.replace(tzinfo=ORG_TZ)).timestamp())
    return None


def make_id(entity: str, seq: int) -> str:
    """A 16-digit Zoho-looking id, unique per entity and sequence number."""
    return f"46{ENTITY_CODES[entity]:02d}000{seq:09d}"
