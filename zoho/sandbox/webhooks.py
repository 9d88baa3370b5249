"""Sends Zoho-shaped webhook deliveries: `{"<entity>": {...record...}}`, signed.

Zoho's Books/Inventory signing is not documented; the sandbox signs the raw body
with HMAC-SHA256 (hex) in `X-Zoho-Webhook-Signature`, the form most integrations assume. A form
delivery carries the JSON in the `JSONString` field (the `${JSONString}` placeholder Zoho uses).
With `token`, the shared secret also travels as a custom query parameter, Zoho's documented
alternative ("custom parameters like Auth Token").
"""
from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any
from urllib.parse import urlencode

import requests

SIGNATURE_HEADER = "X-Zoho-Webhook-Signature"
# Webhook entity name (Zoho's singular module name) -> store entity.
ENTITIES = {
    "item": "items", "contact": "contacts", "invoice": "invoices", "bill": "bills", "salesorder": "salesorders",
    "purchaseorder": "purchaseorders", "creditnote": "creditnotes", "customerpayment": "customerpayments",
    "vendorpayment": "vendorpayments", "inventory_adjustment": "inventory_adjustments",
    "transfer_order": "transfer_orders", "composite_item": "composite_items", "pricebook": "pricebooks",
    "warehouse": "warehouses",
}
SINGULAR = {store: hook for hook, store in ENTITIES.items()}


def sign(body: bytes, secret: str) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def build_delivery(entity: str, record: dict[str, Any], *, secret: str = "", fmt: str = "json",
                   token: str | None = None) -> tuple[bytes, dict[str, str], dict[str, str]]:
    """(raw body, headers, query params) of one delivery."""
    payload = json.dumps({entity: record}, ensure_ascii=False, separators=(",", ":"))
    if fmt == "form":
        body = urlencode({"JSONString": payload}).encode()
        headers = {"Content-Type": "application/x-www-form-urlencoded;charset=UTF-8"}
    elif fmt == "json":
        body = payload.encode()
        headers = {"Content-Type": "application/json;charset=UTF-8"}
    else:
        raise ValueError("fmt must be 'json' or 'form'")
    if secret:
        headers[SIGNATURE_HEADER] = sign(body, secret)
    return body, headers, ({"token": token} if token else {})


def post_delivery(url: str, body: bytes, headers: dict[str, str], params: dict[str, str],
                  *, timeout: float = 10.0, session: requests.Session | None = None) -> requests.Response:
    sender = session or requests
    return sender.post(url, data=body, headers=headers, params=params, timeout=timeout)
