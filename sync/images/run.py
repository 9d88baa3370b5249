"""Product image sync: every product that has an image in Zoho gets it locally.

images_sync plans from the database (no API call for unchanged images),
downloads with a bounded thread pool (the Zoho client's shared rate limiter
and concurrency cap still apply inside it), stores content-addressed files
with WebP thumbnails, then updates the products in bulk and removes files no
product references any more. See images_plan, images_fetch, images_store.
"""
from __future__ import annotations

import logging
import queue
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from sync.background import threads_start
from sync.config import config_get
from sync.images.fetch import ContentIndex, Outcome, image_fetch
from sync.images.plan import Clearing, ImageJob, ImagePlan, image_coverage, images_plan
from sync.images.result import ImageSyncResult, image_figures, run_configuration, run_fold, run_status
from sync.images.store import orphan_cleanup, remove_url_file, stale_temp_cleanup
from sync.ledger import RunResult, RunTracker, run_open
from sync.models import RunType
from sync.models.erp import Product
from sync.models.tds import SyncRun
from sync.upsert.sql import db_column
from sync.zoho_port import ImagePort

__all__ = ["ImageSyncResult", "image_coverage", "image_figures", "images_sync"]

logger = logging.getLogger("sync.images")
ProgressFn = Callable[[int, int], None]
SAVE_EVERY = 200
IMAGE_FIELDS = ["image_url", "thumbnail_url", "image_hash", "image_source_key", "image_synced_at"]


def images_sync(*, concurrency: int | None = None, force: bool = False, item_ids: Iterable[str] | None = None,
                dry_run: bool = False, client: ImagePort | None = None,
                trigger: str = SyncRun.Trigger.MANUAL, progress: ProgressFn | None = None,
                run_id: str = "") -> RunResult:
    """Download missing or changed product images (continuing the queued run ``run_id`` when
    given); see the module docstring. The result's counters are its row's; the image detail is
    ``image_figures(result)``."""
    concurrency = max(1, concurrency or image_concurrency())
    started = time.monotonic()
    plan = images_plan(force=force, item_ids=item_ids)
    result = ImageSyncResult(candidates=len(plan.jobs), up_to_date=plan.up_to_date, dry_run=dry_run)
    with run_open(run_type=RunType.IMAGES, entity="images", trigger=trigger, dry_run=dry_run, run_id=run_id,
                  summary_line=False,
                  configuration=run_configuration(concurrency=concurrency, force=force, item_ids=item_ids)) as run:
        result.run_id = run.result.run_id

        def fold(run: RunTracker, error: BaseException | str | None) -> None:
            result.duration = time.monotonic() - started
            run_fold(run, result)

        run.on_close(fold)
        if dry_run:
            result.would_fetch = [{"item_id": j.item_id, "name": j.name, "why": j.why} for j in plan.jobs]
            result.cleared = len(plan.clearings)
        else:
            _execute(plan, result, client=client or _default_client(), concurrency=concurrency, progress=progress,
                     item_ids=item_ids, checkpoint=run.checkpoint)
        run.finish(error=result.waiting_reason or None, status=run_status(result))
    return run.result


def image_concurrency() -> int:
    """TDS_IMAGE_CONCURRENCY, a run-time tunable (sync/config/)."""
    return int(config_get("TDS_IMAGE_CONCURRENCY"))


def _default_client() -> ImagePort:
    from zoho.client import get_client

    return get_client()


def _execute(plan: ImagePlan, result: ImageSyncResult, *, client: ImagePort, concurrency: int,
             progress: ProgressFn | None, item_ids: Iterable[str] | None, checkpoint: Callable[[], None]) -> None:
    stale_temp_cleanup()
    if plan.jobs:
        _warm_token(client)
    calls_before = client.stats.total
    old_urls: set[str] = set()

    def save(batch: list[Outcome]) -> None:
        old_urls.update(_apply(batch, []))
        checkpoint()  # saved so far is kept; an operator's stop takes effect here

    try:
        _download_all(plan, result, client=client, concurrency=concurrency, progress=progress, save=save)
    finally:
        result.api_calls = client.stats.total - calls_before
    old_urls |= _apply([], plan.clearings)
    result.cleared = len(plan.clearings)
    result.files_removed = _remove_unreferenced(old_urls)
    if item_ids is None:  # only a full run sees every product's references
        result.files_removed += orphan_cleanup(_referenced_urls())


# Errors that every later call would hit too: stop asking Zoho and report the rest as not attempted.
# Zoho's "not now" answers (tokens refused, quota spent, circuit open) stop the run too: the images
# not fetched are "waiting" (the run is deferred), not failed.
STOP_REASONS = frozenset({"ZohoAuthError", "ZohoOrganizationError", "ZohoConfigError"})


@dataclass
class _Stop:
    reason: str = ""
    waiting: bool = False


def _download_all(plan: ImagePlan, result: ImageSyncResult, *, client: ImagePort, concurrency: int,
                  progress: ProgressFn | None, save: Callable[[list[Outcome]], None]) -> None:
    """Run the workers; save outcomes every SAVE_EVERY so an interrupted long run keeps its progress."""
    index = ContentIndex(_known_hashes())
    jobs: queue.SimpleQueue[ImageJob] = queue.SimpleQueue()
    done: queue.SimpleQueue[Outcome] = queue.SimpleQueue()
    for job in plan.jobs:
        jobs.put(job)
    stop = _Stop()
    workers = threads_start(lambda: _worker(client, index, jobs, done, stop),
                            count=min(concurrency, len(plan.jobs)), name="tds-image")
    pending: list[Outcome] = []
    try:
        for count in range(1, len(plan.jobs) + 1):
            outcome = done.get()
            result.count(outcome)
            _log_outcome(outcome)
            pending.append(outcome)
            if len(pending) >= SAVE_EVERY:
                save(pending)
                pending = []
            if progress:
                progress(count, len(plan.jobs))
    except BaseException:
        stop.reason = "run interrupted"  # workers finish their current image and take no more
        raise
    finally:
        save(pending)
    for worker in workers:
        worker.join()


def _worker(client: ImagePort, index: ContentIndex, jobs: queue.SimpleQueue, done: queue.SimpleQueue,
            stop: _Stop) -> None:
    """Fetch jobs until none are left; every job yields exactly one Outcome, even on a bug."""
    while True:
        try:
            job = jobs.get_nowait()
        except queue.Empty:
            return
        done.put(_one(client, index, job, stop))


def _one(client: ImagePort, index: ContentIndex, job: ImageJob, stop: _Stop) -> Outcome:
    if stop.reason:
        return Outcome(job, "waiting" if stop.waiting else "failed", reason="not_attempted", detail=stop.reason)
    try:
        outcome = image_fetch(client, job, index)
    except Exception as exc:  # a bug must not hang the run: report it against the item
        logger.exception("image worker error item=%s", job.item_id)
        return Outcome(job, "failed", reason=type(exc).__name__, detail=str(exc)[:300])
    if outcome.reason in STOP_REASONS or outcome.kind == "waiting":
        stop.waiting = outcome.kind == "waiting"
        stop.reason = f"stopped after {outcome.reason}: {outcome.detail}"[:300]
    return outcome


def _warm_token(client: ImagePort) -> None:
    """Get the access token once here, before the threads start.

    The workers then share it from memory instead of each reaching the shared
    token cache, and a credentials problem stops the run with one clear error
    instead of failing every image.
    """
    from zoho.client import ZohoClient

    if isinstance(client, ZohoClient):  # in-memory stand-ins have no token to fetch
        client.tokens.token()


def _known_hashes() -> dict[str, tuple[str, str]]:
    rows = Product.objects.exclude(image_hash="").exclude(image_url="").values_list(
        "image_hash", "image_url", "thumbnail_url")
    return {digest: (url, thumb) for digest, url, thumb in rows.iterator(chunk_size=2000)}


def _log_outcome(outcome: Outcome) -> None:
    if outcome.kind == "refused":
        logger.warning("image refused item=%s reason=%s %s", outcome.job.item_id, outcome.reason, outcome.detail)
    elif outcome.kind == "failed":
        logger.error("image failed item=%s %s %s", outcome.job.item_id, outcome.reason, outcome.detail)
    elif outcome.kind == "no_image":
        logger.info("no image in Zoho item=%s", outcome.job.item_id)


def _apply(outcomes: list[Outcome], clearings: list[Clearing]) -> set[str]:
    """Write the new image columns in bulk; return the URLs the products no longer use."""
    now = timezone.now()
    rows: list[Product] = []
    old_urls: set[str] = set()
    for outcome in outcomes:
        row = _row_for(outcome, now)
        if row is None:
            continue
        rows.append(row)
        old_urls |= {outcome.job.old_image_url, outcome.job.old_thumbnail_url} - {row.image_url, row.thumbnail_url}
    for clearing in clearings:
        rows.append(Product(pk=clearing.pk, image_url="", thumbnail_url="", image_hash="", image_source_key="",
                            image_synced_at=now))
        old_urls |= {clearing.old_image_url, clearing.old_thumbnail_url}
    _write_rows(rows, now)
    return old_urls - {""}


def _write_rows(rows: list[Product], now: Any) -> None:
    """One parameterised UPDATE per row, sent with executemany.

    Django's bulk_update builds a CASE WHEN per column and spent ~8 ms per row
    here (most of a 1,000-image run); executemany (psycopg pipelines it) is
    a small fraction of that and touches only the image columns.
    """
    table, qn = Product._meta.db_table, connection.ops.quote_name
    columns = [db_column(Product, name) for name in IMAGE_FIELDS]
    sql = (f"UPDATE {qn(table)} SET {', '.join(f'{qn(c)} = %s' for c in columns)} "
           f"WHERE {qn(db_column(Product, 'id'))} = %s")
    synced = connection.ops.adapt_datetimefield_value(now)
    params = [(r.image_url, r.thumbnail_url, r.image_hash, r.image_source_key, synced, r.pk) for r in rows]
    with transaction.atomic(), connection.cursor() as cursor:
        for start in range(0, len(params), 1000):
            cursor.executemany(sql, params[start:start + 1000])


def _row_for(outcome: Outcome, now: Any) -> Product | None:
    job = outcome.job
    if outcome.stored is not None:
        stored = outcome.stored
        return Product(pk=job.pk, image_url=stored.image_url, thumbnail_url=stored.thumbnail_url,
                       image_hash=stored.sha256, image_source_key=job.source_key, image_synced_at=now)
    if outcome.kind == "no_image":
        # Remembering the identity Zoho had no bytes for means the next run spends no call on it.
        return Product(pk=job.pk, image_url="", thumbnail_url="", image_hash="", image_source_key=job.source_key,
                       image_synced_at=now)
    return None  # refused or failed: left as it was, tried again next run


def _referenced_urls() -> set[str]:
    rows = Product.objects.exclude(image_url="").values_list("image_url", "thumbnail_url")
    return {url for pair in rows.iterator(chunk_size=5000) for url in pair}


def _remove_unreferenced(urls: set[str]) -> int:
    """Delete files of the old images unless another product still shares them."""
    if not urls:
        return 0
    still_used: set[str] = set()
    pending = sorted(urls)
    for start in range(0, len(pending), 500):
        chunk = pending[start:start + 500]
        still_used.update(Product.objects.filter(image_url__in=chunk).values_list("image_url", flat=True))
        still_used.update(Product.objects.filter(thumbnail_url__in=chunk).values_list("thumbnail_url", flat=True))
    return sum(1 for url in urls - still_used if remove_url_file(url))
