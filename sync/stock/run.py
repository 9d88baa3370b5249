"""The stock sync: items by pagination batches (≤200 a call), products upserted in DB
batches, per-warehouse stock for the items that changed; and its stats.

Options narrow a run, never the mirror: --active-only lists active items only (Zoho's
filter_by=Status.Active) and so never marks anything deleted; --with-stock-only writes only
items with stock on hand > 0; --items fetches just those items' details (≤100 ids a call).
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, Max, Q, Sum
from django.utils import timezone

from sync.entities import DERIVED, EntitySpec, get_spec
from sync.ledger import RunResult, RunTracker, run_open
from sync.mappers.common import Unreadable, money
from sync.models import Product, RunType
from sync.stock.levels import stock_for_items
from sync.upsert.records import UpsertResult, upsert_records
from sync.upsert.validate import refusals_log
from sync.zoho_port import ZohoPort

STALE_AFTER = timedelta(hours=24)
BATCH_RANGE = (50, 200)
DB_BATCH_RANGE = (10, 500)
ProgressFn = Callable[[int], None]


def check_range(name: str, value: int, bounds: tuple[int, int]) -> int:
    low, high = bounds
    if not low <= int(value) <= high:
        raise ValueError(f"{name} must be between {low} and {high} (got {value})")
    return int(value)


def stock_sync(*, batch_size: int = 200, db_batch_size: int = 100, active_only: bool = True,
               with_stock_only: bool = False, item_ids: Iterable[str] | None = None, dry_run: bool = False,
               trigger: str = "manual", client: ZohoPort | None = None, progress: ProgressFn | None = None,
               force: bool = False, run_id: str = "") -> RunResult:
    """Run the stock sync (continuing the queued run ``run_id`` when given); the result's extra
    holds total_items_from_zoho and the errors list. Never raises for a Zoho failure (the run
    records it).

    ``force`` rewrites products even when Zoho's record is unchanged (see upsert_records).
    """
    check_range("batch_size", batch_size, BATCH_RANGE)
    check_range("db_batch_size", db_batch_size, DB_BATCH_RANGE)
    ids = sorted({str(i) for i in item_ids or () if str(i).strip()})
    client = client or _client()
    config = {"batch_size": batch_size, "db_batch_size": db_batch_size, "active_only": active_only,
              "with_stock_only": with_stock_only, "item_ids": ids[:100]}
    calls0 = client.stats.total
    with run_open(entity="stock", run_type=RunType.STOCK, trigger=trigger, dry_run=dry_run, configuration=config,
                  run_id=run_id, contain=True, calls=lambda: client.stats.total - calls0) as tracker:
        tracker.result.extra.update(total_items_from_zoho=0, errors=[], stock_rows_written=0)
        try:
            source = _by_ids(client, ids) if ids else _by_pages(client, batch_size, active_only)
            for batch in _regroup(source, db_batch_size):
                _apply(batch, client=client, tracker=tracker, with_stock_only=with_stock_only, dry_run=dry_run,
                       calls0=calls0, force=force)
                if progress:
                    progress(tracker.result.extra["total_items_from_zoho"])
        except Exception as exc:  # the ledger records the failure; the errors list names it too
            tracker.result.extra["errors"].append(f"{type(exc).__name__}: {exc}"[:500])
            raise
    return tracker.result


def _source() -> EntitySpec:
    """The pulled entity whose records carry stock on hand (the registry's ``reads`` of stock)."""
    return get_spec(DERIVED["stock"].reads)


def _by_pages(client: ZohoPort, per_page: int, active_only: bool) -> Iterable[list[dict[str, Any]]]:
    spec = _source()
    params = {**spec.params, **({"filter_by": "Status.Active"} if active_only else {})}
    for page in client.paginate(spec.api, spec.path, list_key=spec.list_key, params=params, per_page=per_page):
        yield page.records


def _by_ids(client: ZohoPort, ids: list[str]) -> Iterable[list[dict[str, Any]]]:
    yield client.item_details(ids)


def _regroup(pages: Iterable[list[dict[str, Any]]], size: int) -> Iterable[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for records in pages:
        batch.extend(records)
        while len(batch) >= size:
            yield batch[:size]
            batch = batch[size:]
    if batch:
        yield batch


def _apply(batch: list[dict[str, Any]], *, client: ZohoPort, tracker: RunTracker, with_stock_only: bool,
           dry_run: bool, calls0: int, force: bool = False) -> None:
    extra = tracker.result.extra
    extra["total_items_from_zoho"] += len(batch)
    if with_stock_only:
        batch = [r for r in batch if _with_stock(r)]
    # Details (by ids) carry their stock; list records get the changed items' details fetched.
    res: UpsertResult = upsert_records(
        entity=_source().name, records=batch, run=tracker.run, dry_run=dry_run, source="stock",
        correlation_id=tracker.correlation_id, force=force,
        fetch_details=lambda ids: stock_for_items(client=client, item_ids=ids, dry_run=dry_run)[0])
    extra["stock_rows_written"] += res.stock_rows
    extra["errors"] += res.errors[: max(0, 50 - len(extra["errors"]))]
    refusals_log(tracker, res.refusals)
    tracker.add(res, api_calls=client.stats.total - calls0)


def _with_stock(record: dict[str, Any]) -> bool:
    """Stock on hand above 0; an unreadable quantity is kept, so the upsert refuses it with its reason."""
    on_hand = money(record.get("stock_on_hand"))
    return isinstance(on_hand, Unreadable) or (on_hand or Decimal(0)) > 0


def stock_response(result: RunResult) -> dict[str, Any]:
    """A stock sync result in the JSON shape the apps read."""
    extra = result.extra
    return {
        "success": result.status == "completed",
        "stats": {"total_items_from_zoho": extra.get("total_items_from_zoho", 0),
                  "api_calls_made": result.api_calls, "products_updated": result.updated,
                  "products_created": result.created, "products_skipped": result.unchanged + result.skipped,
                  "errors": list(extra.get("errors", [])) + ([result.error] if result.error else [])},
        "duration_seconds": result.duration_seconds,
        "sync_run_id": result.run_id or None,
        "dry_run": result.dry_run,
    }


def _client() -> ZohoPort:
    from zoho.client import get_client

    return get_client()


@dataclass(frozen=True)
class StockStats:
    total_products: int
    with_zoho_id: int
    with_stock: int
    total_stock_quantity: float
    last_sync_time: str | None
    stale_products: int

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def stock_stats() -> StockStats:
    """The /sync/stock/stats numbers from the products table."""
    stale_before = timezone.now() - STALE_AFTER
    agg = Product.objects.aggregate(
        total=Count("id"), with_id=Count("id", filter=~Q(zoho_item_id="")),
        with_stock=Count("id", filter=Q(stock_quantity__gt=0)), qty=Sum("stock_quantity"),
        last=Max("last_synced"),
        stale=Count("id", filter=Q(last_synced__lt=stale_before) | Q(last_synced__isnull=True)))
    qty = agg["qty"] or 0
    return StockStats(total_products=agg["total"], with_zoho_id=agg["with_id"], with_stock=agg["with_stock"],
                      total_stock_quantity=float(qty) if qty != int(qty) else int(qty),
                      last_sync_time=agg["last"].isoformat() if agg["last"] else None,
                      stale_products=agg["stale"])
