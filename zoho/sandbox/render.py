"""Zoho-shaped JSON: records, list pages with page_context, details and error bodies."""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from zoho.sandbox.data import Record
from zoho.sandbox.entities import Endpoint

JSON = "application/json;charset=UTF-8"


@dataclass
class Response:
    status: int
    body: bytes
    content_type: str = JSON
    headers: list[tuple[str, str]] | None = None


def dumps(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


def error_body(code: int, message: str, **extra: Any) -> bytes:
    return dumps({"code": code, "message": message, **extra})


def public(record: Record) -> Record:
    return {key: value for key, value in record.items() if not key.startswith("_")}


def stock_rows(record: Record, shape: str, names: dict[str, str]) -> list[Record]:
    """Per-warehouse stock as `warehouses[]` (numbers) or `locations[]` (strings, as Zoho's docs show)."""
    rows = []
    for index, (warehouse_id, on_hand, committed) in enumerate(record["_stock"]):
        values: list[Any] = ["", "", "", ""] if on_hand is None else [
            on_hand, on_hand - committed, on_hand - committed, committed]
        if shape == "locations":
            rows.append({"location_id": warehouse_id, "location_name": names.get(warehouse_id, ""),
                         "status": "active", "is_primary": index == 0,
                         "location_stock_on_hand": _text(values[0]), "location_available_stock": _text(values[1]),
                         "location_actual_available_stock": _text(values[2])})
        else:
            rows.append({"warehouse_id": warehouse_id, "warehouse_name": names.get(warehouse_id, ""),
                         "status": "active", "is_primary": index == 0, "warehouse_stock_on_hand": values[0],
                         "warehouse_available_stock": values[1], "warehouse_actual_available_stock": values[2],
                         "warehouse_committed_stock": values[3], "warehouse_actual_committed_stock": values[3],
                         "warehouse_available_for_sale_stock": values[1],
                         "warehouse_actual_available_for_sale_stock": values[2]})
    return rows


def _text(value: Any) -> str:
    return value if value == "" else f"{value:.2f}"


def as_location(record: Record) -> Record:
    address = {"attention": record["attention"], "street_address1": record["address"], "street_address2": "",
               "city": record["city"], "state": record["state"], "country": record["country"],
               "zip": record["zip"]}
    return {"location_id": record["warehouse_id"], "location_name": record["warehouse_name"], "type": "general",
            "email": record["email"], "phone": record["phone"], "address": address, "parent_location_id": "",
            "is_all_users_selected": True, "associated_users": []}


def render_list_record(endpoint: Endpoint, record: Record) -> Record:
    if endpoint.view == "location":
        return as_location(record)
    if endpoint.list_fields is None:
        out = public(record)
        for key in endpoint.hidden_in_list:
            out.pop(key, None)
        return out
    if endpoint.view == "books_item":
        record = {**record, "item_name": record["name"]}
    return {key: record[key] for key in endpoint.list_fields if key in record}


def render_detail(endpoint: Endpoint, record: Record, shape: str, names: dict[str, str]) -> Record:
    if endpoint.view == "location":
        return as_location(record)
    out = public(record)
    if "_stock" in record:
        out[shape] = stock_rows(record, shape, names)
    if endpoint.view == "books_item":
        out["item_name"] = record["name"]
    return out


def page_context(endpoint: Endpoint, *, page: int, per_page: int, has_more: bool, applied_filter: str,
                 sort_column: str, sort_order: str) -> Record:
    context: Record = {"page": page, "per_page": per_page, "has_more_page": has_more,
                       "report_name": endpoint.report_name, "applied_filter": applied_filter}
    if endpoint.entity == "items":
        context["custom_fields"] = []
    context.update(sort_column=sort_column, sort_order=sort_order)
    return context


def list_body(list_key: str, parts: list[bytes], context: Record) -> bytes:
    return b"".join((b'{"code":0,"message":"success","', list_key.encode(), b'":[', b",".join(parts),
                     b'],"page_context":', dumps(context), b"}"))


def detail_body(detail_key: str, rendered: bytes) -> bytes:
    return b"".join((b'{"code":0,"message":"success","', detail_key.encode(), b'":', rendered, b"}"))
