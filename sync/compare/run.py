"""Compare Zoho with the local mirror, entity by entity.

Quick mode counts: local ``count(*)`` against a Zoho count from page probing
(see compare_zoho). Deep mode (``deep=True``) compares ids and
last_modified_time record by record from the list pages only (200 per page, no
per-record calls): missing-local, missing-in-Zoho, stale. Stock and images are
always compared record by record from the items list (stock on hand, image
identity), and when that list is fetched anyway items get a record-level
comparison for free.

Local work is one query per entity that loads (zoho id, value) pairs into a dict;
no model instances are built, so 10,000 records compare in well under a second.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.module_loading import import_string

from sync.compare.deep import (
    compare_timestamps,
    compare_values,
    local_epoch,
    present,
    to_decimal,
    zoho_epoch,
)
from sync.compare.health import HealthInputs, health_inputs, health_score, weighted_match
from sync.compare.lines import has_lines, lines_compare
from sync.compare.recommend import FULL_SYNC, RECONCILIATION, recommend_all
from sync.compare.report import CompareReport, EntityComparison
from sync.compare.targets import Target, cursor_state, targets_for
from sync.compare.zoho_counts import ZohoSide
from sync.zoho_port import ZohoPort
from zoho.errors import (
    CircuitOpenError,
    ZohoAuthError,
    ZohoConfigError,
    ZohoError,
    ZohoOrganizationError,
    ZohoQuotaExceeded,
)

# Errors that make every further call pointless: stop the run with one clear line. Zoho's "not now"
# answers (ZohoError.waits: tokens refused, quota spent, circuit open) are among them.
FATAL_ERRORS = (ZohoAuthError, ZohoConfigError, ZohoOrganizationError, ZohoQuotaExceeded, CircuitOpenError)


def _live(target: Target) -> QuerySet:
    """Local records Zoho should still have: rows marked deleted in Zoho are settled, not compared."""
    return target.model.objects.filter(deleted_in_zoho_at__isnull=True)


def _local_rows(target: Target, value_field: str) -> list[tuple[str, Any]]:
    return list(_live(target).values_list(target.model_id_field, value_field))


def _records_deep(target: Target, zoho: ZohoSide) -> EntityComparison:
    zoho_map = {str(r[target.id_field]): zoho_epoch(r.get("last_modified_time")) for r in zoho.records(target.source)}
    local_map = {zid: local_epoch(ts) for zid, ts in _local_rows(target, "zoho_last_modified")}
    has_cursor, watermark = cursor_state(target)
    return compare_timestamps(target.entity, zoho=zoho_map, local=local_map,
                              watermark=local_epoch(watermark), has_cursor=has_cursor)


def _records_quick(target: Target, zoho: ZohoSide) -> EntityComparison:
    has_cursor, _ = cursor_state(target)
    local_count = _live(target).count()
    return EntityComparison(entity=target.entity, zoho_count=zoho.count(target.source, hint=local_count),
                            local_count=local_count, has_cursor=has_cursor)


def compare_stock(target: Target, zoho: ZohoSide) -> EntityComparison:
    records = zoho.records(target.source)
    zoho_map = present((str(r[target.id_field]), to_decimal(r.get("stock_on_hand"))) for r in records)
    local_map = present(_local_rows(target, "stock_quantity"))
    return compare_values(target.entity, zoho=zoho_map, local=local_map)


def compare_images(target: Target, zoho: ZohoSide) -> EntityComparison:
    """Image identity (document id, name, type) in Zoho's list against the one the local file was fetched for."""
    from sync.images.plan import zoho_image_key

    zoho_map = present((str(r[target.id_field]), zoho_image_key(r)) for r in zoho.records(target.source))
    # Only products whose file is downloaded count as having the image locally (as images_plan sees it).
    local_map = present(_live(target).exclude(image_url="").values_list(target.model_id_field, "image_source_key"))
    result = compare_values(target.entity, zoho=zoho_map, local=local_map)
    result.changed, result.stale = result.stale, []
    return result


def compare_entity(target: Target, *, zoho: ZohoSide, deep: bool, lines: bool = False) -> EntityComparison:
    calls_before = zoho.calls()
    if target.compare:  # a derived name: compare_stock, compare_images, named by the registry
        result = import_string(target.compare)(target, zoho)
    elif deep or zoho.fetched(target.source):
        result = _records_deep(target, zoho)
        if lines and has_lines(target.entity):
            lines_compare(target.entity, result, records=zoho.records(target.source), client=zoho.client)
    else:
        result = _records_quick(target, zoho)
    result.api_calls = zoho.calls() - calls_before
    return result


def _compare_or_error(target: Target, *, zoho: ZohoSide, deep: bool, lines: bool = False) -> EntityComparison:
    try:
        return compare_entity(target, zoho=zoho, deep=deep, lines=lines)
    except ZohoError as exc:
        if isinstance(exc, FATAL_ERRORS) or exc.waits:
            raise
        return EntityComparison(entity=target.entity, zoho_count=0, local_count=0, deep=deep,
                                error=f"{type(exc).__name__}: {exc}")


def _ordered(targets: list[Target]) -> list[Target]:
    # Entities that need full item records go first, so items reuse the pages they fetched.
    return sorted(targets, key=lambda t: not t.compare)


def compare_run(*, entities: list[str] | None = None, deep: bool = False, client: ZohoPort | None = None,
                targets: list[Target] | None = None, progress: Callable[[str], None] | None = None,
                lines: bool = False) -> CompareReport:
    """Compare the given entities (default: the quick compare's six, every entity when deep) and report;
    ``lines`` (with ``deep``) also compares each document's lines (sync.compare.lines: a call per document)."""
    if client is None:
        from zoho.client import get_client

        client = get_client()
    targets = targets if targets is not None else targets_for(entities, deep=deep)
    started_at, started = timezone.now(), time.perf_counter()
    zoho = ZohoSide(client=client)
    calls_before, by_endpoint_before = zoho.calls(), dict(client.stats.by_endpoint)
    by_entity = {}
    for target in _ordered(targets):
        if progress:
            progress(target.entity)
        by_entity[target.entity] = _compare_or_error(target, zoho=zoho, deep=deep, lines=lines and deep)
    comparisons = [by_entity[t.entity] for t in targets]
    recommendations = recommend_all(comparisons)
    inputs = _inputs(targets)
    inputs.structural = [r.entity for r in recommendations if r.action in (FULL_SYNC, RECONCILIATION)]
    health = health_score(match_pct=weighted_match({c.entity: c.match_pct for c in comparisons}), inputs=inputs)
    report = CompareReport(started_at=started_at, deep=deep, comparisons=comparisons, health=health,
                           recommendations=recommendations)
    report.api_calls = zoho.calls() - calls_before
    report.api_calls_by_endpoint = _delta(by_endpoint_before, dict(client.stats.by_endpoint))
    report.http_seconds = zoho.http_seconds
    report.duration_seconds = time.perf_counter() - started
    return report


def _inputs(targets: list[Target]) -> HealthInputs:
    return health_inputs(entities=[t.entity for t in targets],
                         cursor_entities={t.entity: t.cursor_entity for t in targets})


def _delta(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    return {k: v - before.get(k, 0) for k, v in after.items() if v - before.get(k, 0) > 0}
