"""Customers and vendors: both are Zoho contacts, split by contact_type."""
from __future__ import annotations

from typing import Any

from sync.mappers.common import arabic, integer, mirror_fields, money, text, zid


def _contact(record: dict[str, Any]) -> dict[str, Any]:
    return {
        "zoho_contact_id": zid(record.get("contact_id")),
        "name": text(record.get("contact_name") or record.get("company_name"), 255),
        "name_ar": arabic(record, "name")[:255],
        "company_name": text(record.get("company_name"), 255),
        "email": text(record.get("email"), 254),
        "phone": text(record.get("phone"), 64),
        "mobile": text(record.get("mobile"), 64),
        "payment_terms": integer(record.get("payment_terms")),
        "payment_terms_label": text(record.get("payment_terms_label"), 64),
        "currency_code": text(record.get("currency_code"), 8),
        "status": text(record.get("status"), 16),
        **mirror_fields(record),
    }


def map_customer(record: dict[str, Any]) -> dict[str, Any]:
    row = _contact(record)
    row["outstanding_receivable"] = money(record.get("outstanding_receivable_amount"))
    return row


def map_vendor(record: dict[str, Any]) -> dict[str, Any]:
    row = _contact(record)
    row["outstanding_payable"] = money(record.get("outstanding_payable_amount"))
    return row
