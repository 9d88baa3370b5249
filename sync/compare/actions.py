"""Carry out one recommendation through the existing services: the pull engine for
records, the stock sync for stock, the image sync for images. Nothing here talks to
Zoho or writes rows itself; a dry run only describes what would run.
"""
from __future__ import annotations

from typing import Any

from sync.compare.recommend import DOWNLOAD_MISSING, FULL_SYNC, INCREMENTAL_SYNC
from sync.compare.report import ActionResult, Recommendation


def describe(rec: Recommendation) -> str:
    """The exact plan, as printed by --sync --dry-run."""
    ids = f" (Zoho ids: {', '.join(rec.ids[:10])}{' …' if len(rec.ids) > 10 else ''})" if rec.ids else ""
    return f"{rec.plan or rec.action.lower()}{ids}"


def run_action(rec: Recommendation, *, dry_run: bool, trigger: str) -> ActionResult:
    if dry_run:
        return ActionResult(entity=rec.entity, action=rec.action, dry_run=True, skipped=0, message=describe(rec))
    try:
        if rec.action == DOWNLOAD_MISSING:
            return _images(rec, trigger=trigger)
        if rec.entity == "stock":
            return _stock(rec, trigger=trigger)
        if rec.action in (FULL_SYNC, INCREMENTAL_SYNC):
            return _pull(rec, trigger=trigger)
    except Exception as exc:  # one failed action must not stop the others; the error is reported
        return ActionResult(entity=rec.entity, action=rec.action, dry_run=False, message=describe(rec),
                            error=f"{type(exc).__name__}: {exc}")
    return ActionResult(entity=rec.entity, action=rec.action, dry_run=False, message="nothing to run")


def _images(rec: Recommendation, *, trigger: str) -> ActionResult:
    from sync.images.run import images_sync

    result = images_sync(item_ids=rec.ids, trigger=trigger)
    return ActionResult(
        entity=rec.entity, action=rec.action, dry_run=False,
        synced=result.downloaded + result.deduplicated + result.unchanged,
        failed=result.failed + result.refused, skipped=result.no_image,
        api_calls=result.api_calls, run_id=result.run_id, deferred=bool(result.waiting), resume_at=result.resume_at,
        message=f"{describe(rec)}; cut short: {result.waiting_reason}" if result.waiting else describe(rec),
    )


def _stock(rec: Recommendation, *, trigger: str) -> ActionResult:
    from sync.stock.run import stock_sync

    # Zoho's record did not change, so its content hash still matches and the upsert
    # would skip it: the local quantity was edited outside TDS (other apps write these
    # tables). force rewrites exactly these rows from Zoho.
    result = stock_sync(item_ids=rec.ids, trigger=trigger, force=True)
    return _from_run(rec, result)


def _pull(rec: Recommendation, *, trigger: str) -> ActionResult:
    from sync.pull.run import pull_entity

    result = pull_entity(entity=rec.entity, full=rec.action == FULL_SYNC, trigger=trigger)
    return _from_run(rec, result)


def _from_run(rec: Recommendation, result: Any) -> ActionResult:
    """Map a pull/stock result (counts like a tds_sync_runs row) onto Synced | Failed | Skipped."""
    synced = result.created + result.updated + getattr(result, "deleted", 0)
    status = getattr(result, "status", "completed")
    error = getattr(result, "error", "") if status == "failed" else ""
    deferred = status == "deferred"
    return ActionResult(
        entity=rec.entity, action=rec.action, dry_run=False, synced=synced, failed=result.failed,
        skipped=result.skipped + result.unchanged, api_calls=result.api_calls,
        run_id=str(getattr(result, "run_id", "") or ""), error=error or "",
        message=f"{describe(rec)}; cut short: {result.error}" if deferred else describe(rec),
        deferred=deferred, resume_at=str(result.extra.get("resume_at") or "") if deferred else "",
    )


def not_reached(rec: Recommendation, *, resume_at: str) -> ActionResult:
    """An action --sync did not start because Zoho's limits stopped an earlier one."""
    return ActionResult(entity=rec.entity, action=rec.action, dry_run=False, deferred=True, resume_at=resume_at,
                        message=f"{describe(rec)}; not reached: Zoho's limits stopped the run")
