"""Per-warehouse stock levels (stock_levels) from bulk item details.

Per-warehouse stock is on item details only; /itemdetails takes up to 100 ids per call, so
N changed items cost ceil(N/100) calls, never one call per item.
"""
from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone

from sync.mappers.items import carries_levels, stock_levels
from sync.models import Product, StockLevel, Warehouse
from sync.upsert.sql import relax_commit, rows_by_keys, write_rows
from sync.upsert.validate import stock_problems
from sync.zoho_port import ZohoPort

logger = logging.getLogger("tds.sync")


def stock_levels_write(*, details: list[dict[str, Any]], dry_run: bool = False) -> int:
    """Upsert stock_levels rows from item detail records; returns rows written (unchanged ones skipped)."""
    entries = {d_id: stock_levels(d) for d in _storable(details) if (d_id := str(d.get("item_id") or ""))}
    if not entries:
        return 0
    products = dict(rows_by_keys(model=Product, key="zoho_item_id", keys=list(entries), columns=("zoho_item_id", "id")))
    warehouses = _warehouse_ids({e["zoho_warehouse_id"]: e for rows in entries.values() for e in rows}, dry_run)
    existing = {(p, w): h for p, w, h in rows_by_keys(model=StockLevel, key="product", keys=list(products.values()),
                                                       columns=("product", "warehouse", "content_hash"))}
    now = timezone.now()
    rows = []
    for zoho_id, levels in sorted(entries.items()):
        for entry in levels:
            key = (products.get(zoho_id), warehouses.get(entry["zoho_warehouse_id"]))
            if None in key:
                continue
            row = {"product": key[0], "warehouse": key[1], "stock_on_hand": entry["stock_on_hand"],
                   "committed_stock": entry["committed_stock"], "available_for_sale": entry["available_for_sale"]}
            row["content_hash"] = _level_hash(row)
            if existing.get(key) != row["content_hash"]:
                rows.append({**row, "last_synced": now, "updated_at": now})
    if rows and not dry_run:
        with transaction.atomic():
            relax_commit()
            write_rows(model=StockLevel, rows=rows, conflict=("product", "warehouse"), keep_on_update=(),
                       all_new=not existing)
    return len(rows)


def _storable(details: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The details whose per-warehouse stock can be stored faithfully (sync.upsert.validate); the
    others keep the levels they had, with a log line naming the item and why."""
    now = timezone.now()
    kept = []
    for detail in details:
        problems = stock_problems(detail, now) if isinstance(detail, dict) else ["not a JSON object"]
        if problems:
            item = detail.get("item_id") if isinstance(detail, dict) else None
            logger.warning("stock of item %r not stored: %s", item, "; ".join(problems[:3]))
        else:
            kept.append(detail)
    return kept


def _level_hash(row: dict[str, Any]) -> str:
    """The three quantities are the whole content of a stock row (a cheaper hash than canonical JSON)."""
    values = (row["stock_on_hand"], row["committed_stock"], row["available_for_sale"])
    text = "|".join("" if v is None else format(v.normalize(), "f") for v in values)
    return hashlib.sha256(text.encode()).hexdigest()


def _warehouse_ids(seen: dict[str, dict[str, Any]], dry_run: bool) -> dict[str, int]:
    """Warehouse pks by Zoho id; a warehouse first seen in stock gets a placeholder row (the
    warehouses pull fills it in), so stock pulled before warehouses is not lost."""
    found = dict(Warehouse.objects.filter(zoho_warehouse_id__in=list(seen)).values_list("zoho_warehouse_id", "id"))
    missing = [Warehouse(zoho_warehouse_id=z, name=e["name"] or z) for z, e in seen.items() if z not in found]
    if missing and not dry_run:
        Warehouse.objects.bulk_create(missing, ignore_conflicts=True)
        found = dict(Warehouse.objects.filter(zoho_warehouse_id__in=list(seen))
                     .values_list("zoho_warehouse_id", "id"))
    return found


DetailsFetch = Callable[[list[str]], int]


def levels_follow_up(*, id_field: str, records: list[Any], stored: Iterable[str], changed: Iterable[str],
                     fetch: DetailsFetch | None, dry_run: bool = False) -> int:
    """The stock levels that follow an upsert of items (``sync.upsert.records`` calls this, the one
    place that decides): the stored records that carry their per-warehouse stock (details, webhook
    records) are written as they are (unchanged levels are skipped by their hash); the changed
    ones that do not (list records) are fetched by ``fetch`` (bulk details, ≤100 ids a call),
    which writes them and returns the rows written (0 when it writes them later, in the
    background). Without ``fetch`` nothing is fetched. Returns the rows written now."""
    stored = set(stored)
    in_hand = [r for r in records if carries_levels(r) and str(r.get(id_field) or "") in stored]
    written = stock_levels_write(details=in_hand, dry_run=dry_run) if in_hand else 0
    held = {str(r.get(id_field)) for r in in_hand}
    missing = sorted(i for i in changed if i not in held)
    if missing and fetch is not None:
        written += fetch(missing)
    return written


def stock_for_items(*, client: ZohoPort, item_ids: Iterable[str], dry_run: bool = False) -> tuple[int, list[dict]]:
    """Fetch details in bulk (≤100 ids a call) and write their stock levels: (rows written, details)."""
    ids = sorted(set(item_ids))
    if not ids:
        return 0, []
    details = client.item_details(ids)
    return stock_levels_write(details=details, dry_run=dry_run), details
