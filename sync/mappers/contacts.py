"""Customers and vendors: both are Zoho contacts, split by contact_type."""
from __future__ import annotations

from typing import Any

from sync.mappers.common import arabic, first, integer, mirror_fields, money, text, zid


def _contact(record: dict[str, Any]) -> dict[str, Any]:
    return {
        "zoho_contact_id": zid(record.get("contact_id")),
        "name": text(first(record, "contact_name", "company_name")),
        "name_ar": arabic(record, "name"),
        "company_name": text(record.get("company_name")),
        "email": text(record.get("email")),
        "phone": text(record.get("phone")),
        "mobile": text(record.get("mobile")),
        "payment_terms": integer(record.get("payment_terms")),
        "payment_terms_label": text(record.get("payment_terms_label")),
        "currency_code": text(record.get("currency_code")),
        "status": text(record.get("status")),
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
