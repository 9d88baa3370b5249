"""django-q2 task functions: thin wrappers with stable dotted paths.

Schedule rows store these paths as strings ("sync.tasks.<name>"), so a rename
needs a data migration. Each task imports its service inside the body, so the
cluster imports no more than a task needs; keep each task a few lines.
"""
from __future__ import annotations

# --- runs asked for over HTTP or on the dashboard (the ledger wrote their pending rows) --------
# Each service gets the pending row's id and its run takes the row over; a row cancelled before
# the task started is skipped.


def api_pull(*, run_id: str, entity: str, full: bool = False, dry_run: bool = False) -> dict:
    """POST /api/tds/sync: one entity's pull, continuing the pending run ``run_id``."""
    from sync.pull.run import pull_entity

    return _queued(run_id, lambda: pull_entity(entity=entity, full=full, dry_run=dry_run, trigger="api",
                                               run_id=run_id))


def api_stock_sync(*, run_id: str, batch_size: int = 200, db_batch_size: int = 100, active_only: bool = True,
                   with_stock_only: bool = False, item_ids: list[str] | None = None, dry_run: bool = False) -> dict:
    """POST /api/tds/stock/sync and the BFF stock routes: the stock sync, continuing ``run_id``."""
    from sync.stock.run import stock_sync

    return _queued(run_id, lambda: stock_sync(
        batch_size=batch_size, db_batch_size=db_batch_size, active_only=active_only,
        with_stock_only=with_stock_only, item_ids=item_ids, dry_run=dry_run, trigger="api", run_id=run_id))


def api_images(*, run_id: str, force: bool = False, dry_run: bool = False) -> dict:
    """The dashboard's image sync, continuing the pending run ``run_id``."""
    from sync.images.run import images_sync

    return _queued(run_id, lambda: images_sync(force=force, dry_run=dry_run, trigger="manual", run_id=run_id))


def api_compare(*, run_id: str, deep: bool = False, carry_out: bool = False, dry_run: bool = False) -> dict:
    """The dashboard's compare and, with ``carry_out``, the pulls it recommends, continuing ``run_id``
    (a dry run keeps its plan in the row's summary)."""
    from sync.compare.execute import compare_and_sync

    return _queued(run_id, lambda: compare_and_sync(deep=deep, sync=carry_out, dry_run=dry_run, trigger="manual",
                                                    run_id=run_id))


def _queued(run_id: str, service) -> dict:
    from sync.jobs import job_run

    return job_run(run_id, service)


# --- webhooks, queue, dead letters ---------------------------------------------


def drain_queue(*, batch_size: int | None = None, max_batches: int | None = 500) -> dict:
    """Promote inbox events and apply queued items until nothing has been due for the kick interval
    (see sync.pipeline.workers and sync.pipeline.kick)."""
    from django.conf import settings

    from sync.pipeline.workers import drain_queue as drain

    # django-q2's sync mode runs the task inside the request that kicked it: no kick is held then,
    # and lingering would only keep that request waiting.
    linger = 0.0 if settings.Q_CLUSTER.get("sync") else settings.TDS_WEBHOOK_KICK_SECONDS
    return drain(batch_size=batch_size or settings.TDS_BATCH_SIZE, max_batches=max_batches,
                 linger=linger).as_dict()


def reap_leases() -> dict:
    """Expired leases back to the queue; old completed items purged; runs whose process died failed, and
    queued runs no worker picked up; a drain kicked if work is due."""
    from sync.config import config_get
    from sync.ledger import runs_fail_silent, runs_fail_unclaimed
    from sync.pipeline.kick import queue_kick
    from sync.pipeline.queue import queue_purge_completed
    from sync.pipeline.workers import reap_leases as reap

    days = config_get("TDS_RETENTION_QUEUE_DAYS")  # the retention age; 0 keeps them
    result = {**reap(), "purged_completed": queue_purge_completed(older_than_days=days) if days else 0,
              "runs_failed": runs_fail_silent(), "runs_unclaimed": runs_fail_unclaimed()}
    queue_kick()
    return result


def refetch_records(*, entity: str, zoho_ids: list[str]) -> dict:
    """Fetch records whose event carried no usable timestamp from Zoho, into the inbox."""
    from sync.pipeline.refetch import records_refetch

    return {"stored": records_refetch(entity=entity, zoho_ids=zoho_ids)}


def retry_dead_letters(*, limit: int = 500) -> dict:
    """Requeue transient dead letters whose backoff has passed."""
    from sync.pipeline.deadletter import deadletter_auto_retry

    return deadletter_auto_retry(limit=limit).as_dict()  # the retry kicks a drain itself


# --- images ----------------------------------------------------------------------


def sync_images(*, concurrency: int | None = None, force: bool = False, item_ids: list[str] | None = None,
                trigger: str = "schedule") -> dict:
    """Download missing or changed product images (see sync.images.run)."""
    from sync.images.run import images_sync

    return images_sync(concurrency=concurrency, force=force, item_ids=item_ids, trigger=trigger).as_dict()


# --- compare and schedules ---------------------------------------------------------
# Every scheduled task runs under sync.schedules.run_guarded: a run still going
# makes the next one skip with a log line instead of overlapping it.


def scheduled_compare_sync(*, dry_run: bool = False, deep: bool = True) -> dict:
    """Compare (record by record) and carry out the recommendations: the 6-hourly job."""
    from sync.compare.execute import compare_and_sync
    from sync.schedules import COMPARE_SYNC, run_guarded

    def job() -> dict:
        report = compare_and_sync(deep=deep, sync=True, dry_run=dry_run, trigger="schedule")
        return {"summary": report.summary_line(), "ok": all(a.ok for a in report.actions),
                "deferred": report.deferred, "resume_at": report.resume_at}

    return run_guarded(COMPARE_SYNC, job)


def scheduled_stock_sync(*, dry_run: bool = False) -> dict:
    from sync.schedules import STOCK_SYNC, run_guarded
    from sync.stock.run import stock_sync

    return run_guarded(STOCK_SYNC, lambda: _as_dict(stock_sync(dry_run=dry_run, trigger="schedule")))


def scheduled_incremental_pull(*, dry_run: bool = False) -> dict:
    from sync.pull.run import pull_all
    from sync.schedules import INCREMENTAL_PULL, run_guarded

    return run_guarded(INCREMENTAL_PULL, lambda: _as_dict(pull_all(full=False, dry_run=dry_run, trigger="schedule")))


def scheduled_full_pull(*, dry_run: bool = False) -> dict:
    from sync.pull.run import pull_all
    from sync.schedules import FULL_PULL, run_guarded

    return run_guarded(FULL_PULL, lambda: _as_dict(pull_all(full=True, dry_run=dry_run, trigger="schedule")))


def scheduled_image_sync(*, dry_run: bool = False) -> dict:
    from sync.images.run import images_sync
    from sync.schedules import IMAGE_SYNC, run_guarded

    return run_guarded(IMAGE_SYNC, lambda: images_sync(dry_run=dry_run, trigger="schedule").as_dict())


def _as_dict(result: object) -> dict:
    from sync.jobs import task_result

    return task_result(result)


# --- alerts, metrics, retention -----------------------------------------------------


def evaluate_alerts() -> dict:
    """Sample the levels (queue depth, freshness) and evaluate the alert rules (see sync.alerts)."""
    from sync.alerts.evaluate import alerts_evaluate
    from sync.metrics import points_flush
    from sync.metrics.sample import metrics_sample
    from sync.schedules import ALERTS, run_guarded

    def work() -> dict:
        metrics_sample()
        points_flush()
        return alerts_evaluate().as_dict()

    return run_guarded(ALERTS, work)


def rollup_metrics() -> dict:
    """Minute points to hourly rollups, hourly to daily (see sync.metrics.rollup)."""
    from sync.metrics.rollup import metrics_rollup
    from sync.schedules import METRICS_ROLLUP, run_guarded

    return run_guarded(METRICS_ROLLUP, metrics_rollup)


def prune_tables() -> dict:
    """Delete what is past its retention age (see sync.metrics.retention)."""
    from sync.metrics.retention import retention_run
    from sync.schedules import RETENTION, run_guarded

    return run_guarded(RETENTION, retention_run)
