"""Pull entities from Zoho into the mirror: stream list pages, map, upsert in batches, advance cursors.

Pages are streamed, never accumulated (100,000 items fit in a few MB). An incremental pass asks
Zoho for records modified since the watermark (minus a small overlap) where Zoho supports the
filter; contacts are read newest first until the watermark; the rest is a full listing. A
complete full listing also finds deletions: local ids Zoho no longer lists are marked
(is_active=False, deleted_in_zoho_at) and audited, never dropped. The cursor moves only after
every batch it covers has been committed. A dry run writes nothing and returns the counts.

A run pulls every list-only entity before the entities that cost one call per record (documents
whose lines come from detail calls): the registry's order (sync/entities.py) puts them last, so
cheap entities are never starved of Zoho's calls or tokens by a detail-heavy one. When Zoho says
"not now" (a refused access token, the daily quota, an open circuit), the entity in progress ends
"deferred" with what it committed, the run stops there, and its summary says when to resume and
which entities it did not reach; none of them is recorded as failed.
"""
from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection

from sync.background import Background, prefetched
from sync.entities import DerivedSpec, EntitySpec, resolve_entities, spec_for
from sync.ledger import RunResult, RunTracker, run_open
from sync.logging import new_correlation_id
from sync.models import RunType
from sync.pull.cursors import cursor_advance, cursor_get, cursor_since, zoho_time
from sync.pull.deletions import mark_deleted
from sync.pull.details import with_details
from sync.stock.levels import stock_levels_write
from sync.upsert.records import UpsertResult, upsert_records
from sync.upsert.validate import refusals_log
from sync.zoho_port import ZohoPort

logger = logging.getLogger("tds.sync")
ProgressFn = Callable[[str, int], None]
DETAIL_CHUNK = 100  # ids per /itemdetails call (Zoho's bulk endpoint)
DETAIL_DB_BATCH = 50  # records per commit for entities fetched one detail call per record


@dataclass
class PullPlan:
    """What one entity pass will ask Zoho for."""

    spec: EntitySpec
    params: dict[str, str]
    complete: bool                  # a full listing: deletions can be detected
    stop_before: datetime | None    # newest-first listing: stop at records older than this
    refresh_details: bool = False   # a full pass: fetch the detail of every record Zoho gives no stamp for


@dataclass
class PullSummary:
    results: list[RunResult] = field(default_factory=list)
    correlation_id: str = ""
    not_attempted: list[str] = field(default_factory=list)
    reason: str = ""
    not_reached: list[str] = field(default_factory=list)  # after a deferral: waiting for resume_at
    resume_at: str = ""

    @property
    def ok(self) -> bool:
        return not self.not_attempted and all(r.status in ("completed", "partial") and not r.error
                                              for r in self.results)

    @property
    def deferred(self) -> bool:
        return any(r.status == "deferred" for r in self.results)

    @property
    def failed_entities(self) -> list[str]:
        return [r.entity for r in self.results if r.status == "failed"]

    def as_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "correlation_id": self.correlation_id,
                "results": [r.as_dict() for r in self.results], "not_attempted": self.not_attempted,
                "reason": self.reason, "deferred": self.deferred, "not_reached": self.not_reached,
                "resume_at": self.resume_at}


def plan_pull(*, spec: EntitySpec, full: bool, since: datetime | None = None) -> PullPlan:
    params = dict(spec.params)
    start = since or (None if full else cursor_since(state=cursor_get(entity=spec.name)))
    if start is None or not spec.incremental:
        return PullPlan(spec=spec, params=params, complete=not params.get("filter_by"), stop_before=None,
                        refresh_details=full)
    if spec.cursor_field:
        # Sorting is only asked for where Zoho documents it: the cursor moves once the whole pass is stored.
        params["last_modified_time"] = zoho_time(start)
        if "last_modified_time" in spec.sort_columns:
            params["sort_column"] = "last_modified_time"
            if "sort_order" in spec.documented:
                params["sort_order"] = "A"
        return PullPlan(spec=spec, params=params, complete=False, stop_before=None)
    params.update({"sort_column": "last_modified_time", "sort_order": "D"})
    return PullPlan(spec=spec, params=params, complete=False, stop_before=start)


def pull_entity(*, entity: str, full: bool = False, dry_run: bool = False, since: datetime | None = None,
                trigger: str = "manual", client: ZohoPort | None = None, db_batch_size: int | None = None,
                correlation_id: str = "", progress: ProgressFn | None = None, run_id: str = "") -> RunResult:
    """One entity pass (continuing the queued run ``run_id`` when given); never raises for a Zoho or
    mapping failure (the run records it as failed: one failed entity must not stop the others)."""
    spec = spec_for(entity)
    if isinstance(spec, DerivedSpec):  # synced by its own service
        from django.utils.module_loading import import_string

        return import_string(spec.runner)(dry_run=dry_run, trigger=trigger, client=client, run_id=run_id)
    client = client or _client()
    plan = plan_pull(spec=spec, full=full, since=since)
    calls_at_start = client.stats.total
    with run_open(entity=spec.name, run_type=RunType.FULL if plan.complete else RunType.INCREMENTAL, trigger=trigger,
                  dry_run=dry_run, correlation_id=correlation_id, run_id=run_id, contain=True,
                  calls=lambda: client.stats.total - calls_at_start,
                  configuration={"full": full, "since": since.isoformat() if since else None,
                                 "params": plan.params}) as tracker:
        totals = _run_pass(plan, client=client, tracker=tracker, dry_run=dry_run,
                           db_batch_size=_batch_size(spec, db_batch_size), progress=progress, calls0=calls_at_start)
        if not dry_run:
            cursor_advance(entity=spec.name, watermark=totals.max_modified, full=plan.complete, run=tracker.run)
    return tracker.result


def _run_pass(plan: PullPlan, *, client: ZohoPort, tracker: RunTracker, dry_run: bool, db_batch_size: int,
              progress: ProgressFn | None, calls0: int) -> UpsertResult:
    spec, totals = plan.spec, UpsertResult()
    seen: set[str] | None = set() if plan.complete else None
    # Item details for stock levels (<=100 ids a call), fetched while the next batch is mapped.
    background = Background(workers=min(3, max(1, settings.ZOHO_MAX_CONCURRENCY)))
    # Zoho's page_context has no total: a full pass estimates progress from the mirror's size.
    expected = spec.model.objects.count() if plan.complete else 0
    try:
        for batch in _batches(plan, client, db_batch_size, seen):
            res, failure = _apply_batch(spec, batch, client=client, tracker=tracker, dry_run=dry_run,
                                        background=background, refresh=plan.refresh_details)
            totals.merge(res)
            background.drain(keep=db_batch_size // DETAIL_CHUNK + 2)
            done = tracker.result.processed + len(batch)
            tracker.add(res, api_calls=client.stats.total - calls0,
                        progress=min(99.0, 100.0 * done / expected) if expected else None)
            if failure is not None:
                raise failure
            if progress:
                progress(spec.name, len(batch))
        background.drain()
    finally:
        background.close()
    if seen is not None:
        tracker.result.deleted = mark_deleted(spec=spec, seen=seen, run=tracker.run, dry_run=dry_run,
                                              correlation_id=tracker.correlation_id)
    tracker.result.extra["errors"] = totals.errors[:20]
    return totals


def _batches(plan: PullPlan, client: ZohoPort, size: int, seen: set[str] | None) -> Iterator[list[dict[str, Any]]]:
    """Records from the streamed pages, regrouped into DB batches of ``size``."""
    spec = plan.spec
    batch: list[dict[str, Any]] = []
    pages = prefetched(_pages(spec, client, plan.params))
    for page in pages:
        for record in page.records:
            if not isinstance(record, dict):
                batch.append(record)  # the upsert refuses it, with its reason
                continue
            if spec.keep and record.get(spec.keep[0]) != spec.keep[1]:
                continue  # the other part of a shared list (vendors in the contacts list of customers)
            if plan.stop_before and (modified := _modified(record)) and modified < plan.stop_before:
                pages.close()  # stop paging: the rest is older
                yield from ([batch] if batch else [])
                return
            if seen is not None:
                seen.add(str(record.get(spec.id_field) or ""))
            batch.append(record)
        while len(batch) >= size:
            yield batch[:size]
            batch = batch[size:]
    if batch:
        yield batch


@dataclass
class _OnePage:
    records: list[dict[str, Any]]


def _pages(spec: EntitySpec, client: ZohoPort, params: dict[str, str]) -> Iterator[Any]:
    """The list's pages; a list Zoho documents no paging for (locations) is one answer."""
    if spec.paged:
        yield from client.paginate(spec.api, spec.path, list_key=spec.list_key, params=params, per_page=200)
        return
    records = client.get(spec.api, spec.path, params=params or None).get(spec.list_key)
    yield _OnePage(records if isinstance(records, list) else [])


def _modified(record: dict[str, Any]) -> datetime | None:
    """The listed version stamp; None when missing or unreadable (the upsert refuses the latter)."""
    from sync.mappers.common import timestamp

    stamp = timestamp(record.get("last_modified_time"))
    return stamp if isinstance(stamp, datetime) else None


def _apply_batch(spec: EntitySpec, records: list[dict[str, Any]], *, client: ZohoPort, tracker: RunTracker,
                 dry_run: bool, background: Background,
                 refresh: bool = False) -> tuple[UpsertResult, BaseException | None]:
    """Upsert one batch; the error of a detail fetch comes back to be raised after the batch is counted."""
    unchanged, failure = 0, None
    if spec.detail_lines:
        details = with_details(spec=spec, records=records, client=client, refresh=refresh)
        records, unchanged, failure = details.records, details.unchanged, details.error
    res = upsert_records(entity=spec.name, records=records, run=tracker.run, dry_run=dry_run,
                         correlation_id=tracker.correlation_id,
                         fetch_details=lambda ids: _stock_in_background(ids, client=client, tracker=tracker,
                                                                        dry_run=dry_run, background=background))
    res.unchanged += unchanged
    refusals_log(tracker, res.refusals)
    return res, failure


def _stock_in_background(ids: list[str], *, client: ZohoPort, tracker: RunTracker, dry_run: bool,
                         background: Background) -> int:
    """Fetch the changed items' details in parallel chunks; write their stock levels in one go,
    after the next batch is mapped (0 rows now: the write is counted when it happens)."""
    details: list[dict[str, Any]] = []

    def write(_: None) -> None:
        written = stock_levels_write(details=details, dry_run=dry_run)
        tracker.result.extra["stock_rows_written"] = tracker.result.extra.get("stock_rows_written", 0) + written

    for start in range(0, len(ids), DETAIL_CHUNK):
        chunk = ids[start:start + DETAIL_CHUNK]
        background.submit(functools.partial(client.item_details, chunk), details.extend)
    background.submit(lambda: None, write)  # runs after the chunks above, in submission order
    return 0


def pull_all(*, entities: list[str] | None = None, full: bool = False, dry_run: bool = False,
             since: datetime | None = None, trigger: str = "manual", client: ZohoPort | None = None,
             on_result: Callable[[RunResult], None] | None = None, progress: ProgressFn | None = None) -> PullSummary:
    """Every requested entity in plan order (sync.entities.resolve_entities: list-only entities first);
    a failed entity does not stop the others, a deferred one (Zoho says "not now") stops the run."""
    summary = PullSummary(correlation_id=new_correlation_id())
    client = client or _client()
    names = resolve_entities(entities)
    for index, name in enumerate(names):
        # A connection lost in the previous entity is replaced here rather than failing this one too.
        connection.close_if_unusable_or_obsolete()
        try:
            result = pull_entity(entity=name, full=full, dry_run=dry_run, since=since, trigger=trigger,
                                 client=client, correlation_id=summary.correlation_id, progress=progress)
        except DatabaseError as exc:  # the database itself is gone: say what was not attempted, and stop
            summary.not_attempted = names[index:]
            summary.reason = f"database unavailable: {type(exc).__name__}: {str(exc).strip()[:300]}"
            logger.error("pull stopped: %s; not attempted: %s", summary.reason, ", ".join(summary.not_attempted))
            break
        summary.results.append(result)
        if on_result:
            on_result(result)
        if result.status == "deferred":
            _stop_deferred(summary, result, names[index + 1:])
            break
    return summary


def _stop_deferred(summary: PullSummary, result: RunResult, rest: list[str]) -> None:
    summary.not_reached, summary.resume_at = rest, str(result.extra.get("resume_at") or "")
    summary.reason = result.error
    logger.warning("pull cut short by Zoho's limits in %s (%s); resume at %s; not reached: %s", result.entity,
                   result.error, summary.resume_at or "when the limit resets", ", ".join(rest) or "none")


def _client() -> ZohoPort:
    from zoho.client import get_client

    return get_client()


def _batch_size(spec: EntitySpec, asked: int | None) -> int:
    """Records per committed batch; detail-heavy entities commit small batches, so a failure part-way
    loses no more than one batch of detail calls."""
    size = asked or settings.TDS_PULL_DB_BATCH_SIZE
    return min(size, DETAIL_DB_BATCH) if spec.detail_lines else size
