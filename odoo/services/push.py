"""products_push: one run of the Odoo target, Zoho's products (the local mirror) into Odoo.

connect and check the company currency -> map every product and hash exactly what would be
pushed -> plan (link, then SKU; conflicts aside) -> apply (skipped by a dry run) -> verify the
counts. Every run that is not a dry run is a SyncRun row of run_type "odoo".
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from decimal import Decimal
from typing import Any

from django.conf import settings

from odoo.client import OdooClient, get_client
from odoo.engine import ODOO_RUNS
from odoo.models import OdooProductLink
from odoo.services.apply import Applied, plan_apply
from odoo.services.counts import CountCheck, counts_verify
from odoo.services.mapping import PRODUCT_COLUMNS, Mapped, product_map
from odoo.services.plan import Plan, plan_build
from odoo.services.target import Target, target_open
from sync.ledger import RunTracker, run_open


@dataclass
class OdooSyncResult:
    run_id: str = ""
    status: str = "completed"
    dry_run: bool = False
    odoo_version: str = ""
    protocol: str = ""
    products: int = 0
    created: int = 0
    adopted: int = 0
    updated: int = 0
    archived: int = 0
    unchanged: int = 0
    conflicts: dict[str, list[int]] = field(default_factory=dict)
    missing_units: dict[str, int] = field(default_factory=dict)
    no_price: int = 0
    write_calls: int = 0
    api_calls: int = 0
    duration_seconds: float = 0.0
    counts: CountCheck | None = None
    error: str = ""
    plan: Plan | None = field(default=None, repr=False)  # kept for a dry run's listing

    @property
    def ok(self) -> bool:
        return self.status == "completed"

    def as_dict(self) -> dict[str, Any]:
        out = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "plan"}
        out["counts"] = self.counts.as_dict() if self.counts else None
        return out


def products_push(*, client: OdooClient | None = None, rate: Decimal | None = None, dry_run: bool = False,
                  trigger: str = "cli", progress: Callable[[int], None] | None = None,
                  run_id: str = "") -> OdooSyncResult:
    """Push changed products (continuing the queued run ``run_id`` when given); raises OdooError
    (after recording the failed run) when the run cannot finish."""
    client = client or get_client()
    client.run_begin()
    rate = rate if rate is not None else Decimal(str(settings.ODOO_USD_TO_IQD))
    with run_open(run_type=ODOO_RUNS.run_type, entity=ODOO_RUNS.entity, trigger=trigger, dry_run=dry_run, run_id=run_id,
                  configuration={"rate": str(rate), "url": client.config.url, "db": client.config.db}) as tracker:
        result = OdooSyncResult(dry_run=dry_run, run_id=tracker.result.run_id)
        tracker.on_close(lambda run, error: _fold(run, result, client))
        _run(result, client=client, rate=rate, dry_run=dry_run, progress=progress)
    finished = tracker.result
    result.status, result.error, result.duration_seconds = finished.status, finished.error, finished.duration_seconds
    return result


def _run(result: OdooSyncResult, *, client: OdooClient, rate: Decimal, dry_run: bool,
         progress: Callable[[int], None] | None) -> None:
    target = target_open(client=client, rate=rate)
    result.odoo_version, result.protocol = target.server.version, target.server.protocol
    mapped = products_map(target=target)
    _report_mapping(result, mapped)
    links = {link.zoho_item_id: link for link in OdooProductLink.objects.all()}
    plan = plan_build(mapped=mapped, links=links, client=client)
    _report_plan(result, plan)
    if dry_run:
        result.created, result.adopted, result.updated = len(plan.create), len(plan.adopt), len(plan.update)
        result.archived = len(plan.archive)
        result.plan = plan
        return
    applied: Applied = plan_apply(plan=plan, client=client, progress=progress)
    result.created, result.adopted, result.updated = applied.created, applied.adopted, applied.updated
    result.archived = applied.archived
    active_ids = {m.zoho_item_id for m in mapped if m.values["active"]}
    result.counts = counts_verify(client=client, active_zoho_ids=active_ids)


def products_map(*, target: Target) -> list[Mapped]:
    from sync.models import Product

    rows = Product.objects.order_by("zoho_item_id").values(*PRODUCT_COLUMNS).iterator(chunk_size=2000)
    return [product_map(row, rules=target.rules) for row in rows]


def _report_mapping(result: OdooSyncResult, mapped: list[Mapped]) -> None:
    result.products = len(mapped)
    result.missing_units = dict(Counter(m.missing_unit for m in mapped if m.missing_unit))
    result.no_price = sum(1 for m in mapped if m.no_price)


def _report_plan(result: OdooSyncResult, plan: Plan) -> None:
    result.unchanged = plan.unchanged
    result.conflicts = plan.conflicts


def _fold(tracker: RunTracker, result: OdooSyncResult, client: OdooClient) -> None:
    """The push's figures into its run as the run closes, however it ends."""
    result.write_calls, result.api_calls = client.write_calls, sum(client.calls.values())
    res = tracker.result
    res.api_calls = result.api_calls
    res.created, res.updated, res.unchanged = result.created + result.adopted, result.updated, result.unchanged
    res.deleted, res.processed = result.archived, result.products
    res.failed = sum(1 for _ in result.conflicts)  # items left for review make the run "partial"
    res.extra = {k: v for k, v in result.as_dict().items() if k not in ("run_id", "error", "status")}
    if result.conflicts:
        tracker.log(f"SKU conflicts, each on more than one Odoo product, not matched: {result.conflicts}",
                    level="WARNING")
    if result.missing_units:
        tracker.log(f"units not found in Odoo, left as they are: {result.missing_units}", level="WARNING")
